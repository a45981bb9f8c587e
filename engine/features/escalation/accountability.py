"""Persons held accountable (追责), shared by escalations and problem clues."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.core.errors import InvalidSubmission
from engine.core.fields import Field
from engine.core.text import N_, Text
from engine.store.models import AccountablePerson
from engine.workflow.step import Step

#: 处理措施, mildest first
MEASURES: dict[str, Text] = {
    "criticism": N_("批评教育"),
    "self_examination": N_("责令检查"),
    "admonition": N_("诫勉"),
    "organisational": N_("组织处理"),
    "party_discipline": N_("党纪处分"),
    "administrative": N_("政务处分"),
    "judicial": N_("移送司法机关"),
}
MAX_PERSONS = 30
NAME_MAX, POST_MAX, DETAIL_MAX = 100, 200, 500
#: a row of the persons held accountable, as a page asks for it (each row is checked by clean_persons)
PERSON_FIELDS = (
    Field("name", "line", required=False, max_length=NAME_MAX, label=N_("姓名")),
    Field("post", "line", required=False, max_length=POST_MAX, label=N_("单位及职务")),
    Field("measure", "choice", required=False, choices=MEASURES, label=N_("处理措施"), widget="select",
          blank=N_("请选择")),
    Field("detail", "line", required=False, max_length=DETAIL_MAX, label=N_("说明")),
)
PERSONS = Field("persons", "persons", required=False, high=MAX_PERSONS, parts=PERSON_FIELDS,
                label=N_("被追究责任人员"), help=N_("每行一人；空行不计"))


def clean_persons(raw: Any) -> list[dict[str, str]]:
    """Rows of name, post, measure, detail; blank rows are skipped, every bad row is named."""
    rows = [row for row in (raw or []) if isinstance(row, dict) and any(_text(row, key) for key in row)]
    if len(rows) > MAX_PERSONS:
        raise InvalidSubmission({"persons": [N_("最多填写 %(n)s 人", n=MAX_PERSONS)]})
    errors = [message for number, row in enumerate(rows, 1) for message in _row_errors(number, row)]
    if errors:
        raise InvalidSubmission({"persons": errors})
    return [{"name": _text(row, "name"), "post": _text(row, "post"), "measure": _text(row, "measure"),
             "detail": _text(row, "detail")} for row in rows]


def _text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    return str(value).strip() if value is not None else ""


def _row_errors(number: int, row: dict[str, Any]) -> list[str]:
    errors = []
    if not _text(row, "name"):
        errors.append(N_("第 %(n)s 人：请填写姓名", n=number))
    if _text(row, "measure") not in MEASURES:
        errors.append(N_("第 %(n)s 人：请选择处理措施", n=number))
    for key, limit in (("name", NAME_MAX), ("post", POST_MAX), ("detail", DETAIL_MAX)):
        if len(_text(row, key)) > limit:
            errors.append(N_("第 %(n)s 人：内容过长（不超过 %(limit)s 个字符）", n=number, limit=limit))
    return errors


def record_persons(step: Step, persons: Sequence[dict[str, str]], *, escalation_id: int | None = None,
                   clue_id: int | None = None) -> list[AccountablePerson]:
    rows = [AccountablePerson(escalation_id=escalation_id, clue_id=clue_id, **person) for person in persons]
    step.session.add_all(rows)
    return rows


def describe_persons(persons: Sequence[dict[str, str]]) -> str:
    """"张三（某局副局长）诫勉；李四 党纪处分" for the audit trail."""
    if not persons:
        return "无人员被追究责任"
    return "；".join(f"{p['name']}" + (f"（{p['post']}）" if p["post"] else "") + f" {MEASURES[p['measure']]}"
                    for p in persons)
