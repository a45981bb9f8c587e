"""强化措施 pages: the ledger by category and its Excel, one measure, its steps, registration and closing."""
