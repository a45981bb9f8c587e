"""The fields of a form: what a submitted value must be, and what a page shows to ask for it, said once.

A form handler (engine/workflow/forms.py) lists its fields; `clean` checks a submission against them
and reports every bad field at once. The web pages build their forms from the same fields: the label,
the help text, the choices and their labels, and the few hints on how to ask (a radio or a select, a
year typed as text) come from here. Texts a person reads are marked with `N_` and translated when shown.
"""
from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.core.errors import InvalidSubmission
from engine.core.text import N_, Text, message_of, without_controls

TEXT_MAX = 5000
LINE_MAX = 200
#: kinds a page asks for but `clean` leaves to the form's handler: uploaded files (checked by the use case
#: before the handler runs) and rows of persons (the accountability rules check each row)
HANDLED_ELSEWHERE = frozenset({"files", "persons"})


@dataclass(frozen=True)
class Field:
    """One field: its rules (kind, required, choices, bounds, lengths) and how a page shows it.

    `choices` may be given as a mapping of each value to its label; they are kept apart as `choices`
    (the values the rule accepts) and `choice_labels` (what a page shows for each, in the same order).
    """

    name: str
    kind: str = "text"  # text | line | choice | choices | date | int | bool | ids | id | files | persons
    required: bool = True
    choices: tuple[Any, ...] | Mapping[Any, str] = ()
    low: int = 0
    high: int = 100
    min_length: int = 0
    max_length: int | None = None  # text and line: at most this many characters (else TEXT_MAX, LINE_MAX)
    label: str = ""
    help: str = ""
    choice_labels: tuple[str, ...] = ()
    source: str = ""  # id and ids: what the page offers (units, leaders, categories, tasks)
    widget: str = ""  # radio or select for choices; line for a number typed as text; else as the kind asks
    blank: str = ""  # a select's empty first option, for a choice that may be left open
    initial: Any = None  # what a blank form starts with
    parts: tuple[Field, ...] = ()  # persons: the fields of each row

    def __post_init__(self) -> None:
        if isinstance(self.choices, Mapping):
            object.__setattr__(self, "choice_labels", tuple(self.choices.values()))
            object.__setattr__(self, "choices", tuple(self.choices))

    @property
    def longest(self) -> int:
        """How many characters a text or a line may have."""
        return self.max_length or (TEXT_MAX if self.kind == "text" else LINE_MAX)

    def clean(self, raw: Any) -> Any:
        if is_blank(raw):
            if self.required:
                raise ValueError(N_("必填"))
            return [] if self.kind in ("ids", "choices") else (False if self.kind == "bool" else None)
        return _CLEANERS[self.kind](self, raw)


ATTACHMENTS_LABEL, ATTACHMENTS_HELP = N_("附件"), N_("照片、PDF、Office 文档或短视频，每件不超过 20 MB；可多选")


def attachments_field(label: Text = ATTACHMENTS_LABEL, help: Text = ATTACHMENTS_HELP) -> Field:
    """The files a form takes beside its text: any form lists this field and its files are stored as attachments
    of the step (engine/store/attachments.py), shown with previews on the task page."""
    return Field("attachments", "files", required=False, label=label, help=help)


def labels_of(kinds: Iterable[enum.Enum]) -> dict[Any, Text]:
    """The choices of a field from an enum whose members carry their label."""
    return {kind.value: kind.label for kind in kinds}  # type: ignore[attr-defined]


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def _text(field: Field, raw: Any) -> str:
    text = without_controls(str(raw)).strip()
    if len(text) > field.longest:
        raise ValueError(N_("不能超过 %(limit)s 个字符", limit=field.longest))
    if len(text) < field.min_length:
        raise ValueError(N_("至少 %(limit)s 个字符", limit=field.min_length))
    return text


def _choice(field: Field, raw: Any) -> str:
    if raw not in field.choices:
        raise ValueError(N_("不是有效的选项"))
    return str(raw)


def _choices(field: Field, raw: Any) -> list[str]:
    """Several of the choices, in the order they are offered."""
    values = {str(value) for value in (raw if isinstance(raw, list | tuple) else [raw])}
    if not values <= set(field.choices):
        raise ValueError(N_("不是有效的选项"))
    return [choice for choice in field.choices if choice in values]


def _date(field: Field, raw: Any) -> str:
    try:
        value = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    except ValueError:
        raise ValueError(N_("日期格式应为 YYYY-MM-DD")) from None
    if not 2000 <= value.year <= 2100:
        raise ValueError(N_("日期超出范围"))
    return value.isoformat()


def _int(field: Field, raw: Any) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValueError(N_("应为整数")) from None
    if not field.low <= value <= field.high:
        raise ValueError(N_("应在 %(low)s 到 %(high)s 之间", low=field.low, high=field.high))
    return value


def _bool(field: Field, raw: Any) -> bool:
    return raw in (True, "y", "yes", "on", "true", "1", 1)


def _ids(field: Field, raw: Any) -> list[int]:
    values = raw if isinstance(raw, list | tuple) else [raw]
    return sorted({_int(Field(field.name, "int", low=1, high=2**31), value) for value in values})


_CLEANERS: dict[str, Callable[[Field, Any], Any]] = {
    "text": _text,
    "line": _text,
    "choice": _choice,
    "choices": _choices,
    "date": _date,
    "int": _int,
    "bool": _bool,
    "ids": _ids,
    "id": lambda f, raw: _int(Field(f.name, "int", low=1, high=2**31), raw),
}


def clean(fields: tuple[Field, ...], data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate every field; raise InvalidSubmission listing every bad one."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field in fields:
        if field.kind in HANDLED_ELSEWHERE:
            continue
        try:
            cleaned[field.name] = field.clean(data.get(field.name))
        except ValueError as exc:
            errors[field.name] = [message_of(exc)]
    if errors:
        raise InvalidSubmission(errors)
    return cleaned
