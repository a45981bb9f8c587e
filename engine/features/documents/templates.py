"""The .docx templates of the documents (docxtpl): duban's own, or the office's where it replaced one.

An office edits a template in Word and puts it, named after its kind (`assignment.docx` …), in the
directory DUBAN_DOCUMENT_TEMPLATES. A replaced template is checked before it is used, at start-up and again
when a document is written: a field it names that duban does not fill (a typo, a field of another system)
stops it with the field named, rather than printing a blank where the office expected text.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import TemplateError

from engine.core.errors import ConfigError, Conflict
from engine.core.text import N_
from engine.features.documents.kinds import FIELDS, KINDS

SHIPPED = Path(__file__).parent / "templates"
#: names a template may use besides the fields: jinja's loop variable over the table's rows
LOOP_NAMES = frozenset({"row", "loop"})


class DocumentTemplates:
    def __init__(self, replaced: Path | None = None) -> None:
        self.replaced = replaced
        for kind in KINDS:
            if self._replaced(kind):
                self.check(kind)

    def path(self, kind: str) -> Path:
        return self._replaced(kind) or SHIPPED / f"{kind}.docx"

    def _replaced(self, kind: str) -> Path | None:
        if self.replaced is None:
            return None
        candidate = self.replaced / f"{kind}.docx"
        return candidate if candidate.is_file() else None

    def check(self, kind: str) -> None:
        """ConfigError naming the template and every field it uses that duban does not fill."""
        path = self.path(kind)
        try:
            used = DocxTemplate(path).get_undeclared_template_variables()
        except (OSError, ValueError, KeyError, TemplateError) as exc:
            raise ConfigError(str(path), "", f"公文模板无法读取：{exc}") from None
        unknown = sorted(set(used) - set(FIELDS) - LOOP_NAMES)
        if unknown:
            raise ConfigError(str(path), "", f"公文模板使用了未知字段：{'、'.join(unknown)}；"
                                             f"可用字段：{'、'.join(FIELDS)}")

    def render(self, kind: str, fields: dict[str, Any]) -> bytes:
        """The document as .docx: the template filled with the fields (the body's paragraphs one by one)."""
        try:
            self.check(kind)  # the office may have replaced it since start-up
        except ConfigError as exc:
            raise Conflict(N_("公文模板有误，请管理员更正：%(problem)s", problem=exc.message)) from None
        template = DocxTemplate(self.path(kind))
        template.render({**fields, "body": "\a".join(fields["body"])}, autoescape=True)
        buffer = io.BytesIO()
        template.save(buffer)
        return buffer.getvalue()
