"""Who and what a ledger's cells name: units (by name, code, a short name from roles.yaml, or a group of units),
leaders (by name, or by a title only one leader holds) and categories (by name, whatever the numbering).

Each reader returns what it found and the warnings a person should see (a unit read from its short name,
a group expanded); what it cannot read raises ValueError saying what was found and what is accepted,
with the nearest names ("您是不是指 …？").
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.roles import RoleModel
from engine.features.reporting.ledger_reading import normal
from engine.store.models import Category, Unit, User
from engine.workflow.step import Step

RESPONSIBLE_KINDS = ("department", "county", "park")
SEPARATORS = re.compile(r"[、,;/\n\s]+")
COOPERATING_LABEL = re.compile(r"(?:配合|协办|参与|协同)(?:单位|部门)?\s*:")
LEAD_LABEL = re.compile(r"^(?:牵头|责任)(?:单位|部门)?\s*:")
LEAD_MARK, COOPERATING_MARK = "(牵头)", "(配合)"
#: what an office adds to a county's or a park's name (江阳区人民政府, 泸州高新区管委会)
SUFFIXES = ("党委和政府", "党委政府", "区委区政府", "县委县政府", "人民政府", "政府", "管委会", "管理委员会")
LEADER_WITH_TITLE = re.compile(r"^(.+?)\s*\((.*)\)$")


def nearest(name: str, choices: dict[str, str]) -> str:
    """ "，您是不是指 X？" for the nearest of `choices` (normal form -> name shown), or ""."""
    close = difflib.get_close_matches(normal(name), list(choices), n=2, cutoff=0.5)
    names = list(dict.fromkeys(choices[key] for key in close))
    return f"；您是不是指 {'或'.join(names)}？" if names else ""


@dataclass
class UnitsRead:
    lead: Unit
    cooperating: list[Unit]
    warnings: list[str] = field(default_factory=list)


class Units:
    """The units by every name a ledger may use for them."""

    def __init__(self, units: Iterable[Unit], roles: RoleModel) -> None:
        by_code = {unit.code: unit for unit in units}
        self.keys: dict[str, tuple[Unit, bool]] = {}  # normal name -> (unit, read from a short name)
        for spec in roles.units:
            unit = by_code.get(spec.code)
            if unit is None:
                continue
            self.keys.setdefault(normal(unit.name), (unit, False))
            self.keys.setdefault(normal(unit.code), (unit, False))
            for alias in spec.aliases:
                self.keys.setdefault(normal(alias), (unit, True))
        self.groups = {normal(name): [by_code[code] for code in roles.group_members(name) if code in by_code]
                       for name in roles.groups}
        self.shown = {key: unit.name for key, (unit, _alias) in self.keys.items()}

    def read(self, text: str, cooperating_text: str = "") -> UnitsRead:
        """The lead unit (the first named) and the cooperating ones of a 责任单位 cell (and a 配合单位 cell)."""
        plain = normal_keep_lines(text)
        lead_part, cooperating_part = ([*COOPERATING_LABEL.split(plain, maxsplit=1), ""])[:2]
        lead_part = LEAD_LABEL.sub("", lead_part.strip())
        names = _names(lead_part)
        marked = [name for name in names if name.endswith(LEAD_MARK)]
        names = [*marked, *(name for name in names if name not in marked)]
        names += _names(cooperating_part) + _names(normal_keep_lines(cooperating_text))
        if not names:
            raise ValueError("没有写责任单位")
        twice = [name for name in dict.fromkeys(names) if names.count(name) > 1]
        if twice:
            raise ValueError(f"同一单位写了不止一次：{'、'.join(twice)}")
        units: list[Unit] = []
        warnings: list[str] = []
        unknown: list[str] = []
        for name in names:
            try:
                units += self._one(name.removesuffix(LEAD_MARK).removesuffix(COOPERATING_MARK), warnings)
            except LookupError:
                unknown.append(name)
        if unknown:
            raise ValueError("；".join(f"没有单位「{name}」{nearest(name, self.shown)}" for name in unknown)
                             + "（可写单位全称、代码或 roles.yaml 中的简称）")
        wrong = [unit.name for unit in units if unit.kind not in RESPONSIBLE_KINDS]
        if wrong:
            raise ValueError(f"不能作为责任单位：{'、'.join(wrong)}（应为市级部门、区县或园区）")
        units = list(dict.fromkeys(units))
        return UnitsRead(units[0], units[1:], warnings)

    def _one(self, name: str, warnings: list[str]) -> list[Unit]:
        key = normal(name)
        if key in self.groups:
            members = self.groups[key]
            warnings.append(f"「{name}」展开为 {len(members)} 个单位：{'、'.join(unit.name for unit in members)}")
            return members
        shorter = [key.removesuffix(normal(suffix)) for suffix in SUFFIXES if key.endswith(normal(suffix))]
        for candidate in (key, *shorter):
            if candidate in self.keys:
                unit, by_alias = self.keys[candidate]
                if by_alias or candidate != key:
                    warnings.append(f"「{name}」读作 {unit.name}")
                return [unit]
        raise LookupError(name)


def normal_keep_lines(text: str) -> str:
    """NFKC-folded text whose line breaks and spaces still separate names."""
    return "\n".join(normal(part) for part in text.split())


def _names(text: str) -> list[str]:
    names = [name.strip().removesuffix("等") for name in SEPARATORS.split(text)]
    return [name for name in names if name]


class Leaders:
    """The active leaders, by name and by title."""

    def __init__(self, session: Session) -> None:
        leaders = list(session.scalars(select(User).where(User.role == "leader", User.active.is_(True))
                                       .order_by(User.id)))
        self.by_name: dict[str, list[User]] = {}
        self.by_title: dict[str, list[User]] = {}
        for user in leaders:
            self.by_name.setdefault(normal(user.display_name), []).append(user)
            if user.title:
                self.by_title.setdefault(normal(user.title), []).append(user)
        self.shown = {**{normal(u.title): u.title for u in leaders if u.title},
                      **{normal(u.display_name): u.display_name for u in leaders}}

    def read(self, text: str) -> tuple[User, list[str]]:
        """The lead leader of a cell: 张三, 张三（副市长）, or a title only one leader holds (常务副市长)."""
        names = _names(normal_keep_lines(text))
        if not names:
            raise ValueError("没有写牵头市领导")
        first, *others = names
        warnings = [f"写有 {len(others) + 1} 位领导，牵头市领导取第一位「{first}」"] if others else []
        match = LEADER_WITH_TITLE.match(first)
        name, title = (match.group(1), match.group(2)) if match else (first, "")
        people = self.by_name.get(name, [])
        if title and len(people) > 1:
            people = [person for person in people if normal(person.title) == title]
        if not people and not title and name in self.by_title:
            people = self.by_title[name]
            if len(people) == 1:
                warnings.append(f"「{name}」按职务读作 {people[0].display_name}")
            else:
                holders = "、".join(person.display_name for person in people)
                raise ValueError(f"职务为「{name}」的牵头市领导有 {len(people)} 位（{holders}），请写姓名")
        if not people:
            raise ValueError(f"没有名为「{name}」的牵头市领导，也没有哪位牵头市领导的职务是「{name}」"
                             f"{nearest(name, self.shown)}（可写姓名、姓名（职务），或只有一位领导担任的职务）")
        if len(people) > 1:
            raise ValueError(f"有 {len(people)} 位名为「{name}」的牵头市领导，请在姓名后加（职务）区分")
        return people[0], warnings


class Categories:
    """The categories, by number and by name (without 方面, whatever the numbering); new ones from section rows."""

    def __init__(self, step: Step) -> None:
        self.step = step
        self.all = {category.number: category for category in step.session.scalars(select(Category))}
        self.created: list[str] = []

    def of_section(self, number: int | None, name: str) -> tuple[Category, list[str]]:
        """The category a section row names; a new one (audited) when no category has its name."""
        found = self.named(name)
        if found:
            return found, []
        if number is None or number in self.all:
            number = max(self.all, default=0) + 1
        category = Category(number=number, name=name)
        self.step.session.add(category)
        self.step.session.flush()
        self.step.audit("category.created", ("category", category.id), f"导入台账时新建类别 {number}. {name}",
                        after={"number": number, "name": name})
        self.all[number] = category
        self.created.append(f"{number}. {name}")
        return category, [f"将新建类别「{number}. {name}」"]

    def named(self, name: str) -> Category | None:
        key = _category_key(name)
        return next((c for c in self.all.values() if _category_key(c.name) == key), None)


def _category_key(name: str) -> str:
    return normal(name).removesuffix("方面").removesuffix("问题")
