"""督办问责: escalation of lagging work, notice → interview → exposure → accountability.

An escalation is an instance of the BPMN process `escalation` (workflows/escalation.bpmn)
linked to a rectification task, plus an `Escalation` record. It is started from the task's
own processes (an overdue report, a report judged lagging, a passed deadline) or by hand by
a supervisor; the task's own process goes on meanwhile.
"""
