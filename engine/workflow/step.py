"""What a form handler or a named action gets to work with during one use case."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ
from engine.core.errors import InvalidSubmission
from engine.core.settings import Settings
from engine.store.audit import record
from engine.store.files import CheckedFile, EvidenceWriter
from engine.store.models import HumanTask, ProcessInstance, RectificationTask

if TYPE_CHECKING:
    from engine.workflow.instances import Processes


@dataclass
class Step:
    session: Session
    actor: Actor
    now: datetime
    settings: Settings
    processes: Processes
    task: RectificationTask | None = None
    instance: ProcessInstance | None = None
    human_task: HumanTask | None = None
    uploads: list[CheckedFile] = field(default_factory=list)
    evidence: EvidenceWriter | None = None
    #: checks of the submitted form whose reads go with the step's next statement (see check_later)
    late_checks: list[Callable[[], dict[str, list[str]]]] = field(default_factory=list)

    @property
    def the_task(self) -> RectificationTask:
        if self.task is None:
            raise RuntimeError("this step works on no rectification task")
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

    def audit(self, action: str, obj: tuple[str, object], summary: str, **changes: object) -> None:
        task_id = self.task.id if self.task is not None else None
        record(self.session, self.actor, self.now, action, obj, summary, task_id=task_id,
               before=changes.get("before"), after=changes.get("after"))  # type: ignore[arg-type]

    def check_later(self, check: Callable[[], dict[str, list[str]]]) -> None:
        """A check of the form (its errors by field) whose read was held back (read_ahead) and needs no answer
        before the step goes on: it is done by `verify`, when the step has sent its writes or sooner."""
        self.late_checks.append(check)

    def verify(self, errors: dict[str, list[str]] | None = None) -> None:
        """Raise InvalidSubmission with `errors` and those of the checks left for later, if there are any: the
        step then comes to nothing (its transaction rolls back)."""
        errors = {name: list(messages) for name, messages in (errors or {}).items()}
        while self.late_checks:
            for name, messages in self.late_checks.pop(0)().items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise InvalidSubmission(errors)

    def for_instance(self, instance: ProcessInstance, human_task: HumanTask | None = None) -> Step:
        """The same use case on another instance (one it starts or cancels): its checks left for later are this
        step's."""
        return Step(self.session, self.actor, self.now, self.settings, self.processes,
                    self.task, instance, human_task, evidence=self.evidence, late_checks=self.late_checks)
