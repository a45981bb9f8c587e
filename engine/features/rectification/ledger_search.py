"""The ledger's search: every word found in some text of the task, on the database's own text index.

A word is looked for in the task's code, title, problem, target and measures, in its monthly reports
(progress, problems, next steps), and in the names of its category, lead unit, cooperating units and
lead leader. A word is found where the text holds it as it is written: "沱江 码头" (two words) finds
"沱江沿岸非法码头", "沱江码头" only a text that says 沱江码头.

The texts of a hundred thousand tasks are searched through the index of engine/store/search_index.py:
FTS5 trigram tables on SQLite, pg_trgm GIN indexes on PostgreSQL. A trigram is three characters: a word
of one or two ("蓝田", "河") is read with LIKE from the tables themselves, as are the names (a few hundred
rows). Each word is one `task id IN (…)` of a UNION: one index lookup per text, and the names.
"""
from __future__ import annotations

import re
from functools import reduce
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, column, literal, literal_column, or_, select, table, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import ColumnClause

from engine.core.text import like_escaped
from engine.store.models import Category, ProgressReport, RectificationTask, Unit, User, cooperating_units
from engine.store.search_index import REPORT_TEXTS, SEPARATOR, TASK_TEXTS, TRIGRAM

#: at most this many words are searched for (the search box takes 100 characters)
MAX_WORDS = 8
_WORDS = re.compile(r"[^\s\u3000，,、；;]+")

#: the ledger's own query reads some of these tables: a search reads them under names of its own
_TASK, _REPORT = aliased(RectificationTask), aliased(ProgressReport)
_CATEGORY, _UNIT, _USER = aliased(Category), aliased(Unit), aliased(User)
_TASK_TEXTS = (_TASK.code, _TASK.title, _TASK.problem, _TASK.target, _TASK.measures)
_REPORT_TEXTS = (_REPORT.progress, _REPORT.problems, _REPORT.next_steps)
_FTS_TASKS = table(TASK_TEXTS.name, column("rowid"))
_FTS_REPORTS = table(REPORT_TEXTS.name, column("rowid"))


def search_words(q: str) -> list[str]:
    """The words of a search: split at spaces (also the full-width one) and at Chinese and Latin commas."""
    return list(dict.fromkeys(_WORDS.findall(q)))[:MAX_WORDS]


def matches_every_word(q: str) -> list[ColumnElement[bool]]:
    """One condition per word: the word is in one of the task's texts, its reports' or its names."""
    return [_holding(word) for word in search_words(q)]


def _holding(word: str) -> ColumnElement[bool]:
    pattern = f"%{like_escaped(word)}%"
    if len(word) < TRIGRAM:
        return RectificationTask.id.in_(union(*_read_with_like(pattern), *_named(pattern)))
    return _ByDialect(sqlite=RectificationTask.id.in_(union(*_fts5(word), *_named(pattern))),
                      other=RectificationTask.id.in_(union(*_trigram(pattern), *_named(pattern))))


def _read_with_like(pattern: str) -> list[Select[Any]]:
    def found(column: ColumnElement[str]) -> ColumnElement[bool]:
        return column.ilike(pattern, escape="\\")

    return [select(_TASK.id).where(or_(*(found(column) for column in _TASK_TEXTS))),
            select(_REPORT.task_id).where(or_(*(found(column) for column in _REPORT_TEXTS)))]


def _fts5(word: str) -> list[Select[Any]]:
    """SQLite: the word as an FTS5 phrase (its quotes doubled), to the trigram tokenizer a substring of a column."""
    phrase = literal('"' + word.replace('"', '""') + '"')
    reports = select(_FTS_REPORTS.c.rowid).where(literal_column(REPORT_TEXTS.name).op("MATCH")(phrase))
    return [select(_FTS_TASKS.c.rowid).where(literal_column(TASK_TEXTS.name).op("MATCH")(phrase)),
            select(_REPORT.task_id).where(_REPORT.id.in_(reports))]


def _trigram(pattern: str) -> list[Select[Any]]:
    """PostgreSQL: ILIKE on the texts joined as the pg_trgm index joins them (the same expression, or no index)."""
    return [select(_TASK.id).where(_joined(_TASK_TEXTS).ilike(pattern, escape="\\")),
            select(_REPORT.task_id).where(_joined(_REPORT_TEXTS).ilike(pattern, escape="\\"))]


def _joined(columns: tuple[Any, ...]) -> ColumnElement[str]:
    separator: ColumnClause[str] = literal_column(f"'{SEPARATOR}'")
    return reduce(lambda joined, column: joined.op("||")(separator).op("||")(column), columns[1:], columns[0])


def _named(pattern: str) -> list[Select[Any]]:
    """The tasks of a category, unit (lead or cooperating) or lead leader whose name holds the word."""
    def named(model: Any, name: ColumnElement[str]) -> Any:
        return select(model.id).where(name.ilike(pattern, escape="\\"))

    return [select(_TASK.id).where(_TASK.category_id.in_(named(_CATEGORY, _CATEGORY.name))),
            select(_TASK.id).where(_TASK.lead_unit_id.in_(named(_UNIT, _UNIT.name))),
            select(_TASK.id).where(_TASK.lead_leader_id.in_(named(_USER, _USER.display_name))),
            select(cooperating_units.c.task_id).where(cooperating_units.c.unit_id.in_(named(_UNIT, _UNIT.name)))]


class _ByDialect(ColumnElement[bool]):
    """A condition written once for SQLite and once for the others, compiled as the database needs it."""

    inherit_cache = False
    type = Boolean()

    def __init__(self, sqlite: ColumnElement[bool], other: ColumnElement[bool]) -> None:
        self.sqlite, self.other = sqlite, other


@compiles(_ByDialect, "sqlite")
def _compile_sqlite(element: _ByDialect, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.sqlite, **kw))


@compiles(_ByDialect)
def _compile_other(element: _ByDialect, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.other, **kw))
