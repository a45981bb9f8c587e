"""The use cases of public disclosure: the public pages (no login), objections to a sign-off notice, and the
progress summaries the publicity group approves for them."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ, local_today
from engine.core.settings import Settings
from engine.core.statuses import TaskStatus
from engine.core.uploads import Upload
from engine.features.accounts.access import Access
from engine.features.public import disclosure, objections, progress_queue
from engine.store.audit import head_before
from engine.store.files import FileStore
from engine.store.models import ProgressReport
from engine.store.transactions import Transactions
from engine.workflow.instances import Processes


@dataclass(frozen=True)
class PublishedHead:
    """The audit chain's head at the end of a day: an outsider who notes it can later show that the history up
    to then was not rewritten (`duban audit verify --anchor SEQ:HASH`)."""

    day: date
    events: int
    hash: str


class PublicUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access, settings: Settings,
                 files: FileStore) -> None:
        self.transactions = transactions
        self.access = access
        self.settings = settings
        self.files = files
        self.clock = processes.runtime.clock

    def tasks(self, page: int = 1, status: TaskStatus | None = None,
              round_id: int | None = None) -> tuple[list[disclosure.PublicTask], int]:
        """The tasks' public fields, a page at a time, of one round or (round_id None) of every round."""
        return self.transactions.read(lambda s: disclosure.public_tasks(s, page, status, round_id))

    def task(self, task_id: int) -> disclosure.PublicTaskPage:
        return self.transactions.read(lambda s: disclosure.public_task(s, task_id))

    def open_notices(self, round_id: int | None = None) -> list[disclosure.PublicNotice]:
        return self.transactions.read(lambda s: disclosure.open_notices(s, local_today(self.clock), round_id))

    def notice(self, notice_id: int) -> disclosure.PublicNotice:
        return self.transactions.read(
            lambda s: disclosure.notice_for_objection(s, notice_id, local_today(self.clock)))

    def audit_head(self) -> PublishedHead:
        """Published once a day: the head as it stood at the end of yesterday (it does not change until tomorrow)."""
        today = local_today(self.clock)
        yesterday = date.fromordinal(today.toordinal() - 1)
        seq, digest = self.transactions.read(lambda s: head_before(s, datetime.combine(today, time(), LOCAL_TZ)))
        return PublishedHead(yesterday, seq, digest)

    def file_objection(self, notice_id: int, data: dict[str, Any], client_addr: str,
                       photos: Sequence[Upload] = ()) -> str:
        """Anyone, no login: an objection to a sign-off notice while it is up, with a few photos.
        Returns the tracking code the person looks the answer up with."""
        visitor = Actor(None, "public", "公众", "public", None, client_addr)
        checked = self.files.check(list(photos), "photos", disclosure.OBJECTION_PHOTOS)
        writer = self.files.writer()
        try:
            return self.transactions.run(lambda s: disclosure.file_objection(
                s, notice_id, data, visitor, self.clock.now(), local_today(self.clock),
                self.settings, checked, writer).tracking_code or "")
        except BaseException:
            writer.discard_new()
            raise

    def objection(self, tracking_code: str) -> objections.PublicObjection:
        """Anyone with the tracking code: the objection and, once given, its answer."""
        return self.transactions.read(lambda s: objections.objection_by_code(s, tracking_code))

    def reports_to_publish(self, actor: Actor) -> list[ProgressReport]:
        self.access.require(actor, "progress.publish")
        return self.transactions.read(disclosure.reports_to_publish)

    def publish_queue(self, actor: Actor, filters: progress_queue.QueueFilters) -> progress_queue.PublishQueue:
        """The 公开整改进展 queue, a page at a time."""
        self.access.require(actor, "progress.publish")
        return self.transactions.read(lambda s: progress_queue.publish_queue(s, filters))

    def count_to_publish(self, actor: Actor) -> int:
        """How many accepted reports wait for a public summary (counted in the publicity group's inbox)."""
        self.access.require(actor, "progress.publish")
        return self.transactions.read(progress_queue.count_to_publish)

    def publish_summary(self, actor: Actor, report_id: int, text: str) -> None:
        self.access.require(actor, "progress.publish")
        self.transactions.run(lambda s: disclosure.publish_summary(s, actor, self.clock.now(), report_id, text))
