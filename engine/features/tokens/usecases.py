"""The use cases of personal access tokens: made, listed and revoked by their person; issued by an administrator
(or the operator's command line); and the API's question, whose request a secret stands for."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.clock import Clock, OffsetClock
from engine.core.errors import NotFound
from engine.core.fields import clean
from engine.core.settings import Settings
from engine.core.text import N_
from engine.features.accounts import users
from engine.features.accounts.access import Access
from engine.features.accounts.usecases import actor_for
from engine.features.tokens import keys
from engine.features.tokens.forms import TOKEN_FIELDS, WRITE
from engine.store.audit import record
from engine.store.database import Session
from engine.store.models import ApiToken, User
from engine.store.transactions import Transactions

#: last_used_at is written at most this often per token, so that reading the API is not a write per request
USE_TOUCH = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """A token just made: its secret is here and nowhere else, ever."""

    id: int
    secret: str
    prefix: str
    scope: str


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    live: bool


@dataclass(frozen=True)
class TokenHolder:
    """Who a request with a live token acts as, and what the token lets it do."""

    actor: Actor
    user: User
    token_id: int
    scope: str

    @property
    def may_write(self) -> bool:
        return self.scope == WRITE


class TokenUseCases:
    def __init__(self, transactions: Transactions, access: Access, clock: Clock, settings: Settings) -> None:
        self.transactions, self.access, self.clock, self.settings = transactions, access, clock, settings

    @property
    def real_clock(self) -> Clock:
        """Tokens expire in real time, like logins, also when the demo's business clock is moved on."""
        return self.clock.base if isinstance(self.clock, OffsetClock) else self.clock

    def create(self, actor: Actor, data: dict[str, Any]) -> IssuedToken:
        """A person makes a token for themselves (it can do no more than they can)."""
        return self._issue(actor, data, lambda session: session.get_one(User, actor.user_id))

    def issue(self, actor: Actor, username: str, data: dict[str, Any]) -> IssuedToken:
        """An administrator (or the operator's command line) makes a token for a person."""
        self.access.require(actor, "user.manage")

        def person(session: Session) -> User:
            user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
            if user is None:
                raise NotFound(N_("没有这个用户：%(username)s", username=username[:64]))
            return user

        return self._issue(actor, data, person)

    def _issue(self, actor: Actor, data: dict[str, Any], person: Callable[[Session], User]) -> IssuedToken:
        cleaned = clean(TOKEN_FIELDS, data)
        secret, now = keys.new_secret(), self.real_clock.now()

        def work(session: Session) -> IssuedToken:
            user, days = person(session), cleaned["expires_days"]
            token = ApiToken(user_id=user.id, name=cleaned["name"], prefix=keys.shown_prefix(secret),
                             token_hash=keys.token_hash(secret), scope=cleaned["scope"], created_at=now,
                             created_by_id=actor.user_id, expires_at=now + timedelta(days=days) if days else None)
            session.add(token)
            session.flush()
            record(session, actor, self.clock.now(), "token.created", ("user", user.id),
                   f"为 {user.username} 创建访问令牌 {token.prefix}…（{token.name}，{token.scope}）",
                   after=_summary(token))
            return IssuedToken(token.id, secret, token.prefix, token.scope)

        return self.transactions.run(work)

    def mine(self, actor: Actor) -> list[TokenRow]:
        now = self.real_clock.now()
        return self.transactions.read(lambda s: [_row(token, now) for token in s.scalars(
            select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id.desc()))])

    def revoke(self, actor: Actor, token_id: int) -> None:
        """A person ends one of their own tokens at once; someone else's is not found."""
        def work(session: Session) -> None:
            token = session.get(ApiToken, token_id, with_for_update={"of": ApiToken})
            if token is None or token.user_id != actor.user_id:
                raise NotFound(N_("没有找到这个访问令牌"))
            if token.revoked_at is not None:
                return
            before = _summary(token)
            token.revoked_at = self.real_clock.now()
            record(session, actor, self.clock.now(), "token.revoked", ("user", token.user_id),
                   f"撤销访问令牌 {token.prefix}…（{token.name}）", before=before, after=_summary(token))

        self.transactions.run(work)

    def holder(self, secret: str, client_addr: str = "") -> TokenHolder | None:
        """Whom a request's secret stands for: None for an unknown, revoked or expired token, or an account that
        may not log in (deactivated, locked)."""
        if not keys.looks_like_token(secret):
            return None
        now = self.real_clock.now()
        token = self.transactions.read(lambda s: s.scalar(
            select(ApiToken).where(ApiToken.token_hash == keys.token_hash(secret))))
        if token is None or not token.is_live(now) or not token.user.active \
                or users.is_locked(token.user, now, self.settings):
            return None
        if token.last_used_at is None or now - token.last_used_at >= USE_TOUCH:
            self.transactions.run(lambda s: _touch(s, token.id, now))
        return TokenHolder(actor_for(token.user, client_addr), token.user, token.id, token.scope)


def _touch(session: Session, token_id: int, now: datetime) -> None:
    session.get_one(ApiToken, token_id).last_used_at = now


def _row(token: ApiToken, now: datetime) -> TokenRow:
    return TokenRow(token.id, token.name, token.prefix, token.scope, token.created_at, token.expires_at,
                    token.last_used_at, token.revoked_at, token.is_live(now))


def _summary(token: ApiToken) -> dict[str, Any]:
    return {"name": token.name, "prefix": token.prefix, "scope": token.scope,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
            "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None}
