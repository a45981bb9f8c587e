"""The demo city's rounds (督察批次): the central inspection its 35 tasks answer, and a later, smaller provincial one
whose tasks were registered in the last weeks and number from 1-1 again.

A later round's task is known to the builder as "<round key>:<code>" (its code alone is not unique in the city).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from engine.core.actor import Actor

if TYPE_CHECKING:
    from engine.app import Duban

#: the round the tasks of city.yaml's `tasks` answer
FIRST_ROUND = "central"
#: a later round's stage -> days before today it was registered
REGISTERED_DAYS_AGO = {"registered": 2, "assigned": 10, "plan_submitted": 14}


class RoundStories:
    """Mixed into engine.demo.DemoBuilder, which provides these."""

    sim: Duban
    content: dict[str, Any]
    round_ids: dict[str, int]
    today: date

    if TYPE_CHECKING:
        def at(self, when: datetime, action: Callable[[], None]) -> None: ...
        def _register_task(self, key: str, task: dict[str, Any], round_id: int) -> None: ...
        def _assign(self, code: str, task: dict[str, Any], plan_due: date) -> None: ...
        def _do_unit(self, code: str, task: dict[str, Any], who: str, form: str, **data: Any) -> None: ...
        def _person_of(self, task: dict[str, Any], who: str) -> Actor: ...

    def _enter_rounds(self) -> None:
        """The round init_database made becomes the central inspection; the later rounds are entered after it."""
        first, *later = self.content["rounds"]
        made = self.sim.rounds.current_id()
        assert made is not None  # noqa: S101 - init_database makes the first round
        self.sim.rounds.update(Actor.system(), made, _fields(first))
        self.round_ids = {first["key"]: made}
        for spec in later:
            self.round_ids[spec["key"]] = self.sim.rounds.create(Actor.system(), _fields(spec))

    def _all_tasks(self) -> list[dict[str, Any]]:
        """The tasks of every round (for the units whose people the demo needs)."""
        return [*self.content["tasks"], *(task for spec in self.content["rounds"] for task in spec.get("tasks", []))]

    def _later_rounds_history(self, recent: datetime) -> None:
        for spec in self.content["rounds"][1:]:
            for task in spec.get("tasks", []):
                self._later_task(f"{spec['key']}:{task['code']}", task, self.round_ids[spec["key"]], recent)

    def _later_task(self, key: str, task: dict[str, Any], round_id: int, recent: datetime) -> None:
        stage = task["stage"]
        registered = recent - timedelta(days=REGISTERED_DAYS_AGO[stage])
        self.at(registered, lambda: self._register_task(key, task, round_id))
        if stage == "registered":
            return
        self.at(registered + timedelta(days=1), lambda: self._assign(key, task, self.today + timedelta(days=20)))
        if stage == "plan_submitted":
            self.at(registered + timedelta(days=8), lambda: self._do_unit(
                key, task, "staff", "plan_draft", content=f"{task['target']}\n具体措施：\n{task['measures']}",
                milestones="第一阶段：排查建立问题清单；第二阶段：实施整改；第三阶段：验收销号。", completion_date=None,
                contact=f"{self._person_of(task, 'staff').display_name} 0830-0000000"))
            self.at(registered + timedelta(days=9), lambda: self._do_unit(key, task, "head", "plan_sign",
                                                                          decision="submit", comment=""))


def _fields(spec: dict[str, Any]) -> dict[str, Any]:
    return {"name": spec["name"], "body": spec.get("body", ""), "description": spec.get("description", ""),
            **{name: spec[name].isoformat() if spec.get(name) else None
               for name in ("started_on", "ended_on", "feedback_on")}}
