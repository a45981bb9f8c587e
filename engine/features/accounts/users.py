"""Accounts: argon2id password hashes, the password policy, lockout and login sessions.

argon2id is memory-hard (argon2-cffi's defaults: 64 MiB, 3 passes, 4 lanes). A failed login
counts against the account in the database, so the lockout holds across web workers.
A login session is a random token in the browser's cookie and its sha256 in the database:
logout, deactivation and a password reset end it for real, even if the cookie is kept.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from engine.core.errors import InvalidSubmission
from engine.core.roles import RoleModel
from engine.core.settings import Settings
from engine.core.text import N_, like_escaped, without_controls
from engine.store.models import LoginSession, Unit, User

HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$")
#: what a page says of the rules of a username and a password, beside the fields they apply to
USERNAME_HELP = N_("登录用，2–64 个字母、数字或 _ . @ -")
PASSWORD_HELP = N_("至少 %(n)s 个字符，同时包含字母和数字或符号，不能包含用户名", n=MIN_PASSWORD_LENGTH)
#: a few passwords people really choose that pass the length rule
COMMON_PASSWORDS = frozenset({"password123", "password1234", "1234567890a", "a123456789", "qwerty12345",
                              "abc1234567", "admin12345", "admin123456", "p@ssw0rd123", "iloveyou123"})
#: verified against when the username is unknown, so both failures take the same time (same hasher)
_dummy: dict[str, tuple[PasswordHasher, str]] = {}
#: how often a live session's last_seen_at is written (an idle timeout needs no finer grain)
SESSION_TOUCH = timedelta(minutes=5)


def check_password_policy(password: str, username: str = "") -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(N_("密码至少 %(n)s 个字符", n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(N_("密码不能超过 %(n)s 个字符", n=MAX_PASSWORD_LENGTH))
    if password.isdigit() or password.isalpha():
        problems.append(N_("密码须同时包含字母和数字或符号"))
    if len(username) >= 3 and username.lower() in password.lower():
        problems.append(N_("密码不能包含用户名"))
    if password.lower() in COMMON_PASSWORDS:
        problems.append(N_("这个密码太常见，请换一个"))
    return problems


def temporary_password() -> str:
    """A password an administrator hands over; the person must replace it at first login."""
    return f"{secrets.token_urlsafe(9)}-{secrets.randbelow(90) + 10}"


# --- accounts --------------------------------------------------------------------------------

def create_user(session: Session, roles: RoleModel, now: datetime, *, username: str, password: str,
                display_name: str, role: str, unit_code: str | None = None, title: str = "",
                password_hash: str | None = None, must_change_password: bool = False) -> User:
    """Create an account. `password_hash` (already hashed `password`) spares re-hashing one shared password."""
    errors = check_profile(session, roles, display_name=display_name, role=role, unit_code=unit_code, title=title)
    if not USERNAME_PATTERN.match(username):
        errors["username"] = [N_("用户名为 2–64 个字母、数字或 _ . @ -，以字母或数字开头")]
    elif session.scalar(select(User.id).where(User.username == username)) is not None:
        errors["username"] = [N_("用户名已存在")]
    if problems := check_password_policy(password, username):
        errors["password"] = problems
    if password_hash is not None and not verify_hash(password_hash, password):
        errors["password"] = [N_("密码与给定的散列不符")]
    if errors:
        raise InvalidSubmission(errors)
    user = User(username=username, display_name=_line(display_name), title=_line(title), role=role,
                unit_id=_unit_id(session, unit_code), password_hash=password_hash or HASHER.hash(password),
                created_at=now, password_changed_at=now, must_change_password=must_change_password)
    session.add(user)
    session.flush()
    return user


def check_profile(session: Session, roles: RoleModel, *, display_name: str, role: str, unit_code: str | None,
                  title: str = "") -> dict[str, list[str]]:
    """What create and edit share: a name, a known role, the unit a unit role needs."""
    errors: dict[str, list[str]] = {}
    if not without_controls(display_name).strip() or len(display_name) > 100:
        errors["display_name"] = [N_("姓名须为 1–100 个字符")]
    if len(title) > 100:
        errors["title"] = [N_("职务不能超过 100 个字符")]
    if role not in roles.roles:
        errors["role"] = [N_("没有这个角色：%(role)s", role=role)]
    if unit_code and _unit_id(session, unit_code) is None:
        errors["unit"] = [N_("没有这个单位：%(unit)s", unit=unit_code)]
    elif role in roles.roles and roles.scope(role).is_unit_scoped() and not unit_code:
        errors["unit"] = [N_("单位角色必须指定所属单位")]
    return errors


def _line(text: str) -> str:
    return " ".join(without_controls(text).split())


def _unit_id(session: Session, unit_code: str | None) -> int | None:
    return session.scalar(select(Unit.id).where(Unit.code == unit_code)) if unit_code else None


def verify_hash(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(user: User, password: str, now: datetime, *, must_change: bool) -> None:
    if problems := check_password_policy(password, user.username):
        raise InvalidSubmission({"password": problems})
    user.password_hash = HASHER.hash(password)
    user.password_changed_at, user.must_change_password = now, must_change


# --- logging in --------------------------------------------------------------------------------

@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    reason: str  # ok | bad_password | unknown_user | locked | inactive
    just_locked: bool = False

    @property
    def ok(self) -> bool:
        return self.reason == "ok"


FAILURE_REASONS = {
    "bad_password": "密码错误",
    "unknown_user": "用户名不存在",
    "locked": "账户已锁定",
    "inactive": "账户已停用",
}


def authenticate(session: Session, username: str, password: str, now: datetime, settings: Settings) -> LoginOutcome:
    """Check a login; count a wrong password against the account and lock it at the limit."""
    user = session.scalar(select(User).where(User.username == username).with_for_update(of=User))
    password_ok = verify_hash(user.password_hash if user else _dummy_hash(), password[:MAX_PASSWORD_LENGTH])
    if user is None:
        return LoginOutcome(None, "unknown_user")
    if user.locked_at is not None and not is_locked(user, now, settings):
        user.locked_at, user.failed_logins = None, 0  # the lock has run out
    if is_locked(user, now, settings):
        return LoginOutcome(user, "locked")
    if not user.active:
        return LoginOutcome(user, "inactive")
    if not password_ok:
        user.failed_logins += 1
        if user.failed_logins >= settings.login_max_failures:
            user.locked_at = now
            return LoginOutcome(user, "bad_password", just_locked=True)
        return LoginOutcome(user, "bad_password")
    user.failed_logins, user.last_login_at = 0, now
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    return LoginOutcome(user, "ok")


def _dummy_hash() -> str:
    if _dummy.get("current", (None, ""))[0] is not HASHER:
        _dummy["current"] = (HASHER, HASHER.hash("duban-no-such-user"))
    return _dummy["current"][1]


def is_locked(user: User, now: datetime, settings: Settings) -> bool:
    if user.locked_at is None:
        return False
    return settings.lockout_minutes == 0 or now < user.locked_at + timedelta(minutes=settings.lockout_minutes)


def unlock(user: User) -> None:
    user.locked_at, user.failed_logins = None, 0


# --- sessions ----------------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def start_session(session: Session, user: User, now: datetime, client_addr: str) -> str:
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token_hash=_token_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
                             client_addr=client_addr[:64]))
    return token


#: read on every request: built once
_LOGIN_SESSION = select(LoginSession).where(LoginSession.token_hash == bindparam("token_hash"))


def live_session(session: Session, token: str, now: datetime, settings: Settings) -> LoginSession | None:
    """The session this token names, if it is still running and its account may still log in."""
    row = session.scalar(_LOGIN_SESSION, {"token_hash": _token_hash(token)})
    if row is None or row.ended_at is not None or not row.user.active or is_locked(row.user, now, settings):
        return None
    if now >= row.created_at + timedelta(hours=settings.session_hours):
        return None
    if now >= row.last_seen_at + timedelta(minutes=settings.session_idle_minutes):
        return None
    return row


def end_session(session: Session, token: str, now: datetime, reason: str) -> LoginSession | None:
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
    if row is not None and row.ended_at is None:
        row.ended_at, row.end_reason = now, reason
    return row


def end_sessions(session: Session, user_id: int, now: datetime, reason: str, keep: str | None = None) -> int:
    """End every running session of an account (but the one whose token is `keep`)."""
    query = (update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
             .values(ended_at=now, end_reason=reason))
    if keep is not None:
        query = query.where(LoginSession.token_hash != _token_hash(keep))
    return session.execute(query).rowcount  # type: ignore[attr-defined, no-any-return]


def touch_session(session: Session, session_id: int, now: datetime) -> None:
    session.get_one(LoginSession, session_id).last_seen_at = now


# --- administration ------------------------------------------------------------------------------

def profile(user: User) -> dict[str, object]:
    """What an audit event records of an account (never its password hash)."""
    return {"username": user.username, "display_name": user.display_name, "title": user.title, "role": user.role,
            "unit_id": user.unit_id, "active": user.active}


def apply_profile(session: Session, user: User, *, display_name: str, title: str, role: str,
                  unit_code: str | None) -> None:
    user.display_name, user.title, user.role = _line(display_name), _line(title), role
    user.unit_id = _unit_id(session, unit_code)
    session.flush()
    session.refresh(user)


def active_managers(session: Session, roles: RoleModel) -> int:
    managing = [role for role in roles.roles if roles.allows(role, "user.manage")]
    return len(session.scalars(select(User.id).where(User.role.in_(managing), User.active.is_(True))).all())


USER_PAGE_SIZE = 50


@dataclass(frozen=True)
class UserFilters:
    q: str = ""
    role: str = ""
    state: str = ""  # "" | active | locked | inactive
    page: int = 1


@dataclass(frozen=True)
class UserRow:
    user: User
    locked: bool
    sessions: int


@dataclass(frozen=True)
class UserPage:
    rows: list[UserRow]
    total: int
    page: int
    pages: int


def user_page(session: Session, filters: UserFilters, now: datetime, settings: Settings) -> UserPage:
    """One page of the accounts; a lock depends on the time, so the filter runs before the page is cut."""
    rows = list_users(session, filters, now, settings)
    pages = max(1, -(-len(rows) // USER_PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    return UserPage(rows[(page - 1) * USER_PAGE_SIZE:page * USER_PAGE_SIZE], len(rows), page, pages)


def list_users(session: Session, filters: UserFilters, now: datetime, settings: Settings) -> list[UserRow]:
    query = select(User).order_by(User.role, User.unit_id, User.username)
    if filters.q.strip():
        pattern = f"%{like_escaped(filters.q.strip()[:64])}%"
        query = query.where(User.username.ilike(pattern, escape="\\") | User.display_name.ilike(pattern, escape="\\"))
    if filters.role:
        query = query.where(User.role == filters.role)
    if filters.state in ("active", "inactive"):
        query = query.where(User.active.is_(filters.state == "active"))
    live = _live_session_counts(session, now, settings)
    rows = [UserRow(user, is_locked(user, now, settings), live.get(user.id, 0)) for user in session.scalars(query)]
    return [row for row in rows if row.locked] if filters.state == "locked" else rows



def _live_session_counts(session: Session, now: datetime, settings: Settings) -> dict[int, int]:
    since = now - timedelta(minutes=settings.session_idle_minutes)
    started = now - timedelta(hours=settings.session_hours)
    query = (select(LoginSession.user_id, func.count()).where(
        LoginSession.ended_at.is_(None), LoginSession.last_seen_at > since, LoginSession.created_at > started)
        .group_by(LoginSession.user_id))
    return dict(session.execute(query).all())  # type: ignore[arg-type]
