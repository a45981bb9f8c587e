"""Personal access tokens: the secret shown once and kept only as a hash, its person's own to list and revoke, an
administrator's to issue, and nothing once revoked or expired."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from engine.app import Duban
from engine.core.errors import InvalidSubmission, NotFound, PermissionDenied
from engine.store.models import ApiToken, AuditEvent
from tests.factories import World

READ = {"name": "数据大屏", "scope": "read"}


def test_the_secret_is_kept_only_as_its_hash(duban: Duban, world: World) -> None:
    issued = duban.tokens.create(world["staff"], READ)
    with duban.db.transaction(write=False) as session:
        row = session.scalars(select(ApiToken)).one()
        audited = session.scalars(select(AuditEvent).where(AuditEvent.action == "token.created")).one()
    assert row.token_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in (row.prefix, row.name, row.token_hash, audited.summary, str(audited.after))
    assert issued.secret.startswith(row.prefix) and len(row.prefix) < len(issued.secret) // 3
    assert audited.actor_username == "staff" and row.prefix in audited.summary


def test_a_token_stands_for_its_person_with_their_role_and_unit(duban: Duban, world: World) -> None:
    issued = duban.tokens.create(world["staff"], READ)
    holder = duban.tokens.holder(issued.secret, "10.0.0.8")
    assert holder is not None and not holder.may_write
    assert (holder.actor.username, holder.actor.role, holder.actor.unit_id, holder.actor.client_addr) == (
        "staff", "unit_staff", world.units["jiangyang"], "10.0.0.8")
    assert duban.tokens.holder(issued.secret[:-1] + "x") is None
    assert duban.tokens.holder("not-a-token") is None


def test_use_is_noted_at_most_once_a_minute(duban: Duban, world: World) -> None:
    issued = duban.tokens.create(world["staff"], READ)
    duban.tokens.holder(issued.secret)
    first = duban.tokens.mine(world["staff"])[0].last_used_at
    world.duban.clock.advance(seconds=30)  # type: ignore[attr-defined]
    duban.tokens.holder(issued.secret)
    assert duban.tokens.mine(world["staff"])[0].last_used_at == first
    world.duban.clock.advance(seconds=31)  # type: ignore[attr-defined]
    duban.tokens.holder(issued.secret)
    assert duban.tokens.mine(world["staff"])[0].last_used_at > first  # type: ignore[operator]


def test_revoked_and_expired_tokens_stand_for_nobody(duban: Duban, world: World) -> None:
    revoked = duban.tokens.create(world["staff"], {**READ, "scope": "write"})
    expiring = duban.tokens.create(world["staff"], {**READ, "expires_days": 7})
    duban.tokens.revoke(world["staff"], revoked.id)
    duban.tokens.revoke(world["staff"], revoked.id)  # again: nothing more happens
    assert duban.tokens.holder(revoked.secret) is None
    assert duban.tokens.holder(expiring.secret) is not None
    world.duban.clock.advance(days=7)  # type: ignore[attr-defined]
    assert duban.tokens.holder(expiring.secret) is None
    listed = {row.id: row for row in duban.tokens.mine(world["staff"])}
    assert not listed[revoked.id].live and listed[revoked.id].revoked_at is not None
    assert not listed[expiring.id].live and listed[expiring.id].revoked_at is None
    with duban.db.transaction(write=False) as session:
        assert session.scalars(select(AuditEvent.action).where(AuditEvent.action == "token.revoked")).all() == [
            "token.revoked"]


def test_a_person_lists_and_revokes_only_their_own(duban: Duban, world: World) -> None:
    ours = duban.tokens.create(world["staff"], READ)
    duban.tokens.create(world["head"], READ)
    assert [row.id for row in duban.tokens.mine(world["staff"])] == [ours.id]
    with pytest.raises(NotFound):
        duban.tokens.revoke(world["head"], ours.id)
    assert duban.tokens.holder(ours.secret) is not None


def test_an_administrator_issues_a_token_for_a_person(duban: Duban, world: World) -> None:
    issued = duban.tokens.issue(world["admin"], "supervisor", {"name": "省级平台", "scope": "write"})
    holder = duban.tokens.holder(issued.secret)
    assert holder is not None and holder.actor.username == "supervisor" and holder.may_write
    with pytest.raises(PermissionDenied):
        duban.tokens.issue(world["coordinator"], "supervisor", READ)
    with pytest.raises(NotFound):
        duban.tokens.issue(world["admin"], "nobody", READ)


def test_what_a_token_is_made_with_is_checked(duban: Duban, world: World) -> None:
    with pytest.raises(InvalidSubmission) as refused:
        duban.tokens.create(world["staff"], {"name": " ", "scope": "admin", "expires_days": 0})
    assert set(refused.value.errors) == {"name", "scope", "expires_days"}
    with duban.db.transaction(write=False) as session:
        assert session.scalars(select(ApiToken)).all() == []


def test_a_locked_or_deactivated_account_s_tokens_stand_for_nobody(duban: Duban, world: World) -> None:
    issued = duban.tokens.create(world["staff"], READ)
    duban.accounts.set_user_active(world["admin"], world["staff"].user_id, False)
    assert duban.tokens.holder(issued.secret) is None
    duban.accounts.set_user_active(world["admin"], world["staff"].user_id, True)
    assert duban.tokens.holder(issued.secret) is not None
