"""The use cases of accounts: logging in and out, sessions, passwords, one's own language, and the
administration of accounts (用户管理)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from engine.core.actor import SYSTEM_ROLE, Actor
from engine.core.clock import Clock, OffsetClock
from engine.core.errors import InvalidSubmission, NotFound, PermissionDenied, RateLimited
from engine.core.roles import RoleModel
from engine.core.settings import Settings
from engine.core.text import N_
from engine.features.accounts import users
from engine.features.accounts.access import Access
from engine.features.accounts.preferences import LOCALE_NAMES, LOCALES
from engine.features.accounts.refusals import count_refusal
from engine.store.audit import record
from engine.store.database import Session
from engine.store.models import AuditEvent, User
from engine.store.transactions import Transactions

log = logging.getLogger("duban.accounts")
#: lock only the row itself: PostgreSQL refuses FOR UPDATE on the outer join of an eagerly loaded relation
LOCK_USER: dict[str, Any] = {"of": User}


@dataclass(frozen=True)
class LoginResult:
    """A successful login: the account and the session token the browser keeps."""

    user: User
    token: str


class AccountUseCases:
    def __init__(self, transactions: Transactions, access: Access, clock: Clock, settings: Settings) -> None:
        self.transactions = transactions
        self.access = access
        self.roles: RoleModel = access.roles
        self.clock = clock
        self.settings = settings

    @property
    def session_clock(self) -> Clock:
        """Logins and sessions last in real time, also when the demo's business clock is moved on."""
        return self.clock.base if isinstance(self.clock, OffsetClock) else self.clock

    def login(self, username: str, password: str, client_addr: str = "") -> LoginResult | None:
        """Check a login and start a session; every attempt is audited, failures count towards a lock.

        An address that failed too often (Settings.login_failures_per_minute / _per_hour, counted in the
        audit trail, so across every worker) has its failures refused as RateLimited; a correct password
        still gets in, so one bad actor behind an office's shared address does not lock out the office.
        """
        def work(session: Session) -> LoginResult | bool:
            now = self.session_clock.now()
            outcome = users.authenticate(session, username, password, now, self.settings)
            if outcome.ok and outcome.user is not None:
                token = users.start_session(session, outcome.user, now, client_addr)
                record(session, actor_for(outcome.user, client_addr), self.clock.now(), "login.success",
                       ("user", outcome.user.id), "登录成功")
                return LoginResult(outcome.user, token)
            self._audit_failed_login(session, outcome, username, client_addr)
            return self._address_limited(session, client_addr)

        result = self.transactions.run(work)
        if result is True:
            raise RateLimited(N_("尝试次数过多，请稍后再试。"))
        return result or None

    def _address_limited(self, session: Session, client_addr: str) -> bool:
        """Whether the address had already failed as often as the limits allow (this failure is not yet written:
        audit events join the trail at the commit)."""
        if not client_addr:
            return False
        now = self.clock.now()
        return (self._failures_since(session, client_addr, now - timedelta(minutes=1))
                >= self.settings.login_failures_per_minute
                or self._failures_since(session, client_addr, now - timedelta(hours=1))
                >= self.settings.login_failures_per_hour)

    @staticmethod
    def _failures_since(session: Session, client_addr: str, since: datetime) -> int:
        return session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "login.failure", AuditEvent.at > since,
            AuditEvent.client_addr == client_addr)) or 0

    def _audit_failed_login(self, session: Session, outcome: users.LoginOutcome, username: str,
                            client_addr: str) -> None:
        now, user = self.clock.now(), outcome.user
        attempt = Actor(None, username[:64], username[:64], "", None, client_addr)
        target = ("user", user.id if user else username[:64])
        record(session, attempt, now, "login.failure", target, f"登录失败：{users.FAILURE_REASONS[outcome.reason]}")
        if outcome.just_locked:
            minutes = self.settings.lockout_minutes
            until = f"{minutes} 分钟内" if minutes else "直至管理员解锁"
            record(session, attempt, now, "user.locked", target,
                   f"连续 {self.settings.login_max_failures} 次登录失败，账户锁定（{until}）")

    def resume_session(self, token: str) -> User | None:
        """The account behind a browser's session token, or None once the session is over."""
        now = self.session_clock.now()
        row = self.transactions.read(lambda s: users.live_session(s, token, now, self.settings))
        if row is None:
            return None
        if now - row.last_seen_at >= users.SESSION_TOUCH:
            self.transactions.run(lambda s: users.touch_session(s, row.id, now))
        return row.user

    def logout(self, actor: Actor, token: str) -> None:
        def work(session: Session) -> None:
            if users.end_session(session, token, self.clock.now(), "logout") is not None:
                record(session, actor, self.clock.now(), "logout", ("user", actor.user_id), "退出登录")
        self.transactions.run(work)

    def change_password(self, actor: Actor, token: str, current: str, new: str) -> None:
        """A person replaces their own password; their other sessions end."""
        def work(session: Session) -> None:
            user = session.get_one(User, actor.user_id, with_for_update=LOCK_USER)
            if not users.verify_hash(user.password_hash, current[:users.MAX_PASSWORD_LENGTH]):
                raise InvalidSubmission({"current": [N_("当前密码不正确")]})
            if current == new:
                raise InvalidSubmission({"password": [N_("新密码不能与当前密码相同")]})
            users.set_password(user, new, self.clock.now(), must_change=False)
            ended = users.end_sessions(session, user.id, self.clock.now(), "password_changed", keep=token)
            record(session, actor, self.clock.now(), "user.password_changed", ("user", user.id),
                   "修改本人密码" + (f"，结束其他 {ended} 个会话" if ended else ""))
        self.transactions.run(work)

    # --- accounts (user.manage) ----------------------------------------------------------------

    def create_user(self, actor: Actor, **fields: Any) -> int:
        self.access.require(actor, "user.manage")

        def work(session: Session) -> int:
            user = users.create_user(session, self.roles, self.clock.now(), **fields)
            record(session, actor, self.clock.now(), "user.created", ("user", user.id),
                   f"创建用户 {user.username}（{self.roles.role_name(user.role)}）", after=users.profile(user))
            return user.id

        return self.transactions.run(work)

    def update_user(self, actor: Actor, user_id: int, *, display_name: str, title: str, role: str,
                    unit_code: str | None) -> None:
        """Change a person's name, post, role or unit (a role change takes effect at their next request)."""
        self.access.require(actor, "user.manage")

        def work(session: Session) -> None:
            user = self._managed_user(session, actor, user_id, changing_role=role)
            errors = users.check_profile(session, self.roles, display_name=display_name, role=role,
                                         unit_code=unit_code, title=title)
            if errors:
                raise InvalidSubmission(errors)
            before = users.profile(user)
            users.apply_profile(session, user, display_name=display_name, title=title, role=role,
                                unit_code=unit_code)
            if users.profile(user) == before:
                return
            record(session, actor, self.clock.now(), "user.updated", ("user", user.id),
                   f"修改用户 {user.username}", before=before, after=users.profile(user))

        self.transactions.run(work)

    def set_user_active(self, actor: Actor, user_id: int, active: bool) -> None:
        """停用 / 启用 an account; deactivating ends its sessions at once."""
        self.access.require(actor, "user.manage")

        def work(session: Session) -> None:
            user = self._managed_user(session, actor, user_id, changing_role=None if active else "")
            if user.active == active:
                return
            user.active = active
            ended = 0 if active else users.end_sessions(session, user.id, self.clock.now(), "deactivated")
            record(session, actor, self.clock.now(), "user.activated" if active else "user.deactivated",
                   ("user", user.id), f"{'启用' if active else '停用'}用户 {user.username}"
                   + (f"，结束 {ended} 个会话" if ended else ""),
                   before={"active": not active}, after={"active": active})

        self.transactions.run(work)

    def unlock_user(self, actor: Actor, user_id: int) -> None:
        self.access.require(actor, "user.manage")

        def work(session: Session) -> None:
            user = session.get(User, user_id, with_for_update=LOCK_USER)
            if user is None:
                raise NotFound("没有这个用户")
            before = {"failed_logins": user.failed_logins, "locked": user.locked_at is not None}
            users.unlock(user)
            record(session, actor, self.clock.now(), "user.unlocked", ("user", user.id),
                   f"解锁用户 {user.username}", before=before, after={"failed_logins": 0, "locked": False})

        self.transactions.run(work)

    def reset_password(self, actor: Actor, user_id: int) -> str:
        """Give an account a temporary password (shown once); it must be changed at the next login."""
        self.access.require(actor, "user.manage")
        temporary = users.temporary_password()

        def work(session: Session) -> None:
            user = self._managed_user(session, actor, user_id, changing_role=None)
            users.set_password(user, temporary, self.clock.now(), must_change=True)
            users.unlock(user)
            ended = users.end_sessions(session, user.id, self.clock.now(), "password_reset")
            record(session, actor, self.clock.now(), "user.password_reset", ("user", user.id),
                   f"重置用户 {user.username} 的密码" + (f"，结束 {ended} 个会话" if ended else ""))

        self.transactions.run(work)
        return temporary

    def _managed_user(self, session: Session, actor: Actor, user_id: int, changing_role: str | None) -> User:
        """The account an administrator acts on; nobody changes or disables their own, or the last admin."""
        user = session.get(User, user_id, with_for_update=LOCK_USER)
        if user is None:
            raise NotFound("没有这个用户")
        if user.id == actor.user_id:
            raise PermissionDenied("不能在用户管理中修改、停用或重置自己的账户")
        if changing_role is not None and self.roles.allows(user.role, "user.manage") \
                and not self.roles.allows(changing_role, "user.manage") \
                and users.active_managers(session, self.roles) <= 1:
            raise PermissionDenied("这是最后一个可用的管理员账户，不能停用或改为其他角色")
        return user

    def user(self, user_id: int) -> User | None:
        return self.transactions.read(lambda s: s.get(User, user_id))

    def user_id(self, username: str) -> int | None:
        return self.transactions.read(lambda s: s.scalar(select(User.id).where(User.username == username)))

    def list_users(self, actor: Actor, filters: users.UserFilters) -> users.UserPage:
        self.access.require(actor, "user.manage")
        now = self.clock.now()
        return self.transactions.read(lambda s: users.user_page(s, filters, now, self.settings))

    def unit_choices(self) -> list[tuple[str, str]]:
        return [(unit.code, unit.name) for unit in self.roles.units]

    def set_locale(self, actor: Actor, locale: str) -> None:
        """A person's own language, kept on their account for every later login (audited)."""
        if locale not in LOCALES:
            raise InvalidSubmission({"locale": [f"不支持的语言：{locale[:16]}"]})

        def work(session: Session) -> None:
            user = session.get_one(User, actor.user_id)
            before = user.locale
            if before == locale:
                return
            user.locale = locale
            record(session, actor, self.clock.now(), "user.locale_changed", ("user", user.id),
                   f"界面语言改为 {LOCALE_NAMES[locale]}", before={"locale": before}, after={"locale": locale})

        self.transactions.run(work)

    def refuse(self, actor: Actor, route: str, reason: str) -> None:
        """Record a refused attempt (wrong role, other unit's task) in the audit trail: once per person, route
        and minute, so that a flood of refusals stays visible without flooding the trail; and count every one."""
        def work(session: Session) -> None:
            now = self.clock.now()
            count_refusal(session, actor, route, now)
            minute = now.replace(second=0, microsecond=0)
            recorded = session.scalar(select(AuditEvent.id).where(
                AuditEvent.action == "access.refused", AuditEvent.at >= minute, AuditEvent.object_type == "route",
                AuditEvent.object_id == route[:64], AuditEvent.actor_username == actor.username[:64]).limit(1))
            if recorded is None:
                record(session, actor, now, "access.refused", ("route", route), reason)
            else:
                log.warning("refused again within the minute: %s on %s (%s)", actor.username, route, reason)
        self.transactions.run(work)

    def command_line_actor(self, username: str | None = None) -> Actor:
        """Who the `duban` command acts as: a named account (its permissions and scope), or the operator."""
        if not username:
            return Actor(None, "cli", "命令行", SYSTEM_ROLE, None)
        user = self.transactions.read(
            lambda s: s.scalar(select(User).where(User.username == username, User.active.is_(True))))
        if user is None:
            raise NotFound(f"没有用户 {username}")
        return Actor(user.id, user.username, user.display_name, user.role, user.unit_id)


def actor_for(user: User, client_addr: str = "") -> Actor:
    return Actor(user.id, user.username, user.display_name, user.role, user.unit_id, client_addr)
