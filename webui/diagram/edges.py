"""Flows: sequence flows (default slash, condition diamond), message flows and associations, with arrowheads."""

from __future__ import annotations

from collections.abc import Callable

from webui.diagram.bpmn import element_name, local_name, model_children
from webui.diagram.colours import edge_colour
from webui.diagram.geometry import Point, end_direction, midpoint, start_direction, trim
from webui.diagram.labels import edge_label
from webui.diagram.model import ACTIVITIES, Ctx, Drawn, Item
from webui.diagram.svg import num, path_d


def arrowhead(points: tuple[Point, ...], at_start: bool, filled: bool, length: float = 11) -> str:
    tip, left, right = _arrow_corners(points, at_start, length, 0.32)
    cls = "arrow filled" if filled else "arrow"
    return f'<path class="{cls}" d="{path_d((tip, left, right))}Z"/>'


def _open_arrow(points: tuple[Point, ...], at_start: bool, length: float = 10) -> str:
    tip, left, right = _arrow_corners(points, at_start, length, 0.45)
    return f'<path class="arrow open" d="{path_d((left, tip, right))}"/>'


def _arrow_corners(
    points: tuple[Point, ...], at_start: bool, length: float, spread: float
) -> tuple[Point, Point, Point]:
    """Tip and the two back corners of an arrow at one end of the line, each ``spread`` × ``length`` off its axis."""
    tip, (ux, uy) = end_direction(points, at_start)
    bx, by = tip[0] - ux * length, tip[1] - uy * length
    half = length * spread
    return tip, (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)


def draw_edge(item: Item, ctx: Ctx) -> Drawn:
    name = element_name(item.sem, ctx.index)
    decorate = _EDGE_DECORATORS.get(item.kind, _decorate_association)
    line_points, decorations = decorate(item, ctx)
    line = f'<path class="line" d="{path_d(line_points)}"/>'
    label, below = edge_label(name, item, ctx)
    mid = midpoint(item.points)
    note_at = (mid[0], below if label else mid[1] + 4)
    return Drawn(["flow", item.kind], line + decorations, note_at, name, overlay=label, colour=edge_colour(item, ctx))


def _decorate_sequence(item: Item, ctx: Ctx) -> tuple[tuple[Point, ...], str]:
    points, svg = item.points, arrowhead(item.points, at_start=False, filled=True)
    source = ctx.index.get(item.sem.get("sourceRef", ""))
    if source is not None and source.get("default") == item.sem.get("id"):
        svg += _default_slash(points)
    elif source is not None and local_name(source) in ACTIVITIES and model_children(item.sem, "conditionExpression"):
        svg += _condition_diamond(points)
        points = trim(points, 14, at_start=True)
    return trim(points, 9, at_start=False), svg


def _default_slash(points: tuple[Point, ...]) -> str:
    start, (ux, uy) = start_direction(points)
    px, py = start[0] + ux * 11, start[1] + uy * 11
    a = (px - uy * 5 - ux * 3, py + ux * 5 - uy * 3)
    b = (px + uy * 5 + ux * 3, py - ux * 5 + uy * 3)
    return f'<path class="line slash" d="{path_d((a, b))}"/>'


def _condition_diamond(points: tuple[Point, ...]) -> str:
    start, (ux, uy) = start_direction(points)
    mid = (start[0] + ux * 7, start[1] + uy * 7)
    corners = [
        start,
        (mid[0] - uy * 4, mid[1] + ux * 4),
        (start[0] + ux * 14, start[1] + uy * 14),
        (mid[0] + uy * 4, mid[1] - ux * 4),
    ]
    return f'<path class="arrow condition" d="{path_d(corners)}Z"/>'


def _decorate_message(item: Item, ctx: Ctx) -> tuple[tuple[Point, ...], str]:
    start, (ux, uy) = end_direction(item.points, at_start=True)
    circle = f'<circle class="arrow" cx="{num(start[0] - ux * 4)}" cy="{num(start[1] - uy * 4)}" r="4"/>'
    svg = circle + arrowhead(item.points, at_start=False, filled=False) + _message_envelope(item)
    return trim(trim(item.points, 8, at_start=True), 9, at_start=False), svg


def _message_envelope(item: Item) -> str:
    kind = item.di.get("messageVisibleKind")
    if kind is None and item.di.get("isMessageVisible") != "true":
        return ""
    x, y = midpoint(item.points)
    cls = "envelope nonInitiating" if kind == "non_initiating" else "envelope"
    return (
        f'<g class="{cls}"><rect class="arrow" x="{num(x - 10)}" y="{num(y - 7)}" width="20" height="14"/>'
        f'<path class="arrow" d="M{num(x - 10)},{num(y - 7)}L{num(x)},{num(y)}L{num(x + 10)},{num(y - 7)}"/></g>'
    )


def _decorate_association(item: Item, ctx: Ctx) -> tuple[tuple[Point, ...], str]:
    direction = item.sem.get("associationDirection", "None")
    svg = ""
    if item.kind in ("dataInputAssociation", "dataOutputAssociation") or direction in ("One", "Both"):
        svg += _open_arrow(item.points, at_start=False)
    if direction == "Both":
        svg += _open_arrow(item.points, at_start=True)
    return item.points, svg


_EDGE_DECORATORS: dict[str, Callable[[Item, Ctx], tuple[tuple[Point, ...], str]]] = {
    "sequenceFlow": _decorate_sequence,
    "messageFlow": _decorate_message,
}
