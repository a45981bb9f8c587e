"""Activities: tasks, sub-processes and call activities, collapsed (a rounded box) or expanded (a frame)."""

from __future__ import annotations

from lxml import etree

from webui.diagram.bpmn import element_name, is_expanded, local_name
from webui.diagram.colours import model_colours
from webui.diagram.geometry import Box
from webui.diagram.glyphs import MARKERS, TASK_GLYPHS
from webui.diagram.labels import centered_label
from webui.diagram.model import COLLAPSIBLE, MODEL, TASKS, Ctx, Drawn, Item
from webui.diagram.svg import svg_glyph, svg_rect, svg_text
from webui.diagram.text import NAME_SIZE, wrap


def draw_task(item: Item, box: Box, ctx: Ctx) -> Drawn:
    """Tasks, collapsed sub-processes and collapsed call activities: a rounded box with markers."""
    name = element_name(item.sem, ctx.index)
    body = _activity_body(item, ctx, box)
    type_marker = _task_type_marker(_task_type(item, ctx), box)
    markers = _bottom_markers(item, ctx, box)
    label = centered_label(name, box, ctx, reserve=14 if markers else 0, type_marker=bool(type_marker))
    classes = ["shape", _activity_class(item.kind), item.kind, *_activity_flags(item, ctx)]
    return Drawn(classes, body + type_marker + markers + label, (box.cx, box.bottom), name)


def draw_expanded(item: Item, box: Box, ctx: Ctx) -> Drawn:
    name = element_name(item.sem, ctx.index)
    lines = wrap(name, box.w - 16, NAME_SIZE)
    label = svg_text(lines, box.x + 8, box.y + 4, NAME_SIZE, "label", anchor="start")
    body = _activity_body(item, ctx, box) + _bottom_markers(item, ctx, box)
    classes = ["shape", _activity_class(item.kind), item.kind, "expanded", *_activity_flags(item, ctx)]
    return Drawn(classes, body + label, (box.cx, box.bottom), name)


def _activity_class(kind: str) -> str:
    if kind in TASKS:
        return "task"
    return "callActivity" if kind == "callActivity" else "subprocess"


def _activity_flags(item: Item, ctx: Ctx) -> list[str]:
    flags = []
    if item.sem.get("triggeredByEvent") == "true":
        flags.append("eventSubProcess")
    if item.kind in COLLAPSIBLE and not is_expanded(item, ctx):
        flags.append("collapsed")
    return flags


def _activity_body(item: Item, ctx: Ctx, box: Box) -> str:
    body = svg_rect(box, 10, model_colours(item, ctx))
    if item.kind == "transaction":
        # Transactions have a double border.
        inner = Box(box.x + 3, box.y + 3, box.w - 6, box.h - 6)
        body += svg_rect(inner, 7, cls="inner")
    return body


def _task_type(item: Item, ctx: Ctx) -> str:
    """The task kind whose glyph goes top-left; a call activity shows the global task it calls."""
    if item.kind in TASKS:
        return item.kind
    called = _called_global_task(item, ctx) if item.kind == "callActivity" else None
    if called is not None:
        kind = local_name(called)[len("global") :]
        return kind[:1].lower() + kind[1:]
    return ""


def _called_global_task(item: Item, ctx: Ctx) -> etree._Element | None:
    """The global task (globalUserTask …) a call activity calls, if it calls one."""
    called = ctx.index.get(item.sem.get("calledElement", ""))
    return called if called is not None and local_name(called).startswith("global") else None


def _bottom_markers(item: Item, ctx: Ctx, box: Box) -> str:
    """Loop / multi-instance / [+] / ad-hoc / compensation markers centred at the bottom edge."""
    names = _loop_marker_names(item)
    if item.kind in COLLAPSIBLE and not is_expanded(item, ctx) and _called_global_task(item, ctx) is None:
        names.append("collapsed")
    if item.kind == "adHocSubProcess":
        names.append("adhoc")
    if item.sem.get("isForCompensation") == "true":
        names.append("compensation")
    start = box.cx - (len(names) * 16 - 4) / 2
    return "".join(
        svg_glyph(start + 16 * i, box.bottom - 17, 1.0, MARKERS[name], f"marker-{name}") for i, name in enumerate(names)
    )


def _loop_marker_names(item: Item) -> list[str]:
    if item.sem.find(f"{{{MODEL}}}standardLoopCharacteristics") is not None:
        return ["loop"]
    multi = item.sem.find(f"{{{MODEL}}}multiInstanceLoopCharacteristics")
    if multi is not None:
        return ["sequential" if multi.get("isSequential") == "true" else "parallel"]
    return []


def _task_type_marker(task_type: str, box: Box) -> str:
    glyph = TASK_GLYPHS.get(task_type)
    if glyph is None:
        return ""
    svg, filled = glyph
    return svg_glyph(box.x + 7, box.y + 6, 1.0, svg, "filled" if filled else "")
