"""Read models of 督办问责: the register, an escalation's page, a task's escalations, the public exposures."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ, local_midnight
from engine.core.periods import next_period, parse_period
from engine.core.roles import Scope
from engine.core.statuses import (
    OPEN_ESCALATION_STATUSES,
    UNDER_WAY_ESCALATION_STATUSES,
    EscalationLevel,
    EscalationStatus,
    EscalationTriggerKind,
)
from engine.core.text import like_escaped
from engine.features.accounts.access import Access
from engine.features.escalation import drafts
from engine.features.escalation.triggers import ESCALATION_PROCESS
from engine.store.models import (
    AccountabilityCase,
    AuditEvent,
    ComplaintCase,
    Escalation,
    EscalationExposure,
    HumanTask,
    HumanTaskStatus,
    RectificationTask,
    Unit,
    User,
)

PAGE_SIZE = 25
OPEN = "open"
#: approved and not finished (the dashboard's 问责（进行中）)
UNDER_WAY = "under_way"
#: what a page shows of an escalation, loaded with it (the objects leave the session before rendering)
ESCALATION_DISPLAY = (
    joinedload(Escalation.task).joinedload(RectificationTask.lead_leader),
    joinedload(Escalation.task).joinedload(RectificationTask.lead_unit),
    joinedload(Escalation.case).joinedload(ComplaintCase.batch), joinedload(Escalation.unit),
    selectinload(Escalation.triggers), joinedload(Escalation.notice),
    joinedload(Escalation.interview), joinedload(Escalation.exposure),
    joinedload(Escalation.accountability).selectinload(AccountabilityCase.persons),
)


def shown_level_is(level: int) -> ColumnElement[bool]:
    """Escalation.shown_level == level, in SQL: approved at it, or being decided at it."""
    deciding = Escalation.status.in_((EscalationStatus.PROPOSING, EscalationStatus.AWAITING_APPROVAL))
    return or_(Escalation.approved_level == level,
               and_(deciding, func.coalesce(Escalation.proposed_level, Escalation.suggested_level) == level))



@dataclass(frozen=True)
class EscalationFilters:
    level: int | None = None
    unit_id: int | None = None
    status: str = ""  # an EscalationStatus value, or "open"
    trigger: str = ""
    q: str = ""
    page: int = 1
    #: YYYY-MM: started (启动) within that month; approved by the lead leader within it
    opened_in: str = ""
    approved_in: str = ""

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = self._month_conditions()
        if self.level:
            conditions.append(shown_level_is(self.level))
        if self.unit_id:
            conditions.append(Escalation.unit_id == self.unit_id)
        if self.status == OPEN:
            conditions.append(Escalation.status.in_(OPEN_ESCALATION_STATUSES))
        elif self.status == UNDER_WAY:
            conditions.append(Escalation.status.in_(UNDER_WAY_ESCALATION_STATUSES))
        elif self.status in EscalationStatus._value2member_map_:
            conditions.append(Escalation.status == EscalationStatus(self.status))
        if self.trigger in EscalationTriggerKind._value2member_map_:
            conditions.append(Escalation.trigger == EscalationTriggerKind(self.trigger))
        if self.q.strip():
            pattern = f"%{like_escaped(self.q.strip())}%"
            conditions.append(or_(RectificationTask.code.ilike(pattern, escape="\\"),
                                  RectificationTask.title.ilike(pattern, escape="\\"),
                                  ComplaintCase.number.ilike(pattern, escape="\\")))
        return conditions

    def _month_conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if window := month_window(self.opened_in):
            conditions += [Escalation.opened_at >= window[0], Escalation.opened_at < window[1]]
        if window := month_window(self.approved_in):
            conditions += [Escalation.approved_level.is_not(None), Escalation.decided_at >= window[0],
                           Escalation.decided_at < window[1]]
        return conditions


def month_window(period: str) -> tuple[datetime, datetime] | None:
    """The month's first instant and the first instant after it (local time); None unless YYYY-MM (and a month a
    date can end: not 9999-12)."""
    try:
        return local_midnight(parse_period(period)), local_midnight(parse_period(next_period(period)))
    except ValueError:
        return None


@dataclass(frozen=True)
class EscalationRow:
    escalation: Escalation
    current_steps: list[str]


@dataclass(frozen=True)
class EscalationRegister:
    rows: list[EscalationRow]
    total: int
    page: int
    pages: int


@dataclass
class EscalationPage:
    escalation: Escalation
    history: list[AuditEvent]
    open_work: list[HumanTask]
    my_work: list[HumanTask]
    successor: Escalation | None
    people: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PublicExposure:
    """What the public pages may show of an exposure, and nothing else."""

    id: int
    task_code: str
    task_title: str
    unit_name: str
    level_label: str
    headline: str
    text: str
    channel: str
    published_on: date
    #: a complaint case's (its code is the case's 第N批-number, its title its place and kind: no complainant's data)
    of_case: bool = False


def register(session: Session, access: Access, actor: Actor, filters: EscalationFilters) -> EscalationRegister:
    where = [access.escalation_filter(actor), *filters.conditions()]
    base = (select(Escalation).outerjoin(RectificationTask, RectificationTask.id == Escalation.task_id)
            .outerjoin(ComplaintCase, ComplaintCase.id == Escalation.case_id).where(*where))
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    escalations = list(session.scalars(base.options(*ESCALATION_DISPLAY).order_by(Escalation.id.desc())
                                       .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).unique())
    steps = _current_steps(session, [e.instance_id for e in escalations if e.instance_id])
    rows = [EscalationRow(e, steps.get(e.instance_id or 0, [])) for e in escalations]
    return EscalationRegister(rows, total, page, pages)


def _current_steps(session: Session, instance_ids: list[int]) -> dict[int, list[str]]:
    steps: dict[int, list[str]] = {}
    query = select(HumanTask.instance_id, HumanTask.name).where(
        HumanTask.instance_id.in_(instance_ids), HumanTask.status == HumanTaskStatus.OPEN)
    for instance_id, name in session.execute(query.order_by(HumanTask.id)):
        steps.setdefault(instance_id, []).append(name)
    return steps


def load(session: Session, escalation_id: int) -> Escalation | None:
    return session.scalar(select(Escalation).options(*ESCALATION_DISPLAY).where(Escalation.id == escalation_id))


def escalation_page(session: Session, access: Access, actor: Actor, escalation: Escalation) -> EscalationPage:
    history = list(session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "escalation", AuditEvent.object_id == str(escalation.id))
        .order_by(AuditEvent.at, AuditEvent.id)))
    open_work = list(session.scalars(select(HumanTask).options(joinedload(HumanTask.unit)).where(
        HumanTask.instance_id == (escalation.instance_id or 0), HumanTask.status == HumanTaskStatus.OPEN)
        .order_by(HumanTask.id)))
    successor = session.scalar(select(Escalation).where(Escalation.predecessor_id == escalation.id))
    page = EscalationPage(escalation, history, open_work, [w for w in open_work if access.can_act(actor, w)],
                          successor)
    page.people = dict(session.execute(select(User.id, User.display_name)).all())  # type: ignore[arg-type]
    return page


def for_task(session: Session, access: Access, actor: Actor, task_id: int) -> list[Escalation]:
    """The task's escalations this person may see, newest first (for the task page)."""
    if not access.roles.allows(actor.role, "escalation.view"):
        return []
    return list(session.scalars(select(Escalation).options(joinedload(Escalation.unit)).where(
        Escalation.task_id == task_id, access.escalation_filter(actor)).order_by(Escalation.id.desc())))


def for_case(session: Session, access: Access, actor: Actor, case_id: int) -> list[Escalation]:
    """The complaint case's escalations this person may see, newest first (for the case's page)."""
    return list(session.scalars(select(Escalation).options(joinedload(Escalation.unit)).where(
        Escalation.case_id == case_id, access.escalation_filter(actor)).order_by(Escalation.id.desc())))


def hide_from_unit(session: Session, access: Access, actor: Actor, task: RectificationTask, page: Any) -> None:
    """A unit sees its own escalations, not others': on a task it cooperates on, another unit's escalation
    leaves no trace in the history or the current steps."""
    others = _others_escalations(session, access, actor, task)
    if not others:
        return
    hidden_objects = {("escalation", str(e_id)) for e_id, _ in others}
    hidden_objects |= {("instance", str(instance_id)) for _, instance_id in others if instance_id}
    hidden_instances = {instance_id for _, instance_id in others}
    page.history = [e for e in page.history if (e.object_type, e.object_id) not in hidden_objects]
    page.open_work = [w for w in page.open_work if w.instance_id not in hidden_instances]


def hidden_instances(session: Session, access: Access, actor: Actor, task: RectificationTask) -> set[int]:
    """The escalation processes of a task a unit's person may not see (other units' escalations)."""
    return {instance_id for _, instance_id in _others_escalations(session, access, actor, task) if instance_id}


def _others_escalations(session: Session, access: Access, actor: Actor,
                        task: RectificationTask) -> list[tuple[int, int | None]]:
    if access.roles.scope(actor.role) is not Scope.UNIT:
        return []
    return [(e_id, instance_id) for e_id, instance_id in session.execute(
        select(Escalation.id, Escalation.instance_id).where(
            Escalation.task_id == task.id, Escalation.unit_id != actor.unit_id))]


def public_exposures(session: Session) -> list[PublicExposure]:
    """Published exposures, newest first: only fields meant for the public."""
    query = (select(EscalationExposure, Escalation)
             .join(Escalation, Escalation.id == EscalationExposure.escalation_id)
             .options(joinedload(Escalation.task), joinedload(Escalation.case).joinedload(ComplaintCase.batch),
                      joinedload(Escalation.unit))
             .order_by(EscalationExposure.published_at.desc(), EscalationExposure.id.desc()))
    return [PublicExposure(exposure.id, escalation.subject_code, escalation.subject_title, escalation.unit.name,
                           EscalationLevel.EXPOSURE.label, exposure.headline, exposure.text, exposure.channel,
                           exposure.published_at.astimezone(LOCAL_TZ).date(), escalation.case_id is not None)
            for exposure, escalation in session.execute(query)]


#: what an inbox row shows of a complaint case's escalation: the case (its batch names it) and the unit
_INBOX_DISPLAY = (joinedload(Escalation.case).joinedload(ComplaintCase.batch), joinedload(Escalation.unit))


def case_escalations_of(session: Session, instances: Mapping[int, tuple[str, str]]) -> dict[int, Escalation]:
    """The complaint cases' escalations some inbox entries' instances run (by instance), with what an inbox shows of
    them (instances: each one's process and business key)."""
    instance_ids = [instance_id for instance_id, (process_id, _) in instances.items()
                    if process_id == ESCALATION_PROCESS]
    if not instance_ids:
        return {}
    found = session.scalars(select(Escalation).options(*_INBOX_DISPLAY).where(
        Escalation.instance_id.in_(instance_ids), Escalation.case_id.is_not(None)))
    return {escalation.instance_id or 0: escalation for escalation in found}


def case_escalation_of(session: Session, instance_id: int) -> Escalation | None:
    """The complaint case's escalation this instance runs, if it runs one."""
    return session.scalars(select(Escalation).options(*ESCALATION_DISPLAY).where(
        Escalation.instance_id == instance_id, Escalation.case_id.is_not(None))).unique().one_or_none()


def of_instance(session: Session, instance_id: int) -> Escalation:
    """The escalation a process instance runs, with what its pages show."""
    escalation = session.scalar(select(Escalation).options(*ESCALATION_DISPLAY)
                                .where(Escalation.instance_id == instance_id))
    if escalation is None:
        raise LookupError(f"no escalation for instance {instance_id}")
    return escalation


def starting_values(session: Session, actor: Actor, escalation: Escalation, form: str,
                    today: date) -> dict[str, Any]:
    """What a step's form starts with: the ladder's default level, duban's drafts; never a decision, which its
    maker chooses (a choice with consequences starts empty)."""
    task = escalation.task
    if form == "escalation_propose":
        details = "；".join(trigger.detail for trigger in escalation.triggers)
        return {"level": escalation.suggested_level, "reasons": details}
    if form == "escalation_notice":
        issuer = session.scalar(select(Unit.name).where(Unit.id == actor.unit_id)) if actor.unit_id else ""
        draft = drafts.notice(session, escalation, today, issuer or "")
        return {"title": draft.title, "text": draft.text}
    if form == "escalation_interview":
        leader = task.lead_leader if task is not None else None
        if leader is None:  # a complaint case has no lead leader: whoever interviews writes it
            return {"held_on": today, "interviewees": drafts.interviewees(escalation)}
        return {"held_on": today, "interviewees": drafts.interviewees(escalation),
                "interviewers": f"{leader.display_name}（{leader.title}）" if leader.title else leader.display_name}
    if form == "escalation_exposure":
        draft = drafts.exposure(session, escalation, today)
        return {"headline": draft.title, "text": draft.text}
    return {}
