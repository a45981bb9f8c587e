"""The use cases of the audit trail: browse it, export it, verify its hash chain."""
from __future__ import annotations

from collections.abc import Iterator

from engine.core.actor import Actor
from engine.features.accounts.access import Access
from engine.features.audit import trail
from engine.store import audit
from engine.store.models import AuditEvent
from engine.store.transactions import Transactions


class AuditUseCases:
    def __init__(self, transactions: Transactions, access: Access) -> None:
        self.transactions = transactions
        self.access = access

    def trail(self, actor: Actor, filters: trail.AuditFilters) -> trail.AuditPage:
        self.access.require(actor, "audit.view")
        return self.transactions.read(lambda s: trail.audit_page(s, filters))

    def events(self, actor: Actor, filters: trail.AuditFilters) -> Iterator[AuditEvent]:
        """Every matching event, oldest first (for export)."""
        self.access.require(actor, "audit.view")
        return self.transactions.stream(lambda s: trail.all_events(s, filters))

    def verify(self, actor: Actor, anchors: dict[int, str] | None = None) -> audit.ChainReport:
        self.access.require(actor, "audit.view")
        return self.transactions.read(lambda s: audit.verify_chain(s, anchors))
