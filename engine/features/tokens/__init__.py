"""Personal access tokens: another system calls the JSON API as a person, with that person's permissions and
scope, reading only (scope read) or also doing work (scope write)."""
