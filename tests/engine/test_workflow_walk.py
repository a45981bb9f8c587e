"""duban's walk of the task tree finds what SpiffWorkflow's iterator finds, in the same order."""
from __future__ import annotations

import json

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from sqlalchemy import select

from engine.store.models import ProcessInstance
from engine.workflow.tree_walk import DubanWorkflow
from tests import factories
from tests.factories import World

STATES = [TaskState.MAYBE, TaskState.LIKELY, TaskState.FUTURE, TaskState.WAITING, TaskState.READY,
          TaskState.STARTED, TaskState.COMPLETED, TaskState.ERROR, TaskState.CANCELLED,
          TaskState.FINISHED_MASK, TaskState.DEFINITE_MASK, TaskState.PREDICTED_MASK,
          TaskState.NOT_FINISHED_MASK, TaskState.ANY_MASK]


def spiff_order(workflow: BpmnWorkflow, first_task=None, **query) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(task.id) for task in BpmnTaskIterator(first_task or workflow.task_tree, **query)]


def walk_order(workflow: BpmnWorkflow, first_task=None, **query) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(task.id) for task in workflow.get_tasks(first_task, **query)]


def queries(workflow: BpmnWorkflow) -> list[dict[str, object]]:
    specs = sorted({task.task_spec.name for task in workflow.tasks.values()})
    return [*({"state": state} for state in STATES),
            {"state": TaskState.READY, "manual": True}, {"state": TaskState.READY, "manual": False},
            *({"spec_name": name} for name in specs),
            *({"spec_name": name, "state": TaskState.NOT_FINISHED_MASK} for name in specs)]


def assert_same_walks(world: World, task_id: int) -> int:
    """Every stored instance of the task, restored: each query gives the same tasks in the same order."""
    compared = 0
    with world.duban.db.transaction(write=False) as session:
        for instance in session.scalars(select(ProcessInstance).where(ProcessInstance.task_id == task_id)):
            workflow = world.duban.processes.load(session, instance)
            assert isinstance(workflow, DubanWorkflow)
            middle = list(workflow.tasks.values())[len(workflow.tasks) // 2]
            for query in queries(workflow):
                assert walk_order(workflow, **query) == spiff_order(workflow, **query), (instance.process_id, query)
                assert walk_order(workflow, middle, **query) == spiff_order(workflow, middle, **query)
                compared += 1
    return compared


def test_walks_match_spiffworkflow_through_a_task_s_life(world: World) -> None:
    task_id = world.register()
    compared = assert_same_walks(world, task_id)
    factories.walk_to_reporting(world, task_id)
    compared += assert_same_walks(world, task_id)
    world.next_month()  # the month is over: its report is requested
    world.next_month()  # and now overdue
    compared += assert_same_walks(world, task_id)
    factories.report_month(world, task_id)
    factories.sign_off(world, task_id)
    compared += assert_same_walks(world, task_id)
    assert compared > 500


def test_queries_the_walk_does_not_answer_go_to_spiffworkflow(world: World) -> None:
    task_id = world.register()
    factories.walk_to_reporting(world, task_id)
    with world.duban.db.transaction(write=False) as session:
        instance = session.scalars(select(ProcessInstance).where(ProcessInstance.task_id == task_id)).first()
        assert instance is not None
        workflow = world.duban.processes.load(session, instance)
    assert isinstance(workflow.get_tasks_iterator(max_depth=3), BpmnTaskIterator)
    assert walk_order(workflow, max_depth=3) == spiff_order(workflow, max_depth=3)
    assert not isinstance(workflow.get_tasks_iterator(state=TaskState.READY), BpmnTaskIterator)


def test_a_stored_state_is_spiffworkflow_s_own(world: World) -> None:
    """States keep SpiffWorkflow's class name: SpiffWorkflow alone restores them, and older states restore here."""
    task_id = world.register()
    factories.walk_to_reporting(world, task_id)
    with world.duban.db.transaction(write=False) as session:
        state = session.scalars(select(ProcessInstance.state_json).where(ProcessInstance.task_id == task_id)).first()
    assert state is not None and '"typename":"BpmnWorkflow"' in state


def test_a_restored_state_links_its_tasks_by_one_id_object_each(world: World) -> None:
    """A task's id, its parent's mention of it and the tasks' key are one object, and the state is written
    back as it was read."""
    task_id = world.register()
    factories.walk_to_reporting(world, task_id)
    runtime = world.duban.processes.runtime
    with world.duban.db.transaction(write=False) as session:
        for instance in session.scalars(select(ProcessInstance).where(ProcessInstance.task_id == task_id)):
            workflow = world.duban.processes.load(session, instance)
            keys = {id(key) for key in workflow.tasks}
            for task in workflow.tasks.values():
                assert id(task.id) in keys
                assert task._parent is None or id(task._parent) in keys
                assert all(id(child) in keys for child in task._children)
            assert runtime.dump(workflow) == runtime.dump(world.duban.processes.load(session, instance))
            assert json.loads(runtime.dump(workflow))["tasks"] == json.loads(instance.state_json)["tasks"]
