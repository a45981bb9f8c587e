"""Units, people, their login sessions, and small named settings."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.models.base import Base


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    #: consecutive failed logins; reset by a successful one or an unlock
    failed_logins: Mapped[int] = mapped_column(default=0)
    #: set when failed_logins reached the limit; the account refuses logins until it expires or is unlocked
    locked_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    #: set when an administrator chose the password: the person must choose their own before working
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the language the person chose for the web pages (e.g. "en"); None: the site's default
    locale: Mapped[str | None] = mapped_column(String(16))

    unit: Mapped[Unit | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginSession(Base):
    """One login: the browser holds a random token, the database its hash, so logout really ends it."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str] = mapped_column(String(32), default="")
    client_addr: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship(lazy="joined")


class Setting(Base):
    """Small named values the program keeps between runs (e.g. the demo clock offset)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AccessRefusal(Base):
    """How many times one person was refused one route on one (local) day. The first refusal of each minute is an
    audit event; every refusal is counted here, so that a flood stays visible without flooding the trail."""

    __tablename__ = "access_refusals"
    __table_args__ = (UniqueConstraint("day", "actor_username", "route", name="ux_access_refusals_day_actor_route"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    actor_username: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(100))
    route: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(default=1)
    last_at: Mapped[datetime]
