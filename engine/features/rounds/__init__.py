"""督察批次: the inspection rounds a city answers, each with its own ledger of tasks."""
