"""What counts as text duban accepts and stores."""
from __future__ import annotations

import re

#: control characters other than tab and line breaks: invisible, and PostgreSQL refuses NUL in text
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_controls(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)
