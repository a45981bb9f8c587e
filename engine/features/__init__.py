"""One package per capability: its rules, forms, actions, queries and use cases. A feature imports only the
features below it (pyproject.toml, [tool.importlinter]) and tells the others what happens through events."""
