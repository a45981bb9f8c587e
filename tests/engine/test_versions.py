"""Deployed versions are kept by content hash; a running instance stays on the version it started with."""
from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select

from engine.app import Duban
from engine.store.models import ProcessInstance, ProcessVersion
from tests.factories import ROOT, World, assignment


def edited_workflows(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "workflows"
    folder.mkdir()
    for path in (ROOT / "workflows").glob("*.bpmn"):
        shutil.copy(path, folder / path.name)
    target = folder / "rectification.bpmn"
    text = target.read_text(encoding="utf-8").replace("编制整改实施方案", "制定整改实施方案")
    target.write_text(text, encoding="utf-8")
    return sorted(folder.glob("*.bpmn"))


def test_restarting_with_the_same_files_deploys_nothing_new(world: World) -> None:
    assert world.duban.init_database() == []


def test_a_running_instance_keeps_its_version(world: World, tmp_path: Path) -> None:
    old_task = world.register("1-1")
    world.do("coordinator", old_task, "assign", **assignment(world))
    upgraded = Duban(world.duban.db, world.duban.roles, world.duban.clock, edited_workflows(tmp_path))
    added = upgraded.init_database()
    assert [name.split("@")[0] for name in added] == ["rectification"]
    world.duban = upgraded

    assert [w.name for w in world.work_for("staff", old_task) if w.form == "plan_draft"] == ["编制整改实施方案"]
    world.do("staff", old_task, "plan_draft", content="稿", milestones="无", contact="李四")

    new_task = world.register("1-2")
    world.do("coordinator", new_task, "assign", **assignment(world))
    assert [w.name for w in world.work_for("staff", new_task) if w.form == "plan_draft"] == ["制定整改实施方案"]
    with world.duban.db.transaction(write=False) as session:
        versions = dict(session.execute(select(ProcessInstance.task_id, ProcessInstance.version_id).where(
            ProcessInstance.process_id == "rectification")).all())
        assert versions[old_task] != versions[new_task]
        kept = session.scalars(select(ProcessVersion.process_id).order_by(ProcessVersion.id)).all()
    assert kept.count("rectification") == 2
