"""Placing names: centred inside a shape, outside it (in the DI label bounds or under it), or along a flow.

Every label placed here widens the drawing's extent, so no text is cut off by the viewBox.
"""

from __future__ import annotations

from webui.diagram.bpmn import label_bounds
from webui.diagram.geometry import Box, midpoint
from webui.diagram.model import Ctx, Item
from webui.diagram.svg import svg_text
from webui.diagram.text import FIT_SIZES, LABEL_SIZE, block_height, block_width, fit, text_width, try_fit, wrap


def centered_label(text: str, box: Box, ctx: Ctx, reserve: float, type_marker: bool) -> str:
    """Name centred inside a shape (tasks, collapsed sub-processes); ``reserve`` keeps the marker row free."""
    width, room = box.w - 8, box.h - reserve - 4
    # Under a task-type glyph a slightly smaller font is better than writing over the glyph.
    fitted = try_fit(text, width, room - 18, FIT_SIZES[:3]) if type_marker else None
    lines, size = fitted or fit(text, width, room)
    height = block_height(lines, size)
    top = box.y + (box.h - reserve - height) / 2
    if type_marker and lines and top < box.y + 22 and box.cx - text_width(lines[0], size) / 2 < box.x + 26:
        # Step below the task-type glyph when there is room, rather than writing over it.
        top = max(top, min(box.y + 22, box.bottom - reserve - height))
    add_text_extent(ctx, lines, box.cx, top, size)
    return svg_text(lines, box.cx, max(top, box.y + 2), size, "label")


def external_label(text: str, item: Item, box: Box, ctx: Ctx) -> tuple[str, float]:
    """Label outside a shape (events, gateways, data): in its DI label bounds, else under the shape.

    Returns the SVG and the y just below the label, where a highlight note can go.
    """
    bounds = label_bounds(item.di)
    if not text.strip():
        return "", box.bottom
    if bounds is not None:
        lines, cx, top = _in_bounds(text, bounds)
    else:
        lines, cx, top = wrap(text, max(90.0, box.w), LABEL_SIZE), box.cx, box.bottom + 4
    below = top + block_height(lines, LABEL_SIZE) if top >= box.cy else box.bottom
    return _outside_label(lines, cx, top, ctx), below


def edge_label(name: str, item: Item, ctx: Ctx) -> tuple[str, float]:
    """A flow's name: in its DI label bounds, else above the middle of the line; and the y below it."""
    if not name.strip():
        return "", 0.0
    bounds = label_bounds(item.di)
    if bounds is not None:
        lines, cx, top = _in_bounds(name, bounds)
    else:
        lines = wrap(name, 90, LABEL_SIZE)
        cx, mid_y = midpoint(item.points)
        top = mid_y - block_height(lines, LABEL_SIZE) - 3
    return _outside_label(lines, cx, top, ctx), top + block_height(lines, LABEL_SIZE)


def label_width(bounds: Box) -> float:
    # Label bounds are measured with the modeler's font; allow a little slack before wrapping.
    return bounds.w * 1.15 + 6


def _in_bounds(text: str, bounds: Box) -> tuple[list[str], float, float]:
    """Lines, centre x and top of a label centred in its DI bounds (from their top when it is taller)."""
    lines = wrap(text, label_width(bounds), LABEL_SIZE)
    height = block_height(lines, LABEL_SIZE)
    top = bounds.cy - height / 2 if height <= bounds.h + 4 else bounds.y
    return lines, bounds.cx, top


def _outside_label(lines: list[str], cx: float, top: float, ctx: Ctx) -> str:
    add_text_extent(ctx, lines, cx, top, LABEL_SIZE)
    return svg_text(lines, cx, top, LABEL_SIZE, "label external")


def add_text_extent(ctx: Ctx, lines: list[str], cx: float, top: float, size: float) -> None:
    width = block_width(lines, size)
    if lines:
        ctx.extent.add_box(Box(cx - width / 2, top, max(width, 1), block_height(lines, size)))
