"""Doing a piece of work: the form of a BPMN user task, and the task's process diagram."""
