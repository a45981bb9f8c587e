"""公开: the public pages (tasks, sign-off notices and objections, exposures) and what the publicity group publishes."""
