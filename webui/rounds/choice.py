"""Which round the ledger, the dashboard, the bulletin and the public pages show: `?round=ID` chooses one,
`?round=all` every round (全部批次, the city-wide view); the choice is kept in the session while the person moves
between these pages, and every round is shown until one is chosen."""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, request, session

from engine.features.rounds.usecases import RoundView
from webui.extensions import engine
from webui.params import query_id

PARAMETER = "round"
EVERY_ROUND = "all"
SESSION_KEY = "round"


@dataclass(frozen=True)
class RoundChoice:
    rounds: list[RoundView]
    chosen: RoundView | None

    @property
    def chosen_id(self) -> int | None:
        return self.chosen.id if self.chosen else None

    @property
    def value(self) -> str:
        """What the selector's `round` parameter says for this choice."""
        return str(self.chosen.id) if self.chosen else EVERY_ROUND


def round_choice() -> RoundChoice:
    """The round chosen by this request's parameter, else the one kept in the session (once per request)."""
    if "round_choice" not in g:
        rounds = engine().rounds.rounds()
        asked = request.args.get(PARAMETER)
        if asked is not None:
            session[SESSION_KEY] = asked if asked == EVERY_ROUND else query_id(asked)
        kept = session.get(SESSION_KEY)
        g.round_choice = RoundChoice(rounds, next((r for r in rounds if r.id == kept), None))
    choice: RoundChoice = g.round_choice
    return choice


def chosen_round_id() -> int | None:
    return round_choice().chosen_id


def round_name(round_id: int) -> str:
    """A round's name, for a page that shows which round a task answers (the rounds read once a request)."""
    return next((found.name for found in round_choice().rounds if found.id == round_id), "")
