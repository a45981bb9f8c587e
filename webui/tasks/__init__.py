"""整改任务: the inbox, the ledger, a task's page and registering a task."""
