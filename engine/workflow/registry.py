"""What the features plug into the workflow runtime.

The runtime runs any BPMN file whose user tasks name a registered form and whose service tasks
name a registered action. Beside those, a feature may register:

- functions that expressions (conditions, timers, due dates) may call;
- how to read the records instances work for (their task_id), for the timers the sweep fires;
- the values its processes may declare with duban:status, and the people duban:assignee names;
- the unit whose people do a step meant for a unit-scoped role;
- hooks: after an instance is saved (with its workflow at hand), and once at the end of a use case
  for the steps it ran (a sweep's batch settles its steps together);
- subscribers to the events other features publish during a step;
- what moving a token back over one of its actions does: the action may run again (it is idempotent), or it is
  undone first by the hook given; an action that declares neither stops the move.

Each feature does this in its own `register(registry, ...)`; engine/app.py calls them all.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from SpiffWorkflow.bpmn import BpmnWorkflow

    from engine.store.database import Session
    from engine.workflow.forms import FormHandler
    from engine.workflow.step import Step

Action = Callable[["Step", dict[str, Any]], dict[str, Any] | None]
#: undoes what an action did, given the data the action ran with
Undo = Callable[["Step", dict[str, Any]], None]
SavedHook = Callable[["Step", "BpmnWorkflow"], None]
SettleHook = Callable[[Sequence["Step"]], None]
Subscriber = Callable[["Step", Any], Any]
#: the id a step names (a person, a unit), or None
IdOf = Callable[["Step"], int | None]
TasksById = Callable[["Session", Collection[int]], dict[int, Any]]


class Registry:
    def __init__(self) -> None:
        self.actions: dict[str, Action] = {}
        self.rerunnable: set[str] = set()
        self.undos: dict[str, Undo] = {}
        self.forms: dict[str, FormHandler] = {}
        self.functions: dict[str, Callable[..., Any]] = {}
        self.statuses: set[str] = set()
        self.assignees: dict[str, IdOf] = {}
        self.work_unit: IdOf = _nobody
        self.tasks_by_id: TasksById = _no_tasks
        self._saved: list[SavedHook] = []
        self._settle: list[SettleHook] = []
        self._subscribers: dict[type, list[Subscriber]] = defaultdict(list)

    # --- registering ----------------------------------------------------------------------

    def add_actions(self, actions: dict[str, Action]) -> None:
        self._add("action", self.actions, actions)

    def may_run_again(self, names: Collection[str]) -> None:
        """These actions may run a second time with no harm (they do nothing twice): moving back over them is safe,
        they run again when the process passes them again."""
        self._check_actions(names)
        self.rerunnable.update(names)

    def add_undos(self, undos: dict[str, Undo]) -> None:
        """How moving back over an action undoes it (it runs again when the process passes it again)."""
        self._check_actions(undos)
        self._add("undo", self.undos, undos)

    def _check_actions(self, names: Collection[str]) -> None:
        unknown = sorted(name for name in names if name not in self.actions)
        if unknown:
            raise ValueError(f"no action {', '.join(unknown)} is registered: add the actions first")

    def add_forms(self, handlers: Collection[FormHandler]) -> None:
        self._add("form", self.forms, {handler.name: handler for handler in handlers})

    def add_functions(self, functions: dict[str, Callable[..., Any]]) -> None:
        self._add("expression function", self.functions, functions)

    def add_statuses(self, values: Collection[str]) -> None:
        self.statuses.update(values)

    def add_assignee(self, name: str, person_of: IdOf) -> None:
        self._add("assignee", self.assignees, {name: person_of})

    def route_unit_work(self, unit_of: IdOf) -> None:
        """Who does a step of a unit-scoped role: the people of the unit `unit_of` names for the step."""
        self.work_unit = unit_of

    def read_tasks_with(self, tasks_by_id: TasksById) -> None:
        """How the sweep reads the records of the instances it fires (their task_id), all in one read."""
        self.tasks_by_id = tasks_by_id

    def on_saved(self, hook: SavedHook) -> None:
        self._saved.append(hook)

    def on_settle(self, hook: SettleHook) -> None:
        self._settle.append(hook)

    def subscribe(self, event_type: type, subscriber: Subscriber) -> None:
        self._subscribers[event_type].append(subscriber)

    @staticmethod
    def _add(kind: str, table: dict[str, Any], entries: dict[str, Any]) -> None:
        for name, entry in entries.items():
            if name in table:
                raise ValueError(f"{kind} {name!r} is registered twice")
            table[name] = entry

    # --- what the runtime asks ------------------------------------------------------------

    def saved(self, step: Step, workflow: BpmnWorkflow) -> None:
        for hook in self._saved:
            hook(step, workflow)

    def settle(self, steps: Sequence[Step]) -> None:
        for hook in self._settle:
            hook(steps)

    def publish(self, step: Step, event: Any) -> list[Any]:
        """Tell the event's subscribers; their answers (a subscriber that opened work for it answers True)."""
        return [subscriber(step, event) for subscriber in self._subscribers[type(event)]]


def _nobody(step: Step) -> int | None:
    return None


def _no_tasks(session: Session, ids: Collection[int]) -> dict[int, Any]:
    return {}
