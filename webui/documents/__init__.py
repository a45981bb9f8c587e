"""公文: issuing a task's official documents from its page, printing one from the browser, its .docx."""
