"""全程留痕: every state change writes an audit event inside the same transaction.

The events form a hash chain. Event n stores the sha256 of event n-1 (`prev_hash`) and its
own `hash` over a canonical JSON of its fields plus `prev_hash`. The head of the chain (last
seq and hash) is kept in `audit_chain` and updated with every append, so:

- editing an event changes its hash: the stored hash no longer matches;
- deleting one leaves a gap in `seq` and a `prev_hash` pointing at nothing;
- inserting one breaks the link of the event after it, or runs past the head;
- deleting the newest ones leaves the head pointing past the last event.

An event is recorded during the use case but joins the chain when its transaction commits:
only then are the head locked, the seq numbers and hashes assigned and the events written. On
SQLite every writer already holds the database write lock (BEGIN IMMEDIATE); on PostgreSQL
the commit reads the head row FOR UPDATE (and, while no head exists yet, under a
transaction-level advisory lock), so two writers never chain onto the same event, and they
wait for each other only while committing.

Someone who can write the database *and* recompute every later hash could forge a
consistent chain; an anchor (a seq and hash noted outside the database, e.g. printed by
`duban audit verify` into the monthly report) catches that too.
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, TextClause, bindparam, func, insert, or_, select, text, update
from sqlalchemy import event as orm_event
from sqlalchemy.orm import Session, SessionTransaction

from engine.core.actor import Actor
from engine.core.clock import local_midnight
from engine.core.text import CONTROL_CHARACTERS
from engine.store.database import Answer, read_ahead, write_behind
from engine.store.models import AuditChain, AuditEvent, Unit

GENESIS = "0" * 64
#: the fields a hash covers, in the canonical JSON's key order
HASHED_FIELDS = ("seq", "at", "actor_id", "actor_username", "actor_name", "role", "unit_id", "action",
                 "object_type", "object_id", "task_id", "summary", "before", "after", "client_addr", "prev_hash")
#: the columns an event is written with (its id is the database's)
STORED_FIELDS = (*HASHED_FIELDS, "hash")
AUDIT_EVENTS = AuditEvent.__table__
#: with RETURNING, SQLAlchemy sends a transaction's events as one multi-row INSERT ("insertmanyvalues"), where
#: psycopg would run an executemany through its pipeline at a higher cost for a step's few events
_INSERT_EVENTS = AUDIT_EVENTS.insert().returning(AUDIT_EVENTS.c.id)
_READ_HEAD = select(AuditChain.seq, AuditChain.hash).where(AuditChain.id == 1).with_for_update()
_MOVE_HEAD = update(AuditChain).where(AuditChain.id == 1).values(seq=bindparam("seq"), hash=bindparam("hash"))
#: on PostgreSQL the head moves in the same statement as a transaction's events are written (a data-modifying
#: WITH), which then goes with COMMIT (write_behind): no round trip of its own; the bound keeps the multi-row
#: VALUES well under its 65,535 parameters
FOLDED_EVENTS_LIMIT = 1000
#: pg_advisory_xact_lock key for appends ("duban audit" as an integer)
ADVISORY_LOCK_KEY = 0x6475_6261_6E41_7564 & 0x7FFF_FFFF_FFFF_FFFF
#: events recorded in a transaction, chained when it commits
_PENDING = "duban.audit_pending"
#: the head locked ahead of the commit (lock_head_ahead)
_HEAD_AHEAD = "duban.audit_head_ahead"


def record(session: Session, actor: Actor, at: datetime, action: str, obj: tuple[str, object], summary: str,
           *, task_id: int | None = None, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> AuditEvent:
    """Record one audit event; it is chained and written when the caller's transaction commits."""
    object_type, object_id = obj
    event = AuditEvent(
        at=at, actor_id=actor.user_id, actor_username=_visible(actor.username, 64),
        actor_name=_visible(actor.display_name, 100), role=actor.role[:32], unit_id=actor.unit_id,
        action=action[:64], object_type=object_type[:64], object_id=_visible(str(object_id), 64), task_id=task_id,
        summary=_visible(summary), before=_plain(before), after=_plain(after),
        client_addr=_visible(actor.client_addr, 64))
    session.info.setdefault(_PENDING, []).append(event)
    return event


@orm_event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    """Chain the transaction's events onto the head, in the order they were recorded."""
    if session.in_nested_transaction():
        return
    pending: list[AuditEvent] = session.info.pop(_PENDING, [])
    if not pending:
        return
    connection = session.connection()
    seq, last_hash = _head_locked_ahead(session) or _locked_head(connection)
    for entry in pending:
        seq, entry.seq, entry.prev_hash = seq + 1, seq + 1, last_hash
        entry.hash = last_hash = event_hash(entry)
    if connection.dialect.name == "postgresql" and len(pending) <= FOLDED_EVENTS_LIMIT:
        values = {f"{name}_{n}": getattr(entry, name) for n, entry in enumerate(pending) for name in STORED_FIELDS}
        connection.execute(_events_moving_head(len(pending)), {**values, "head_seq": seq, "head_hash": last_hash})
        return
    connection.execute(_INSERT_EVENTS, [{name: getattr(entry, name) for name in STORED_FIELDS} for entry in pending])
    connection.execute(_MOVE_HEAD, {"seq": seq, "hash": last_hash})


@functools.lru_cache(maxsize=32)
def _events_moving_head(count: int) -> TextClause:
    """INSERT `count` events WITH the head's UPDATE, built once per count.

    Written as text: SQLAlchemy compiles a multi-row insert() anew at every execution, a text once.
    """
    rows = ", ".join("(" + ", ".join(f":{name}_{n}" for name in STORED_FIELDS) + ")" for n in range(count))
    sql = (f"WITH moved_head AS (UPDATE audit_chain SET seq = :head_seq, hash = :head_hash WHERE id = 1) "  # noqa: S608
           f"INSERT INTO audit_events ({', '.join(STORED_FIELDS)}) VALUES {rows}")  # our own column names
    return text(sql).bindparams(*(bindparam(f"{name}_{n}", type_=AUDIT_EVENTS.c[name].type)
                                  for n in range(count) for name in STORED_FIELDS)).execution_options(**write_behind())


@orm_event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction: SessionTransaction) -> None:
    """A rolled-back transaction's events go with it."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_HEAD_AHEAD, None)


def lock_head_ahead(session: Session) -> None:
    """Lock the chain head now, for a use case that reads once more before it commits (a person's step).

    The read is held back like a write (write_behind): it goes with the use case's last statement, and the
    commit finds the head's seq and hash already there, without a round trip of its own. The head stays
    locked from then on, as it is from the commit's read otherwise: a use case that has more to do after
    this would keep other writers waiting, and should not call it.
    """
    if not session.in_nested_transaction():
        session.info[_HEAD_AHEAD] = read_ahead(session, _READ_HEAD, {})


def _head_locked_ahead(session: Session) -> tuple[int, str] | None:
    """The head lock_head_ahead read, once its answer has come (if it has not, the commit reads it again)."""
    answer: Answer | None = session.info.pop(_HEAD_AHEAD, None)
    if answer is None or not answer.came or answer.row is None:
        return None
    return answer.row[0], answer.row[1]


def _locked_head(connection: Connection) -> tuple[int, str]:
    """The chain head's seq and hash, locked until the transaction ends (the first event of all creates it)."""
    head = connection.execute(_READ_HEAD).first()
    if head is None and connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        head = connection.execute(_READ_HEAD).first()
    if head is None:
        connection.execute(insert(AuditChain).values(id=1, seq=0, hash=GENESIS))
        return 0, GENESIS
    return head.seq, head.hash


def _visible(text: str, limit: int | None = None) -> str:
    """Control characters written out (\\x00), so the trail shows them and any database can store them."""
    shown = CONTROL_CHARACTERS.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
    return shown[:limit] if limit else shown


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """What JSON storage gives back (string keys, lists, ISO dates), so the hash covers what is stored."""
    return None if value is None else json.loads(json.dumps(value, default=str))  # type: ignore[no-any-return]


def event_hash(event: AuditEvent) -> str:
    payload = {name: _canonical(getattr(event, name)) for name in HASHED_FIELDS}
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


# --- verification ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the chain: how many events, the head, and the first problem found."""

    events: int
    head_seq: int
    head_hash: str
    problem: str | None = None
    at_seq: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(session: Session, anchors: Mapping[int, str] | None = None) -> ChainReport:
    """Walk every event in seq order; report the first broken or missing link."""
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000))
    return _walk(events, session.get(AuditChain, 1), dict(anchors or {}))


def _walk(events: Iterable[AuditEvent], head: AuditChain | None, anchors: dict[int, str]) -> ChainReport:
    count, last_seq, last_hash = 0, 0, GENESIS
    for event in events:
        problem = _link_problem(event, last_seq, last_hash) or _anchor_problem(event, anchors)
        if problem:
            return ChainReport(count, last_seq, last_hash, problem, event.seq)
        count, last_seq, last_hash = count + 1, event.seq, event.hash
    if anchors:
        missing = min(anchors)
        return ChainReport(count, last_seq, last_hash, f"锚点 #{missing} 所指的事件不存在", missing)
    return _check_head(head, count, last_seq, last_hash)


def _check_head(head: AuditChain | None, count: int, last_seq: int, last_hash: str) -> ChainReport:
    """The head must name the last event: anything else means events were cut off or added behind duban."""
    head_seq, head_hash = (head.seq, head.hash) if head is not None else (0, GENESIS)
    if head_seq > last_seq:
        gone = f"#{last_seq + 1}" if head_seq == last_seq + 1 else f"#{last_seq + 1}–#{head_seq}"
        return ChainReport(count, last_seq, last_hash, f"缺失末尾事件 {gone}：最新的记录被删除", last_seq + 1)
    if head_seq < last_seq:
        return ChainReport(head_seq, head_seq, head_hash,
                           f"第 #{head_seq + 1} 条起的记录不是由本系统写入的（链头只记到 #{head_seq}）", head_seq + 1)
    if head_hash != last_hash:
        return ChainReport(count - 1, last_seq - 1, "", f"链头散列与第 #{last_seq} 条记录不符", last_seq)
    return ChainReport(count, last_seq, last_hash)


def _link_problem(event: AuditEvent, last_seq: int, last_hash: str) -> str | None:
    expected = last_seq + 1
    if event.seq != expected:
        gone = f"#{expected}" if event.seq == expected + 1 else f"#{expected}–#{event.seq - 1}"
        return f"缺失事件 {gone}：第 #{event.seq} 条之前的记录被删除"
    if event.prev_hash != last_hash:
        return f"链接断裂：第 #{event.seq} 条记录的前序散列与第 #{last_seq} 条不符（其前的记录被改动、删除或插入）"
    if event_hash(event) != event.hash:
        return f"第 #{event.seq} 条记录的内容已被改动（与其散列不符）"
    return None


def _anchor_problem(event: AuditEvent, anchors: dict[int, str]) -> str | None:
    expected = anchors.pop(event.seq, None)
    if expected is not None and expected.lower() != event.hash:
        return f"第 #{event.seq} 条记录与锚点散列不符：锚点之前的记录链被整体重写"
    return None


# --- browsing ----------------------------------------------------------------------------------

AUDIT_PAGE_SIZE = 50
#: the families of actions an administrator filters by (the part before the first dot)
ACTION_FAMILIES = ("login", "logout", "user", "access", "task", "work", "plan", "report", "signoff", "process",
                   "unit", "category", "system")


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""        # a family ("login") or a full action ("login.failure")
    actor: str = ""         # username or name, part of it
    task_id: int | None = None
    object: str = ""        # "user:12" or "user"
    since: date | None = None
    until: date | None = None  # inclusive, local calendar days
    q: str = ""             # words in the summary
    client_addr: str = ""
    page: int = 1

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.action:
            conditions.append(or_(AuditEvent.action == self.action, AuditEvent.action.like(f"{_like(self.action)}.%",
                                                                                          escape="\\")))
        if self.actor.strip():
            pattern = f"%{_like(self.actor.strip())}%"
            conditions.append(or_(AuditEvent.actor_username.ilike(pattern, escape="\\"),
                                  AuditEvent.actor_name.ilike(pattern, escape="\\")))
        if self.task_id:
            conditions.append(AuditEvent.task_id == self.task_id)
        if self.object.strip():
            kind, _, ident = self.object.strip().partition(":")
            conditions.append(AuditEvent.object_type == kind)
            if ident:
                conditions.append(AuditEvent.object_id == ident)
        conditions.extend(self._time_window())
        if self.q.strip():
            conditions.append(AuditEvent.summary.ilike(f"%{_like(self.q.strip())}%", escape="\\"))
        if self.client_addr.strip():
            conditions.append(AuditEvent.client_addr.like(f"{_like(self.client_addr.strip())}%", escape="\\"))
        return conditions

    def _time_window(self) -> list[ColumnElement[bool]]:
        window: list[ColumnElement[bool]] = []
        if self.since:
            window.append(AuditEvent.at >= local_midnight(self.since))
        if self.until:
            window.append(AuditEvent.at < local_midnight(self.until + timedelta(days=1)))
        return window


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int
    people: dict[int, str] = field(default_factory=dict)
    units: dict[int, str] = field(default_factory=dict)


def audit_page(session: Session, filters: AuditFilters, page_size: int = AUDIT_PAGE_SIZE) -> AuditPage:
    """The newest events first, filtered."""
    where = filters.conditions()
    total = session.scalar(select(func.count(AuditEvent.id)).where(*where)) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, filters.page), pages)
    events = list(session.scalars(select(AuditEvent).where(*where).order_by(AuditEvent.seq.desc())
                                  .offset((page - 1) * page_size).limit(page_size)))
    units = dict(session.execute(select(Unit.id, Unit.name)).all())
    return AuditPage(events, total, page, pages, units=units)  # type: ignore[arg-type]


def all_events(session: Session, filters: AuditFilters) -> Iterator[AuditEvent]:
    """Every matching event, oldest first (for export)."""
    query = select(AuditEvent).where(*filters.conditions()).order_by(AuditEvent.seq)
    yield from session.scalars(query.execution_options(yield_per=1000))


def task_history(session: Session, task_id: int) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.task_id == task_id).order_by(AuditEvent.at, AuditEvent.seq)
    return list(session.scalars(query))
