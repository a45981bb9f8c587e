"""Logging in and out, the password, the language, and who the current user is."""
