"""The coloured path of a task's diagram follows what really happened."""
from __future__ import annotations

from tests.factories import World, assignment, walk_to_reporting


def test_path_shows_done_current_and_the_branch_taken(world: World) -> None:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world))
    world.do("staff", task_id, "plan_draft", content="稿", milestones="无", contact="李四")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    path = world.duban.work.task_path(world["supervisor"], task_id)
    assert path is not None
    assert {k: v.state for k, v in path.nodes.items() if k in ("assign", "draft_plan", "review_plan")} == {
        "assign": "done", "draft_plan": "done", "review_plan": "current"}
    assert path.nodes["review_plan"].role == "supervisor"
    assert "f_plan_signed" in path.flows_taken
    assert "f_plan_back" not in path.flows_taken


def test_path_of_a_reporting_task_includes_this_months_cycle_and_its_timer(world: World) -> None:
    task_id = world.register()
    walk_to_reporting(world, task_id)
    world.next_month()
    path = world.duban.work.task_path(world["staff"], task_id)
    assert path is not None
    assert path.nodes["submit_report"].state == "current"  # March's report
    assert path.nodes["period_over"].state == "waiting"  # April's cycle waits for April to end
    assert path.nodes["period_over"].due is not None
    assert path.nodes["deadline_near"].state == "waiting"
    assert path.nodes["apply_signoff"].state == "current"
