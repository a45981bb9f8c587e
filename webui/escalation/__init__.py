"""督办问责: the register, an escalation's page and proposing one by hand."""
