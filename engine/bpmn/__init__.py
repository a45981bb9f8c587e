"""BPMN: loading, validating and running the workflows with SpiffWorkflow."""
