"""What every part of duban stands on and that knows nothing of duban: the clock, settings, errors, text, periods,
working days, the actor, roles.yaml, form fields, statuses, spreadsheets."""
