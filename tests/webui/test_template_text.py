"""Every word a template shows goes through gettext: no literal text is left in the markup."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from tests.webui.conftest import TEMPLATE_FILES, WEBUI

#: Jinja comments, statements and expressions; replaced by blanks of the same lines
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
WORDS = re.compile(r"[A-Za-z\u3400-\u9fff\uf900-\ufaff]")
VISIBLE_ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt"})
#: text that reads the same in every language: a name and the formats of what people type
UNTRANSLATED_ALLOWED = frozenset({"PM2.5", "YYYY-MM", "user:12"})
#: a quoted string inside a Jinja tag, and gettext's own call around one
STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'""")
GETTEXT_CALL = re.compile(r"""\b_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
CJK = re.compile(r"[\u3400-\u9fff]")


class LiteralText(HTMLParser):
    """Collects (line, text) of words in text nodes and in the attributes a person sees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.hidden = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self.hidden += 1
        values = dict(attrs)
        for name, value in attrs:
            if value and (name in VISIBLE_ATTRIBUTES or (name == "value" and _is_button(tag, values))):
                self._check(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self._check(data)

    def _check(self, text: str) -> None:
        text = text.strip()
        if text and text not in UNTRANSLATED_ALLOWED and WORDS.search(text):
            self.found.append((self.getpos()[0], text))


def _is_button(tag: str, attrs: dict[str, str | None]) -> bool:
    return tag == "button" or (tag == "input" and attrs.get("type") in {"submit", "button", "reset"})


def _without_jinja(source: str) -> str:
    """Jinja removed, newlines kept, so the parser's line numbers are the file's."""
    return JINJA.sub(lambda match: "\n" * match.group(0).count("\n") + " ", source)


def literal_text(path: Path) -> list[tuple[int, str]]:
    parser = LiteralText()
    parser.feed(_without_jinja(path.read_text(encoding="utf-8")))
    parser.close()
    return parser.found


def chinese_outside_gettext(path: Path) -> list[tuple[int, str]]:
    """Chinese strings inside Jinja expressions that are not the argument of `_()`."""
    source = path.read_text(encoding="utf-8")
    found = []
    for tag in JINJA.finditer(source):
        if tag.group(0).startswith("{#"):
            continue
        line = source.count("\n", 0, tag.start()) + 1
        bare = GETTEXT_CALL.sub("_()", tag.group(0))
        found += [(line, string.group(0)) for string in STRING.finditer(bare) if CJK.search(string.group(0))]
    return found


def test_the_checker_finds_literal_text(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text('{% block x %}\n<h1>{{ _("标题") }}</h1>\n<p title="提示">{# 注释 #}保存</p>\n'
                    '<input type="submit" value="Send"><input name="q" value="kept">\n', encoding="utf-8")
    assert literal_text(page) == [(3, "提示"), (3, "保存"), (4, "Send")]
    page.write_text('{{ _("保存") }}\n{{ field(form.x, label="标签") }}{% set t = _(\'好\') %}', encoding="utf-8")
    assert chinese_outside_gettext(page) == [(2, '"标签"')]


def test_no_template_shows_untranslated_text() -> None:
    assert TEMPLATE_FILES
    problems = [f"{path.relative_to(WEBUI)}:{line}: {text!r}" for path in TEMPLATE_FILES
                for line, text in [*literal_text(path), *chinese_outside_gettext(path)]]
    assert not problems, "text outside _():\n" + "\n".join(problems)
