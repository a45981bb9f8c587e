"""One use case, one transaction: the rule every use case of the façade runs under."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from engine.core.errors import Busy, Conflict
from engine.store.database import Database, Session

T = TypeVar("T")


class Transactions:
    """Runs a use case's work in a transaction of its own: all of it is committed, or none of it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def run(self, work: Callable[[Session], T]) -> T:
        """A use case that writes. A concurrent change to the same instance becomes a Conflict, a database that
        stays locked a Busy: both say what the person can do, where the driver's error would not."""
        try:
            with self.db.transaction() as session:
                return work(session)
        except StaleDataError:
            raise Conflict("这项工作刚被其他人处理，请刷新后查看") from None
        except OperationalError as exc:
            if "locked" in str(exc).lower() or "could not serialize" in str(exc).lower():
                raise Busy("系统繁忙，请稍后重试") from None
            raise

    def read(self, work: Callable[[Session], T]) -> T:
        """A use case that only reads."""
        with self.db.transaction(write=False) as session:
            return work(session)

    def stream(self, work: Callable[[Session], Iterator[T]]) -> Iterator[T]:
        """A use case that reads more than fits in memory, row by row, within one transaction."""
        with self.db.transaction(write=False) as session:
            yield from work(session)
