"""A person's work, whatever process it belongs to: the inbox, a work item with its form and context, completing
it, a task's page with everything its people may see; and the timers that failed (incidents)."""
