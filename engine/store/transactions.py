"""One use case, one transaction: the rule every use case of the façade runs under."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from engine.core.errors import Busy, Conflict, Unanswered
from engine.core.text import N_
from engine.store.database import CommitUnanswered, Database, Session

T = TypeVar("T")
log = logging.getLogger("duban.store")

#: PostgreSQL's "could not serialize access" and "deadlock detected": the transaction may simply run again
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
UNANSWERED = N_("数据库没有应答，无法确认这一步是否已经记录：请刷新页面查看，若未记录再重新提交")


def lost_connection(exc: BaseException) -> bool:
    """The connection broke (the server ended it, a fail-over, the network): a fresh one may well work."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def transient(exc: BaseException) -> bool:
    """A failure of the moment, not of the work: a lost connection, a serialization failure or a deadlock, an
    unanswered commit (the next attempt finds the work done, or does it)."""
    if isinstance(exc, CommitUnanswered | Unanswered) or lost_connection(exc):
        return True
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


class Transactions:
    """Runs a use case's work in a transaction of its own: all of it is committed, or none of it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def run(self, work: Callable[[Session], T]) -> T:
        """A use case that writes. A concurrent change to the same instance becomes a Conflict, a database that
        stays locked a Busy: both say what the person can do, where the driver's error would not.

        A connection lost, or a serialization failure, before the commit is sent: the work runs once more, on a
        fresh connection. A connection lost at the commit becomes Unanswered: the person looks before retrying.
        """
        try:
            return self._attempt(work)
        except DBAPIError as exc:
            if not transient(exc):
                _refuse(exc)
                raise
            log.warning("a use case met a transient database failure, running it once more: %s", exc.orig)
        try:
            return self._attempt(work)
        except DBAPIError as exc:
            _refuse(exc)
            raise

    def _attempt(self, work: Callable[[Session], T]) -> T:
        try:
            with self.db.transaction() as session:
                return work(session)
        except StaleDataError:
            raise Conflict("这项工作刚被其他人处理，请刷新后查看") from None
        except CommitUnanswered:
            raise Unanswered(UNANSWERED) from None

    def read(self, work: Callable[[Session], T]) -> T:
        """A use case that only reads; on a connection lost meanwhile, once more on a fresh one."""
        try:
            with self.db.transaction(write=False) as session:
                return work(session)
        except DBAPIError as exc:
            if not lost_connection(exc):
                raise
        with self.db.transaction(write=False) as session:
            return work(session)

    def aside(self, work: Callable[[Session], object]) -> None:
        """A small write of its own while a long use case runs (how far it got), committed at once where the database
        lets two transactions write together (PostgreSQL); on SQLite, whose one writer is that use case, nothing."""
        if not self.db.is_sqlite:
            with self.db.transaction() as session:
                work(session)

    def stream(self, work: Callable[[Session], Iterator[T]]) -> Iterator[T]:
        """A use case that reads more than fits in memory, row by row, within one transaction."""
        with self.db.transaction(write=False) as session:
            yield from work(session)


def _refuse(exc: DBAPIError) -> None:
    """What the person is told when the database failed for good: busy, or not answering."""
    if lost_connection(exc):
        raise Unanswered(UNANSWERED) from None
    text = str(exc).lower()
    if isinstance(exc, OperationalError) and ("locked" in text or "could not serialize" in text):
        raise Busy("系统繁忙，请稍后重试") from None
