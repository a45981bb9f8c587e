"""Reporting: the leaders' dashboard and its charts, the monthly bulletin, the ledger in Excel."""
