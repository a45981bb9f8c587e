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

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, insert, select, text, update

from engine.core.actor import Actor
from engine.core.text import CONTROL_CHARACTERS
from engine.store.models import AuditChain, AuditEvent
from engine.store.state import images_of

if TYPE_CHECKING:
    from engine.store.database import Session

GENESIS = "0" * 64
#: the fields a hash covers, in the canonical JSON's key order
HASHED_FIELDS = ("seq", "at", "actor_id", "actor_username", "actor_name", "role", "unit_id", "action",
                 "object_type", "object_id", "task_id", "summary", "before", "after", "client_addr", "prev_hash")
#: the columns an event is written with (its id is the database's)
STORED_FIELDS = (*HASHED_FIELDS, "state", "hash")
#: pg_advisory_xact_lock key for the first append of all, while no head exists yet ("duban audit" as an integer)
ADVISORY_LOCK_KEY = 0x6475_6261_6E41_7564 & 0x7FFF_FFFF_FFFF_FFFF


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
    session.audit_events.append(event)
    return event


def append_to_chain(session: Session) -> None:
    """Chain the transaction's events onto the head, in the order they were recorded, and write them: the last
    thing a transaction does before it commits, so that the head stays locked only while committing."""
    if not session.audit_events:
        return
    session.flush()  # every row written, so that the last event holds their after-images
    pending, session.audit_events = session.audit_events, []
    pending[-1].state = images_of(session.written_rows.values(), session.deleted_rows)
    seq, last_hash = _locked_head(session)
    for entry in pending:
        seq, entry.seq, entry.prev_hash = seq + 1, seq + 1, last_hash
        entry.hash = last_hash = event_hash(entry)
    # nothing reads the events back in this transaction: one multi-row INSERT, then the head moves
    session.execute(insert(AuditEvent), [{name: getattr(entry, name) for name in STORED_FIELDS} for entry in pending])
    session.execute(_MOVE_HEAD, {"seq": seq, "hash": last_hash})


def _locked_head(session: Session) -> tuple[int, str]:
    """The chain head's seq and hash, locked until the transaction ends (the first event of all creates it)."""
    head = session.execute(_READ_HEAD).first()
    if head is None and session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        head = session.execute(_READ_HEAD).first()
    if head is None:
        session.execute(insert(AuditChain).values(id=1, seq=0, hash=GENESIS))
        return 0, GENESIS
    return head.seq, head.hash


_READ_HEAD = select(AuditChain.seq, AuditChain.hash).where(AuditChain.id == 1).with_for_update()
_MOVE_HEAD = update(AuditChain).where(AuditChain.id == 1).values(seq=bindparam("seq"), hash=bindparam("hash"))


def _visible(text: str, limit: int | None = None) -> str:
    """Control characters written out (\\x00), so the trail shows them and any database can store them."""
    shown = CONTROL_CHARACTERS.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
    return shown[:limit] if limit else shown


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """What JSON storage gives back (string keys, lists, ISO dates), so the hash covers what is stored."""
    return None if value is None else json.loads(json.dumps(value, default=str))  # type: ignore[no-any-return]


def event_hash(event: AuditEvent) -> str:
    """The hash covers the after-images of the rows written (`state`) only where there are some: events
    recorded before they were kept hash as they always did."""
    payload = {name: _canonical(getattr(event, name)) for name in HASHED_FIELDS}
    if event.state is not None:
        payload["state"] = event.state
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


def head_before(session: Session, instant: datetime) -> tuple[int, str]:
    """The chain's head as it stood at `instant`: the seq (the number of events) and hash of the last event
    recorded before it."""
    row = session.execute(select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.at < instant)
                          .order_by(AuditEvent.seq.desc()).limit(1)).first()
    return (row.seq, row.hash) if row is not None else (0, GENESIS)


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
