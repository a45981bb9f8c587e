"""延期申请: opening a request from the task page."""
