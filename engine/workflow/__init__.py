"""The workflow runtime: loading and checking BPMN files, the restricted expressions, running and saving process
instances with SpiffWorkflow, their work items, the timer sweep and its incidents.

It knows no supervision rule: the features register what their processes mean (registry.py).
"""
