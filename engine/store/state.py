"""The rows the audit trail vouches for: each business row as duban last wrote it, and what differs from it now.

When a transaction commits, every business row it wrote is imaged (all its columns but the few listed
in UNVOUCHED) into the `state` of its last audit event, which the event's hash covers. `differences`
replays those after-images in seq order and compares the last one of each row with the row as it is now:
a row edited, inserted or deleted behind duban's back (by SQL, or in a backup edited by hand) is named
with the fields that differ.

Rows a transaction wrote without recording any audit event carry no image; a database written before images
were kept gets one baseline event at `duban init` (needs_baseline, vouch_for_all). Workflow internals (process
instances, work items, timers), notifications, login sessions and settings are not business rows and are not
imaged; the link tables are, as lists of ids in the image of the row that owns them.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import selectinload

from engine.store.canonical import plain
from engine.store.models import (
    AccountabilityCase,
    AccountablePerson,
    Attachment,
    AuditEvent,
    CalendarDay,
    Category,
    Chase,
    Clue,
    Contribution,
    EnvironmentalIndicator,
    Escalation,
    EscalationExposure,
    EscalationInterview,
    EscalationNotice,
    EscalationTrigger,
    ExtensionRequest,
    ImplementationPlan,
    IndicatorValue,
    Instruction,
    InstructionAnswer,
    IssuedDocument,
    Measure,
    MeasureReport,
    MeasureReview,
    Objection,
    ProgressReport,
    PublicSummary,
    RectificationTask,
    SignoffApplication,
    SignoffNotice,
    TaskReceipt,
    TaskStatusChange,
    Unit,
    User,
)

if TYPE_CHECKING:
    from engine.store.database import Session

#: the business rows whose after-images the trail keeps
VOUCHED_MODELS: tuple[type, ...] = (
    Unit, User, Category, RectificationTask, TaskStatusChange, ImplementationPlan, ProgressReport,
    SignoffApplication, SignoffNotice, Objection, PublicSummary, Escalation, EscalationTrigger, EscalationNotice,
    EscalationInterview, EscalationExposure, AccountabilityCase, AccountablePerson, Clue, EnvironmentalIndicator,
    IndicatorValue, IssuedDocument, Attachment, Instruction, InstructionAnswer, Chase, Contribution,
    TaskReceipt, ExtensionRequest, CalendarDay, Measure, MeasureReport, MeasureReview)
VOUCHED_TABLES = {model.__tablename__: model for model in VOUCHED_MODELS}  # type: ignore[attr-defined]
#: columns left out of an image: a secret, or bookkeeping of logins that changes without a business event
UNVOUCHED = {"users": frozenset({"password_hash", "failed_logins", "locked_at", "last_login_at"})}

Images = dict[str, dict[str, dict[str, Any] | None]]  # table → row id → image (None: deleted)


def vouched(row: object) -> bool:
    return type(row) in _VOUCHED_TYPES


_VOUCHED_TYPES = frozenset(VOUCHED_MODELS)


def image(row: Any) -> dict[str, Any]:
    """A row's columns as plain JSON values (the unvouched ones left out), and the ids its link tables hold for it
    (a task's cooperating units, a clue's tasks and units)."""
    table = row.__tablename__
    left_out = UNVOUCHED.get(table, frozenset())
    columns = {attr.key: plain(getattr(row, attr.key)) for attr in inspect(type(row)).column_attrs
               if attr.key not in left_out}
    return columns | {link.key: sorted(inspect(other).identity[0] for other in getattr(row, link.key))
                      for link in _links(type(row))}


def _links(model: type) -> list[Any]:
    """The many-to-many relationships a model writes through a link table."""
    return [link for link in inspect(model).relationships if link.secondary is not None and not link.viewonly]


def row_key(row: Any) -> tuple[str, str]:
    identity = inspect(row).identity
    return row.__tablename__, "-".join(str(part) for part in identity or ())


def images_of(written: Iterable[Any], deleted: Iterable[tuple[str, str]]) -> Images | None:
    """The after-images of a transaction's written rows and the keys of the rows it deleted."""
    found: Images = {}
    for table, key in deleted:
        found.setdefault(table, {})[key] = None
    for row in written:
        if not inspect(row).persistent:  # deleted since, or its insert undone with a savepoint
            continue
        table, key = row_key(row)
        found.setdefault(table, {})[key] = image(row)
    return found or None


def needs_baseline(session: Session) -> bool:
    """A trail that holds events but no after-image yet: a database written before images were kept."""
    if session.scalar(select(AuditEvent.id).limit(1)) is None:
        return False  # a new database: every row is imaged as duban writes it
    return session.scalar(select(AuditEvent.id).where(AuditEvent.state.is_not(None)).limit(1)) is None


def vouch_for_all(session: Session) -> int:
    """Count every business row as written by this transaction, so that its last event images them all."""
    count = 0
    for model in VOUCHED_MODELS:
        for row in session.scalars(select(model)):
            session.written_rows[id(row)] = row
            count += 1
    return count


# --- the check ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowDifference:
    """One row that is not as duban last wrote it."""

    table: str
    row_id: str
    problem: str  # "changed", "unrecorded" (no image: written outside duban), "deleted", "reappeared"
    fields: tuple[str, ...] = ()
    last_seq: int | None = None

    def describe(self) -> str:
        where = f"{self.table} #{self.row_id}"
        if self.problem == "changed":
            return f"{where} changed outside duban (fields: {', '.join(self.fields)}; last audited at #{self.last_seq})"
        if self.problem == "deleted":
            return f"{where} deleted outside duban (last audited at #{self.last_seq})"
        if self.problem == "reappeared":
            return f"{where} is present though duban deleted it (at #{self.last_seq})"
        return f"{where} has no after-image in the audit trail: written outside duban"


@dataclass(frozen=True)
class StateReport:
    rows: int
    differences: tuple[RowDifference, ...]

    @property
    def ok(self) -> bool:
        return not self.differences


def check_state(session: Session) -> StateReport:
    """Every vouched row now against its last after-image in the trail."""
    trail, seqs = last_images(session)
    differences: list[RowDifference] = []
    rows = 0
    for table, model in VOUCHED_TABLES.items():
        recorded = trail.get(table, {})
        seen = set()
        query = select(model).order_by(*inspect(model).primary_key)
        for row in session.scalars(query.options(*(selectinload(link) for link in _links(model)))):
            rows += 1
            _, key = row_key(row)
            seen.add(key)
            differences.extend(_compare(table, key, recorded, image(row), seqs))
        differences.extend(RowDifference(table, key, "deleted", last_seq=seqs[table, key])
                           for key, last in recorded.items() if last is not None and key not in seen)
    return StateReport(rows, tuple(differences))


def _compare(table: str, key: str, recorded: dict[str, dict[str, Any] | None], now: dict[str, Any],
             seqs: dict[tuple[str, str], int]) -> Iterator[RowDifference]:
    if key not in recorded:
        yield RowDifference(table, key, "unrecorded")
        return
    last = recorded[key]
    if last is None:
        yield RowDifference(table, key, "reappeared", last_seq=seqs[table, key])
        return
    changed = tuple(sorted(name for name in now.keys() | last.keys() if now.get(name) != last.get(name)))
    if changed:
        yield RowDifference(table, key, "changed", changed, seqs[table, key])


def last_images(session: Session) -> tuple[Images, dict[tuple[str, str], int]]:
    """The last image the trail holds of each row, and the seq of the event that holds it."""
    trail: Images = {}
    seqs: dict[tuple[str, str], int] = {}
    query = (select(AuditEvent.seq, AuditEvent.state).where(AuditEvent.state.is_not(None))
             .order_by(AuditEvent.seq).execution_options(yield_per=1000))
    for seq, state in session.execute(query):
        for table, rows in (state or {}).items():
            trail.setdefault(table, {}).update(rows)
            seqs.update({(table, key): seq for key in rows})
    return trail, seqs
