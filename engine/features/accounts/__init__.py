"""Accounts: people and their units, logging in, sessions and passwords, one's own language, the administration
of accounts (用户管理), and who may do and see what (access.py, from roles.yaml)."""
