"""Drawing one element: the drawer for its kind, its ``<g>`` (classes, tooltip, highlight note); paint order."""

from __future__ import annotations

from collections.abc import Callable

from webui.diagram.activities import draw_expanded, draw_task
from webui.diagram.artifacts import draw_annotation, draw_data_object, draw_data_store, draw_group
from webui.diagram.bpmn import is_expanded, nesting_depth
from webui.diagram.edges import draw_edge
from webui.diagram.events import draw_event
from webui.diagram.gateways import draw_gateway
from webui.diagram.geometry import Box, Point
from webui.diagram.labels import add_text_extent
from webui.diagram.model import COLLAPSIBLE, DATA_OBJECTS, EDGES, EVENTS, GATEWAYS, TASKS, Ctx, Drawn, Highlight, Item
from webui.diagram.svg import esc, svg_text
from webui.diagram.swimlanes import draw_lane, draw_participant
from webui.diagram.text import NOTE_SIZE, wrap

_ShapeDrawer = Callable[[Item, Box, Ctx], Drawn]
_LANES = frozenset({"lane"})


def boundary_boxes(items: list[Item]) -> dict[str, list[Box]]:
    boxes: dict[str, list[Box]] = {}
    for item in items:
        if item.kind == "boundaryEvent" and item.box is not None:
            boxes.setdefault(item.sem.get("attachedToRef", ""), []).append(item.box)
    return boxes


def paint_layer(item: Item, ctx: Ctx) -> tuple[int, int]:
    """Paint order: containers, expanded sub-processes, flows, nodes, boundary events, groups."""
    if item.kind == "participant":
        return (0, 0)
    if item.kind == "lane":
        return (1, nesting_depth(item.sem, _LANES))
    if item.box is None:
        return (3, 0)
    if is_expanded(item, ctx):
        return (2, nesting_depth(item.sem))
    if item.kind == "boundaryEvent":
        return (5, nesting_depth(item.sem))
    if item.kind == "group":
        return (6, 0)
    return (4, nesting_depth(item.sem))


def draw_item(item: Item, ctx: Ctx) -> str:
    drawn = draw_element(item, ctx)
    return group(item, drawn, ctx) if drawn is not None else ""


def draw_element(item: Item, ctx: Ctx) -> Drawn | None:
    """The element drawn by the drawer of its kind (None: not drawn), its place added to the extent."""
    if item.box is None:
        if item.kind not in EDGES:
            return None
        for x, y in item.points:
            ctx.extent.add(x, y)
        return draw_edge(item, ctx)
    drawer = _shape_drawer(item, ctx)
    if drawer is None:
        return None  # kinds this renderer does not know (conversations, choreographies) are left out
    ctx.extent.add_box(item.box)
    return drawer(item, item.box, ctx)


def _shape_drawer(item: Item, ctx: Ctx) -> _ShapeDrawer | None:
    if item.kind in TASKS:
        return draw_task
    if item.kind in COLLAPSIBLE:
        return draw_expanded if is_expanded(item, ctx) else draw_task
    return _SHAPE_DRAWERS.get(item.kind)


_SHAPE_DRAWERS: dict[str, _ShapeDrawer] = {
    "participant": draw_participant,
    "lane": draw_lane,
    "group": draw_group,
    "textAnnotation": draw_annotation,
    "dataStoreReference": draw_data_store,
    **dict.fromkeys(EVENTS, draw_event),
    **dict.fromkeys(GATEWAYS, draw_gateway),
    **dict.fromkeys(DATA_OBJECTS, draw_data_object),
}


def group(item: Item, drawn: Drawn, ctx: Ctx) -> str:
    """The element's ``<g>``: its classes and state, its tooltip; its overlay and note go on top of everything."""
    el_id = item.sem.get("id", "")
    highlight = ctx.highlights.get(el_id)
    classes = list(drawn.classes)
    if highlight is not None:
        classes.append(f"state-{highlight.state}")
    if item.box is None and el_id in ctx.flows_taken:
        classes.append("taken")
    tooltip = _tooltip(drawn.label, highlight)
    if drawn.overlay:
        ctx.overlays.append(f'<g class="flow-label" data-label-for="{esc(el_id)}">{drawn.overlay}</g>')
    note = _note(highlight, drawn.note_at, item, ctx)
    if note:
        # On top of everything: boundary events and their labels sit where the note would go.
        ctx.overlays.append(f'<g class="note-for" data-note-for="{esc(el_id)}">{note}</g>')
    style = f' style="color:{drawn.colour}"' if drawn.colour else ""
    return f'<g class="{esc(" ".join(classes))}" data-element-id="{esc(el_id)}"{style}>{tooltip}{drawn.svg}</g>'


def _tooltip(label: str, highlight: Highlight | None) -> str:
    parts = [p for p in (label.strip(), highlight.note.strip() if highlight else "") if p]
    return f"<title>{esc(chr(10).join(parts))}</title>" if parts else ""


def _note(highlight: Highlight | None, at: Point, item: Item, ctx: Ctx) -> str:
    """Small text under the shape: the note must be readable on paper, where there is no hover."""
    if highlight is None or not highlight.note.strip():
        return ""
    width = max(item.box.w if item.box else 0.0, 120.0)
    lines = wrap(highlight.note, width, NOTE_SIZE)
    top = max([at[1], *(b.bottom for b in ctx.boundary_boxes.get(item.sem.get("id", ""), []))]) + 2
    add_text_extent(ctx, lines, at[0], top, NOTE_SIZE)
    return svg_text(lines, at[0], top, NOTE_SIZE, "note")
