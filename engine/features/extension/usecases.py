"""The use cases of 延期申请: the lead unit opening a request (its form is then a work item like any other)."""
from __future__ import annotations

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.errors import NotFound
from engine.features.accounts.access import Access
from engine.features.extension.requests import start_request
from engine.features.rectification.queries import load_task
from engine.store.database import Session
from engine.store.models import HumanTask, HumanTaskStatus, ProcessInstance
from engine.store.transactions import Transactions
from engine.workflow.instances import Processes


class ExtensionUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access) -> None:
        self.transactions = transactions
        self.processes = processes
        self.access = access

    def open(self, actor: Actor, task_id: int) -> int:
        """The lead unit's officer asks for a later deadline: the request's form, as the work item to fill in."""
        def work(session: Session) -> int:
            task = load_task(session, task_id)
            if task is None:
                raise NotFound("没有找到这项任务")
            self.access.check_view_task(actor, task)
            main = session.scalar(select(ProcessInstance).where(
                ProcessInstance.task_id == task.id, ProcessInstance.parent_id.is_(None)).order_by(ProcessInstance.id))
            step = self.processes.step(session, actor, task=task, instance=main)
            request = start_request(step)
            self.processes.settle([step])
            work_id = session.scalar(select(HumanTask.id).where(
                HumanTask.instance_id == request.instance_id, HumanTask.status == HumanTaskStatus.OPEN))
            assert work_id is not None  # noqa: S101 - the request's process waits at its form
            return work_id

        return self.transactions.run(work)
