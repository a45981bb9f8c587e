"""roles.yaml: roles, lane -> role mapping, permissions and the unit tree.

Loaded with yaml.safe_load, validated with pydantic, and every problem is reported with
the file and line it comes from. Authorization is deny-by-default: `RoleModel.allows`
answers True only for a permission the role lists.
"""
from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from engine.core.errors import ConfigError

#: Every permission a role may be given. A permission not listed here is a typo.
PERMISSIONS: dict[str, str] = {
    "ledger.view": "see the ledger of rectification tasks (within the role's scope)",
    "task.view": "open a rectification task's page (within the role's scope)",
    "task.register": "register new rectification tasks",
    "user.manage": "create, edit, deactivate and unlock user accounts, reset their passwords",
    "audit.view": "browse, filter, export and verify the audit trail (全程留痕)",
    "incident.manage": "see failed timers (incidents) and retry them",
    "process.manage": "deploy process versions, migrate instances, suspend, resume and move back an instance",
    "progress.publish": "write the public summaries of accepted monthly reports",
    "demo.clock": "move the demo's clock forward (only when the site runs in demo mode)",
    "dashboard.view": "see the leaders' dashboard: totals, colours, curves, the units most behind",
    "ledger.export": "download the ledger as .xlsx (within the role's scope)",
    "ledger.import": "register tasks in bulk from an .xlsx ledger",
    "bulletin.make": "produce the monthly bulletin (月度通报) as .docx",
    "document.issue": "issue a task's official documents (交办函, 督办单 …) with their 文号",
    "targets.view": "see the environmental targets and their monthly values",
    "targets.edit": "define environmental targets and enter or import their monthly values",
    "escalation.view": "see escalations (督办问责) and their register (a unit role: only its own unit's)",
    "escalation.propose": "start an escalation of a task by hand, with a reason",
    "clue.view": "see problem clues (问题线索), their register and their records",
    "clue.register": "register a problem clue handed down, which starts its investigation",
    "instruction.write": "write an instruction (领导批示) on tasks, which their lead units answer",
    "chase.send": "chase (催办) a unit on an open step of a task, with a reply date",
    "round.manage": "enter and edit the inspection rounds (督察批次) the city answers",
    "measure.view": "see the strengthening measures (强化措施), their ledger and pages (a unit role: only its own)",
    "measure.manage": "register strengthening measures and close a round's measures (their reports and reviews end)",
}

UNIT_KINDS = ("city", "office", "department", "county", "park")
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class Scope(enum.StrEnum):
    ALL = "all"
    UNIT = "unit"
    NONE = "none"

    def is_unit_scoped(self) -> bool:
        return self is Scope.UNIT


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RoleSpec(_Strict):
    name: str
    description: str = ""
    scope: Scope
    permissions: list[str] = []

    @field_validator("permissions")
    @classmethod
    def _known_permissions(cls, value: list[str]) -> list[str]:
        for index, permission in enumerate(value):
            if permission not in PERMISSIONS:
                raise ValueError(f"[{index}] unknown permission {permission!r}; known: {', '.join(PERMISSIONS)}")
        return value


class UnitSpec(_Strict):
    code: str
    name: str
    kind: str
    aliases: list[str] = []  # short names a ledger may use (市住建局), read by the ledger import
    children: list[UnitSpec] = []

    @field_validator("code")
    @classmethod
    def _code_shape(cls, value: str) -> str:
        if not CODE_PATTERN.match(value):
            raise ValueError(f"unit code {value!r} must be lower-case letters, digits and _")
        return value

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in UNIT_KINDS:
            raise ValueError(f"unknown unit kind {value!r}; known: {', '.join(UNIT_KINDS)}")
        return value


class RolesFile(_Strict):
    roles: dict[str, RoleSpec]
    lanes: dict[str, str]
    units: list[UnitSpec]
    groups: dict[str, list[str]] = {}


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    parent: str | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleModel:
    """The validated content of roles.yaml."""

    roles: dict[str, RoleSpec]
    lanes: dict[str, str]
    units: tuple[Unit, ...] = field(default_factory=tuple)
    source: str = "roles.yaml"
    #: a name a ledger uses for several units at once (各区县党委政府) -> the codes of those units
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def allows(self, role: str, permission: str) -> bool:
        spec = self.roles.get(role)
        return spec is not None and permission in spec.permissions

    def scope(self, role: str) -> Scope:
        spec = self.roles.get(role)
        return spec.scope if spec else Scope.NONE

    def role_for_lane(self, lane: str | None) -> str | None:
        return self.lanes.get(lane) if lane else None

    def role_name(self, role: str) -> str:
        spec = self.roles.get(role)
        return spec.name if spec else role

    def unit_codes(self) -> set[str]:
        return {unit.code for unit in self.units}

    def group_members(self, name: str) -> tuple[str, ...]:
        """The codes of a group's units: a unit with children stands for its children."""
        codes: list[str] = []
        for code in self.groups.get(name, ()):
            children = [unit.code for unit in self.units if unit.parent == code]
            codes += children or [code]
        return tuple(codes)


def load_roles(path: str | Path) -> RoleModel:
    """Read and validate roles.yaml; raise ConfigError naming the file and line."""
    path = Path(path)
    text = _read(path)
    try:
        root = yaml.compose(text)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise ConfigError(str(path), where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        line = root.start_mark.line + 1 if root is not None else 1
        raise ConfigError(str(path), f"line {line}", "expected a mapping with roles, lanes and units")
    _no_duplicate_keys(path, root)
    try:
        parsed = RolesFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(str(path), _where(root, first["loc"]), _pydantic_message(first)) from None
    return _cross_check(path, root, parsed)


def _no_duplicate_keys(path: Path, root: yaml.Node | None) -> None:
    for node in _walk(root):
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, _ in node.value:
                if key_node.value in seen:
                    raise ConfigError(str(path), f"line {key_node.start_mark.line + 1}",
                                      f"key {key_node.value!r} appears twice in the same mapping")
                seen.add(key_node.value)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), "", "is not UTF-8 text") from None


def _pydantic_message(error: Any) -> str:
    loc = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{loc}: {message}"


def _cross_check(path: Path, root: yaml.Node, parsed: RolesFile) -> RoleModel:
    for lane, role in parsed.lanes.items():
        if role not in parsed.roles:
            raise ConfigError(str(path), _where(root, ("lanes", lane)),
                              f"lane {lane!r} names unknown role {role!r}; known: {', '.join(parsed.roles)}")
    units = tuple(_flatten(parsed.units, None))
    seen: set[str] = set()
    for unit in units:
        if unit.code in seen:
            raise ConfigError(str(path), _unit_line(root, unit.code, occurrence=2),
                              f"unit code {unit.code!r} appears twice")
        seen.add(unit.code)
    for group, codes in parsed.groups.items():
        unknown = [code for code in codes if code not in seen]
        if unknown:
            raise ConfigError(str(path), _where(root, ("groups", group)),
                              f"group {group!r} names unknown unit(s) {', '.join(unknown)}")
    return RoleModel(roles=dict(parsed.roles), lanes=dict(parsed.lanes), units=units, source=str(path),
                     groups={group: tuple(codes) for group, codes in parsed.groups.items()})


def _flatten(units: list[UnitSpec], parent: str | None) -> Iterator[Unit]:
    for unit in units:
        yield Unit(unit.code, unit.name, unit.kind, parent, tuple(unit.aliases))
        yield from _flatten(unit.children, unit.code)


def _where(root: yaml.Node | None, loc: tuple[Any, ...]) -> str:
    """The line of the deepest YAML node reachable along a pydantic error location."""
    node = root
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node = child
    return f"line {node.start_mark.line + 1}" if node is not None else ""


def _child(node: yaml.Node | None, key: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == str(key):
                return value_node
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def _unit_line(root: yaml.Node | None, code: str, occurrence: int) -> str:
    found = 0
    for node in _walk(root):
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == "code" and value_node.value == code:
                    found += 1
                    if found == occurrence:
                        return f"line {value_node.start_mark.line + 1}"
    return ""


def _walk(node: yaml.Node | None) -> Iterator[yaml.Node]:
    if node is None:
        return
    yield node
    if isinstance(node, yaml.MappingNode):
        for _, value in node.value:
            yield from _walk(value)
    elif isinstance(node, yaml.SequenceNode):
        for value in node.value:
            yield from _walk(value)
