"""Accounts: argon2id password hashes, creation and authentication."""
from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidSubmission
from engine.models import Unit, User
from engine.roles import RoleModel

HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
#: verified against when the username is unknown, so both failures take the same time
_DUMMY_HASH = HASHER.hash("duban-no-such-user")


def check_password_policy(password: str) -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符")
    if password.isdigit() or password.isalpha():
        problems.append("密码须同时包含字母和数字或符号")
    return problems


def create_user(session: Session, roles: RoleModel, now: datetime, *, username: str, password: str,
                display_name: str, role: str, unit_code: str | None = None, title: str = "",
                password_hash: str | None = None) -> User:
    """Create an account. `password_hash` (already hashed `password`) spares re-hashing one shared password."""
    errors: dict[str, list[str]] = {}
    if role not in roles.roles:
        errors["role"] = [f"没有这个角色：{role}"]
    unit = session.scalar(select(Unit).where(Unit.code == unit_code)) if unit_code else None
    if unit_code and unit is None:
        errors["unit"] = [f"没有这个单位：{unit_code}"]
    if role in roles.roles and roles.scope(role).is_unit_scoped() and unit is None:
        errors["unit"] = ["单位角色必须指定所属单位"]
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        errors["username"] = ["用户名已存在"]
    if problems := check_password_policy(password):
        errors["password"] = problems
    if password_hash is not None and not verify_hash(password_hash, password):
        errors["password"] = ["密码与给定的散列不符"]
    if errors:
        raise InvalidSubmission(errors)
    user = User(username=username, display_name=display_name, title=title, role=role,
                unit_id=unit.id if unit else None, password_hash=password_hash or HASHER.hash(password),
                created_at=now)
    session.add(user)
    session.flush()
    return user


def verify_hash(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    try:
        HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    return user
