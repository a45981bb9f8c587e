"""公文: the official documents an office sends about a task, written from its record.

Each kind (kinds.py) says when it applies to a task and what it says; its .docx template (templates/, or the
office's own in DUBAN_DOCUMENT_TEMPLATES) lays it out as official documents are; each issued document takes its
文号 from a sequence per kind and year (numbers.py) and is kept, with its SHA-256, in the file store.
"""
