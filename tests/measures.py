"""Helpers for the tests of strengthening measures (强化措施)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.store.models import HumanTask, HumanTaskStatus, InspectionRound, ProcessInstance
from engine.workflow.runtime import ready_human_tasks
from tests.factories import World

REPORT = {"work_done": "印发《泸州市环境保护工作职责分工方案》", "progress": "职责分工已明确到部门",
          "problems": "", "next_steps": "开展考核", "evidence": "泸委办〔2026〕3号"}


def round_id(world: World) -> int:
    with world.duban.db.transaction(write=False) as session:
        return session.scalars(select(InspectionRound.id)).first() or 0


def register_measure(world: World, unit: str = "jiangyang", **overrides: Any) -> int:
    data = {"round_id": round_id(world), "category_number": 1, "category_name": "坚决贯彻落实中央重大决策部署",
            "title": "全面压紧压实环境保护责任", "content": "严格落实党政同责、一岗双责、失职追责要求。",
            "lead_unit_id": world.units[unit], "cooperating_unit_ids": [world.units["water"]],
            "period_kind": "quarter"}
    return world.duban.measures.register(world["coordinator"], {**data, **overrides})


def measure_work(world: World, username: str, form: str | None = None) -> list[HumanTask]:
    return [work for work in world.work_for(username) if work.task_id is None and (form is None or work.form == form)]


def do_measure(world: World, username: str, form: str, **data: Any) -> HumanTask:
    [work, *_] = measure_work(world, username, form)
    done = world.duban.work.complete(world[username], work.id, data)
    assert_measure_round_trip(world)
    return done


def assert_measure_round_trip(world: World) -> None:
    """What is stored restores to the same workflow, and its waiting user tasks are exactly the open rows."""
    duban = world.duban
    with duban.db.transaction(write=False) as session:
        measures = select(ProcessInstance).where(ProcessInstance.process_id.startswith("measure"))
        for instance in session.scalars(measures):
            workflow = duban.processes.load(session, instance)
            assert duban.runtime.dump(workflow) == instance.state_json
            ready = {str(t.id) for t in ready_human_tasks(workflow)} if instance.status.is_running() else set()
            open_rows = set(session.scalars(select(HumanTask.spiff_task_id).where(
                HumanTask.instance_id == instance.id, HumanTask.status == HumanTaskStatus.OPEN)))
            assert ready == open_rows, (instance.process_id, ready, open_rows)
