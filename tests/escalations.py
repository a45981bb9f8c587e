"""Helpers for escalation (督办问责) and problem clue tests: read the records, walk the steps."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.core.clock import LOCAL_TZ
from engine.store.models import Clue, Escalation, HumanTask, HumanTaskStatus
from tests.factories import World

#: who carries out each level, and with what
CARRY_OUT: dict[int, tuple[str, str, dict[str, Any]]] = {
    1: ("coordinator", "escalation_notice", {"number": "督整改办〔2026〕3号", "title": "关于江阳区的通报",
                                             "text": "现予以通报。"}),
    2: ("supervisor", "escalation_interview", {"held_on": "2026-04-20", "place": "市政府第一会议室",
                                               "interviewees": "江阳区区长张三", "interviewers": "副市长 leader",
                                               "commitments": "5 月底前完成截污纳管"}),
    3: ("publicity", "escalation_exposure", {"headline": "江阳区污水直排整改不力", "text": "现予以公开曝光。",
                                             "channel": "泸州日报"}),
    4: ("discipline", "escalation_accountability", {
        "findings": "区住建局未按方案推进截污工程", "decision": "对相关责任人予以问责", "decided_on": "2026-04-20",
        "document_number": "泸纪〔2026〕8号",
        "persons": [{"name": "王五", "post": "江阳区住建局副局长", "measure": "admonition", "detail": ""},
                    {"name": "", "post": "", "measure": "", "detail": ""}]}),
}


def escalations(world: World, task_id: int | None = None) -> list[Escalation]:
    """The escalations (of one task), oldest first, with their triggers and outcome records."""
    with world.duban.db.transaction(write=False) as session:
        query = select(Escalation).options(
            selectinload(Escalation.triggers), selectinload(Escalation.notice), selectinload(Escalation.interview),
            selectinload(Escalation.exposure), selectinload(Escalation.accountability)).order_by(Escalation.id)
        if task_id is not None:
            query = query.where(Escalation.task_id == task_id)
        return list(session.scalars(query))


def forms_of(world: World, username: str, task_id: int) -> list[str]:
    return [work.form for work in world.work_for(username, task_id)]


def open_work(world: World, form: str) -> list[HumanTask]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(HumanTask).where(HumanTask.form == form,
                                                            HumanTask.status == HumanTaskStatus.OPEN)))


def propose(world: World, task_id: int, level: int, **extra: Any) -> None:
    world.do("supervisor", task_id, "escalation_propose", decision="propose", level=level,
             reasons="连续两个月逾期未报", evidence="2026-03、2026-04 月度进展均未按时报送", **extra)


def today(world: World) -> date:
    return world.duban.clock.now().astimezone(LOCAL_TZ).date()


def carry_out(world: World, task_id: int, level: int) -> None:
    who, form, data = CARRY_OUT[level]
    dated = {key: today(world).isoformat() for key in ("held_on", "decided_on") if key in data}
    world.do(who, task_id, form, **{**data, **dated})


def commit_and_close(world: World, task_id: int, decision: str = "close") -> None:
    complete_by = (today(world) + timedelta(days=30)).isoformat()
    world.do("head", task_id, "escalation_commitment", commitment="一个月内完成截污纳管", complete_by=complete_by)
    world.do("supervisor", task_id, "escalation_close", decision=decision,
             comment="整改承诺已兑现" if decision == "close" else "承诺未兑现，仍在直排")


def walk_escalation(world: World, task_id: int, level: int, approve: str = "approve",
                    changed_to: int | None = None, finish: str = "close") -> None:
    """Propose at `level`; the leader approves (or changes); the level's step; commitment; close."""
    propose(world, task_id, level)
    if approve == "change":
        world.do("leader", task_id, "escalation_approve", decision="change", level=changed_to, comment="情节较重")
    else:
        world.do("leader", task_id, "escalation_approve", decision="approve", comment="")
    carry_out(world, task_id, changed_to or level)
    commit_and_close(world, task_id, finish)


def clues(world: World) -> list[Clue]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(Clue).options(
            selectinload(Clue.tasks), selectinload(Clue.units), selectinload(Clue.persons)).order_by(Clue.id)))


def register_clue(world: World, **overrides: Any) -> int:
    data = {"source": "中央第五生态环境保护督察组", "source_reference": "督察转办〔2026〕12号",
            "received_on": "2026-03-09", "reply_due": "2026-04-30", "title": "江阳区某排污口长期直排未被查处",
            "content": "群众举报：江阳区某排污口长期直排，有关部门监管不力。", "task_ids": [], "unit_ids": []}
    data.update(overrides)
    return world.duban.clues.register(world["coordinator"], data)


def do_clue(world: World, username: str, form: str, **data: Any) -> HumanTask:
    """Complete this person's open work of the given form on a problem clue (work of no task)."""
    matching = [work for work in world.work_for(username) if work.form == form and work.task_id is None]
    assert matching, f"{username} has no open {form} clue work: {world.work_for(username)}"
    return world.duban.work.complete(world[username], matching[0].id, data)
