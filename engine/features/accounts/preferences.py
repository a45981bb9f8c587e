"""What a person chooses for themselves: the language of the web pages."""
from __future__ import annotations

#: the languages duban speaks; the first is the default
LOCALES = ("zh_Hans_CN", "en")
LOCALE_NAMES = {"zh_Hans_CN": "中文", "en": "English"}
