"""A task's process diagram: the engine says where the process has been; the renderer draws it."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import get_locale
from flask_babel import gettext as _
from lxml import etree
from markupsafe import Markup

from engine.features.accounts.preferences import LOCALES
from webui.diagram import DiagramError, Highlight, render_svg
from webui.extensions import engine
from webui.extraction import BPMN_NS
from webui.formatting import local_date
from webui.i18n import parenthetical, translated

if TYPE_CHECKING:
    from engine.workflow.progress import NodeState, ProcessPath


def task_diagram(path: ProcessPath | None, title: str) -> Markup:
    """Inline SVG for the task page, or "" when there is nothing to draw."""
    if path is None:
        return Markup("")
    highlights = {element: Highlight(state.state, _note(state)) for element, state in path.nodes.items()}
    legend = {"done": _("已完成"), "current": _("当前办理"), "waiting": _("等待中"), "cancelled": _("已取消"),
              "taken": _("已走过的流转")}
    try:
        svg = render_svg(translated_names(path.bpmn_xml), highlights, path.flows_taken, title, legend_labels=legend,
                         natural_size=True)
    except DiagramError:
        return Markup("")  # a workflow file without diagram information still runs; the page just has no picture
    return Markup(svg)  # noqa: S704 - the renderer escapes every text it draws (tested)


def translated_names(bpmn_xml: str) -> str | bytes:
    """The workflow with its element names (steps, lanes, gateways, flows) in the reader's language."""
    if str(get_locale()) == LOCALES[0]:
        return bpmn_xml
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(bpmn_xml.encode(), parser)
    for element in root.iter(f"{{{BPMN_NS}}}*"):
        if element.get("name"):
            element.set("name", translated(element.get("name")))
    return etree.tostring(root)


def _note(state: NodeState) -> str:
    if state.state == "current":
        who = translated(engine().roles.role_name(state.role)) + (parenthetical(state.unit) if state.unit else "")
        due = _("，期限 %(date)s", date=local_date(state.due)) if state.due else ""
        return _("待 %(who)s 办理", who=who) + due
    if state.state == "waiting" and state.due:
        return _("到期 %(date)s", date=local_date(state.due))
    return ""
