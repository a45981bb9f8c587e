"""督察批次: the rounds page, and the round a person looks at while moving between the ledger, the dashboard, the
bulletin and the public pages."""
