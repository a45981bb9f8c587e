"""Separation of duties: nobody approves, verifies or closes what they themselves submitted or proposed,
and nobody from a task's own unit oversees it."""
from __future__ import annotations

import pytest

from engine.core.actor import Actor
from engine.core.errors import PermissionDenied
from engine.features.accounts.usecases import actor_for
from tests.factories import World, apply_for_signoff, checklist, walk_to_reporting


def move(world: World, username: str, role: str, unit_code: str | None) -> None:
    """An administrator gives a person another role; their World actor follows."""
    actor = world[username]
    world.duban.accounts.update_user(world["admin"], actor.user_id, display_name=actor.display_name, title="",  # type: ignore[arg-type]
                            role=role, unit_code=unit_code)
    user = world.duban.accounts.user(actor.user_id)  # type: ignore[arg-type]
    assert user is not None
    world.actors[username] = actor_for(user)


def test_a_drafter_promoted_to_unit_head_cannot_sign_their_own_plan(world: World) -> None:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", lead_unit_id=world.units["jiangyang"], cooperating_unit_ids=[],
             lead_leader_id=world["leader"].user_id, deadline_kind="date", deadline="2026-12-31",
             plan_due="2026-04-10", instructions="")
    world.do("staff", task_id, "plan_draft", content="方案", milestones="节点", contact="李四")
    move(world, "staff", "unit_head", "jiangyang")
    with pytest.raises(PermissionDenied, match="职责分离"):
        world.do("staff", task_id, "plan_sign", decision="submit", comment="")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")  # the other head may


def test_a_supervisor_of_the_tasks_own_unit_cannot_review_it(world: World) -> None:
    task_id = world.register()
    walk_to_reporting(world, task_id)
    world.next_month()
    world.do("staff", task_id, "report_submit", progress="进展", percent_complete=30, problems="", next_steps="")
    world.do("head", task_id, "report_sign", decision="submit", comment="")
    move(world, "supervisor", "supervisor", "jiangyang")
    with pytest.raises(PermissionDenied, match="本单位的整改任务"):
        world.do("supervisor", task_id, "report_review", decision="accept", comment="")
    move(world, "supervisor", "supervisor", "water")  # a cooperating unit is its own unit too
    with pytest.raises(PermissionDenied, match="本单位的整改任务"):
        world.do("supervisor", task_id, "report_review", decision="accept", comment="")
    move(world, "supervisor", "supervisor", "office")
    world.do("supervisor", task_id, "report_review", decision="accept", comment="")


def test_nobody_verifies_or_approves_a_sign_off_they_took_part_in(world: World) -> None:
    task_id = world.register()
    walk_to_reporting(world, task_id)
    apply_for_signoff(world, task_id)
    move(world, "head", "supervisor", None)  # the head who signed it moves to the supervision group
    with pytest.raises(PermissionDenied, match="前一环节"):
        world.do("head", task_id, "signoff_verify", **checklist())
    move(world, "leader", "supervisor", "office")  # the lead leader once worked in the supervision group ...
    world.do("leader", task_id, "signoff_verify", **checklist())
    world.do("publicity", task_id, "signoff_notice", text="拟销号公示")
    world.tick(days=10)
    move(world, "leader", "leader", None)  # ... and, leader again, may not approve what they verified
    with pytest.raises(PermissionDenied, match="前一环节"):
        world.do("leader", task_id, "signoff_approve", decision="approve", comment="")


def test_the_rule_counts_the_current_round_only(world: World) -> None:
    """The head who sent a plan back may sign its next draft: sending back is not signing."""
    task_id = world.register()
    world.do("coordinator", task_id, "assign", lead_unit_id=world.units["jiangyang"], cooperating_unit_ids=[],
             lead_leader_id=world["leader"].user_id, deadline_kind="date", deadline="2026-12-31",
             plan_due="2026-04-10", instructions="")
    world.do("staff", task_id, "plan_draft", content="初稿", milestones="节点", contact="李四")
    world.do("head", task_id, "plan_sign", decision="back", comment="补充资金保障")
    world.do("staff", task_id, "plan_draft", content="二稿", milestones="节点", contact="李四")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")


def test_the_last_administrator_cannot_be_disabled(world: World) -> None:
    with pytest.raises(PermissionDenied, match="最后一个"):
        world.duban.accounts.set_user_active(Actor.system(), world["admin"].user_id, False)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied, match="最后一个"):
        world.duban.accounts.update_user(Actor.system(), world["admin"].user_id, display_name="admin", title="",  # type: ignore[arg-type]
                                role="coordinator", unit_code="office")
    with pytest.raises(PermissionDenied):
        world.duban.accounts.set_user_active(world["coordinator"], world["staff"].user_id, False)  # type: ignore[arg-type]
