"""What a form handler, an action or a hook gets to work with during one use case."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ
from engine.core.settings import Settings
from engine.store.audit import record
from engine.store.database import Session
from engine.store.files import CheckedFile, FileWriter
from engine.store.models import HumanTask, ProcessInstance

if TYPE_CHECKING:
    from engine.workflow.instances import Processes


@dataclass
class Step:
    """One use case's work on one instance: who, when, in which transaction, on what.

    `task` is the record the instance works for (its task_id: a rectification task), as the use case loaded it;
    the runtime hands it to the features' forms, actions and hooks and reads nothing of it but its id.
    `opened` are the work items the use case has opened so far, `ended` the instances it has completed or cancelled:
    lists shared by the steps made from this one (`for_instance`, `dataclasses.replace`), for the hooks that settle
    the use case.
    """

    session: Session
    actor: Actor
    now: datetime
    settings: Settings
    processes: Processes
    task: Any = None
    instance: ProcessInstance | None = None
    human_task: HumanTask | None = None
    uploads: list[CheckedFile] = field(default_factory=list)
    files: FileWriter | None = None
    opened: list[HumanTask] = field(default_factory=list)
    ended: list[ProcessInstance] = field(default_factory=list)

    @property
    def the_task(self) -> Any:
        if self.task is None:
            raise RuntimeError("this step works on no task")
        return self.task

    @property
    def the_instance(self) -> ProcessInstance:
        if self.instance is None:
            raise RuntimeError("this step works on no process instance")
        return self.instance

    @property
    def the_work(self) -> HumanTask:
        if self.human_task is None:
            raise RuntimeError("this step completes no human task")
        return self.human_task

    @property
    def today(self) -> date:
        return self.now.astimezone(LOCAL_TZ).date()

    def audit(self, action: str, obj: tuple[str, object], summary: str, **changes: Any) -> None:
        task_id = self.task.id if self.task is not None else None
        record(self.session, self.actor, self.now, action, obj, summary, task_id=task_id,
               before=changes.get("before"), after=changes.get("after"))

    def publish(self, event: Any) -> None:
        """Tell the features that subscribed to this kind of event, within this step (and its transaction)."""
        self.processes.registry.publish(self, event)

    def for_instance(self, instance: ProcessInstance) -> Step:
        """The same use case on another instance (one it starts or cancels)."""
        return dataclasses.replace(self, instance=instance, human_task=None)
