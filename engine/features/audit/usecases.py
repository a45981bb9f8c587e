"""The use cases of the audit trail: browse it, export it, verify its hash chain and the stored evidence files."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select

from engine.core.actor import Actor
from engine.features.accounts.access import Access
from engine.features.accounts.refusals import refusal_counts
from engine.features.audit import trail
from engine.store import audit, state
from engine.store.files import FileState, FileStore
from engine.store.models import AccessRefusal, Attachment, AuditEvent
from engine.store.transactions import Transactions


class AuditUseCases:
    def __init__(self, transactions: Transactions, access: Access, files: FileStore) -> None:
        self.transactions = transactions
        self.access = access
        self.files = files

    def trail(self, actor: Actor, filters: trail.AuditFilters) -> trail.AuditPage:
        self.access.require(actor, "audit.view")
        return self.transactions.read(lambda s: trail.audit_page(s, filters))

    def events(self, actor: Actor, filters: trail.AuditFilters) -> Iterator[AuditEvent]:
        """Every matching event, oldest first (for export)."""
        self.access.require(actor, "audit.view")
        return self.transactions.stream(lambda s: trail.all_events(s, filters))

    def refusals(self, actor: Actor, since: date, until: date) -> list[AccessRefusal]:
        """Refused requests per person, route and day (every one, where the trail holds one per minute)."""
        self.access.require(actor, "audit.view")
        return self.transactions.read(lambda s: refusal_counts(s, since, until))

    def verify(self, actor: Actor, anchors: dict[int, str] | None = None) -> audit.ChainReport:
        self.access.require(actor, "audit.view")
        return self.transactions.read(lambda s: audit.verify_chain(s, anchors))

    def verify_files(self, actor: Actor) -> tuple[int, list[tuple[Attachment, FileState]]]:
        """How many attached files there are, and each one missing from the store or whose bytes changed."""
        self.access.require(actor, "audit.view")
        files = self.transactions.read(lambda s: list(s.scalars(select(Attachment).order_by(Attachment.id))))
        states = ((file, self.files.state(file.sha256)) for file in files)
        return len(files), [(file, state) for file, state in states if state is not FileState.INTACT]

    def verify_state(self, actor: Actor) -> state.StateReport:
        """Every business row against the last after-image the trail holds of it: what was changed outside duban."""
        self.access.require(actor, "audit.view")
        return self.transactions.read(state.check_state)
