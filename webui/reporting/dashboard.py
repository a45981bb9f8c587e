"""The leaders' dashboard: one page that answers "where are we?"."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, g, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from engine.core.statuses import TaskStatus
from engine.features.escalation.queries import UNDER_WAY
from engine.features.rectification.queries import LedgerFilters
from engine.features.reporting.dashboard import Dashboard, GroupRow, MonthPoint
from webui.auth.routes import LEADER_ROLE
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.reporting import charts
from webui.rounds.choice import chosen_round_id, round_choice

bp = Blueprint("dashboard", __name__, template_folder="templates")


def ledger_url(**filters: Any) -> str:
    """The ledger filtered as given (None, "" and False leave a filter out), encoded as url_for does.

    The dashboard links every number and every bar to the ledger, some 1,500 links for a province: the
    ledger's path is built once a request, the query here (url_for would take ~20 µs a link)."""
    if "ledger_path" not in g:
        g.ledger_path = url_for("tasks.ledger")
    chosen = chosen_round_id()
    pairs = [(key, value) for key, value in filters.items() if value not in (None, "", False)]
    query = urlencode([("round", chosen), *pairs] if chosen else pairs, safe=URL_SAFE)
    return f"{g.ledger_path}?{query}" if query else g.ledger_path


#: what url_for leaves unquoted in a query (werkzeug.urls._urlencode)
URL_SAFE = "!$'()*,/:;?@"
#: a bar chart of more groups than this (a province's hundred lead units) shows the ones with the most tasks
CHART_GROUPS = 20


@bp.route("/dashboard")
@login_required
@permission_required("dashboard.view")
def index() -> str:
    board = engine().reporting.dashboard(current_actor(), chosen_round_id())
    return render_template("reporting/dashboard.html", board=board, charts=drawn_charts(board),
                           ledger_url=ledger_url, statuses=list(TaskStatus), chart_groups=CHART_GROUPS,
                           desk=leader_desk(), under_way=UNDER_WAY, rounds=round_choice())


def leader_desk() -> dict[str, Any] | None:
    """A leader's own: the tasks they lead and what waits for their approval, on top of their dashboard."""
    actor = current_actor()
    if actor.role != LEADER_ROLE:
        return None
    return {"approvals": engine().work.inbox(actor), "leader_id": actor.user_id,
            "tasks": engine().tasks.ledger(actor, LedgerFilters(round_id=chosen_round_id(), leader_id=actor.user_id))}


def charted(rows: Sequence[GroupRow]) -> list[GroupRow]:
    """The groups a bar chart shows: all of them, or the CHART_GROUPS with the most tasks (in the table's order);
    the table beside the chart lists every one."""
    if len(rows) <= CHART_GROUPS:
        return list(rows)
    largest = {row.id for row in sorted(rows, key=lambda row: -row.statuses.total)[:CHART_GROUPS]}
    return [row for row in rows if row.id in largest]


#: the charts drawn, by language, round and the figures they show: pygal takes half the page's time, and the figures
#: change far less often than the page is read (a summary the sweep counted stays for a minute); the key is every
#: figure drawn, so a changed figure is drawn anew (a few are kept: one per round and language)
_DRAWN: dict[tuple[str, str, str], dict[str, Any]] = {}
DRAWN_KEPT = 16


def drawn_charts(board: Dashboard) -> dict[str, Any]:
    """The dashboard's charts, as drawn for the first reader of these figures in that language."""
    key = (str(get_locale()), str(chosen_round_id()), repr(board))  # the links name the round chosen
    if key not in _DRAWN:
        if len(_DRAWN) >= DRAWN_KEPT:
            _DRAWN.clear()
        _DRAWN[key] = dashboard_charts(board)
    return _DRAWN[key]


def dashboard_charts(board: Dashboard) -> dict[str, Any]:
    def by(filter_name: str, lead: bool = False) -> Any:
        return lambda row, status: ledger_url(**{filter_name: row.id, "status": status.value, "lead": int(lead)})

    def curve_link(point: MonthPoint) -> str:
        return ledger_url(closed_by=point.period)

    def behind_link(row: GroupRow, key: str) -> str:
        return ledger_url(unit=row.id, lead=1, **({"overdue": 1} if key == "overdue" else {"warning": key}))

    return {
        "status": charts.status_pie(board.statuses, ledger_url),
        "warning": charts.warning_pie(board.warnings, ledger_url),
        "curve": charts.completion_curve(board.curve, curve_link) if board.curve else None,
        "categories": charts.status_bars(charted(board.categories), by("category"), _("按类别")),
        "units": charts.status_bars(charted(board.units), by("unit", lead=True), _("按牵头单位")),
        "leaders": charts.status_bars(charted(board.leaders), by("leader"), _("按牵头市领导")),
        "behind": charts.behind_bars(board.behind, behind_link) if board.behind else None,
    }
