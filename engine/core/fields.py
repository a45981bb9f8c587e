"""The fields of a form and their rules: what a submitted value must be, said once for every form.

A form handler (engine/workflow/forms.py) lists its fields; `clean` checks a submission against them
and reports every bad field at once. The web pages build their forms from the same fields.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.core.errors import InvalidSubmission
from engine.core.text import N_, message_of, without_controls

TEXT_MAX = 5000
LINE_MAX = 200


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = "text"  # text | line | choice | date | int | bool | ids | id
    required: bool = True
    choices: tuple[str, ...] = ()
    low: int = 0
    high: int = 100

    def clean(self, raw: Any) -> Any:
        if _blank(raw):
            if self.required:
                raise ValueError(N_("必填"))
            return [] if self.kind == "ids" else (False if self.kind == "bool" else None)
        return _CLEANERS[self.kind](self, raw)


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def _text(field: Field, raw: Any, limit: int = TEXT_MAX) -> str:
    text = without_controls(str(raw)).strip()
    if len(text) > limit:
        raise ValueError(N_("不能超过 %(limit)s 个字符", limit=limit))
    return text


def _choice(field: Field, raw: Any) -> str:
    if raw not in field.choices:
        raise ValueError(N_("不是有效的选项"))
    return str(raw)


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
    "line": lambda f, raw: _text(f, raw, LINE_MAX),
    "choice": _choice,
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
        try:
            cleaned[field.name] = field.clean(data.get(field.name))
        except ValueError as exc:
            errors[field.name] = [message_of(exc)]
    if errors:
        raise InvalidSubmission(errors)
    return cleaned
