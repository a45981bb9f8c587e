"""Administration: accounts, the audit trail and incidents."""
