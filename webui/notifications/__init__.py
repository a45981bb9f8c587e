"""The notification centre, a person's notification choices, and delivery failures for the administrator."""
