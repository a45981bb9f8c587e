"""Artifacts and data: groups, text annotations, data objects (with inputs and outputs) and data stores."""

from __future__ import annotations

from webui.diagram.bpmn import element_name, label_bounds
from webui.diagram.colours import model_colours
from webui.diagram.geometry import Box
from webui.diagram.glyphs import MARKERS
from webui.diagram.labels import external_label, label_width
from webui.diagram.model import Ctx, Drawn, Item
from webui.diagram.svg import num, svg_glyph, svg_rect, svg_text
from webui.diagram.text import LABEL_SIZE, block_height, block_width, wrap


def draw_group(item: Item, box: Box, ctx: Ctx) -> Drawn:
    name = element_name(item.sem, ctx.index)
    rect = svg_rect(box, 10, model_colours(item, ctx))
    bounds = label_bounds(item.di)
    if bounds is not None:
        label = svg_text(wrap(name, label_width(bounds), LABEL_SIZE), bounds.cx, bounds.y, LABEL_SIZE, "label")
    else:
        label = svg_text(wrap(name, box.w - 10, LABEL_SIZE), box.cx, box.y + 4, LABEL_SIZE, "label")
    return Drawn(["shape", "artifact", "group"], rect + label, (box.cx, box.bottom), name)


def draw_annotation(item: Item, box: Box, ctx: Ctx) -> Drawn:
    name = element_name(item.sem, ctx.index)
    bracket = (
        f'<path class="body" d="M{num(box.x + 10)},{num(box.y)}H{num(box.x)}V{num(box.bottom)}H{num(box.x + 10)}"/>'
    )
    lines = wrap(name, box.w - 10, LABEL_SIZE)
    label = svg_text(lines, box.x + 5, box.y + 4, LABEL_SIZE, "label", anchor="start")
    ctx.extent.add(box.x + 5 + block_width(lines, LABEL_SIZE), box.y + 4 + block_height(lines, LABEL_SIZE))
    return Drawn(["shape", "artifact", "textAnnotation"], bracket + label, (box.cx, box.bottom), name)


def draw_data_object(item: Item, box: Box, ctx: Ctx) -> Drawn:
    name = element_name(item.sem, ctx.index)
    fold = min(box.w, box.h) * 0.35
    page = (
        f'<path class="body" d="M{num(box.x)},{num(box.y)}H{num(box.right - fold)}L{num(box.right)},'
        f'{num(box.y + fold)}V{num(box.bottom)}H{num(box.x)}Z"{model_colours(item, ctx)}/>'
        f'<path class="inner" d="M{num(box.right - fold)},{num(box.y)}V{num(box.y + fold)}H{num(box.right)}"/>'
    )
    markers = _data_markers(item, ctx, box)
    label, below = external_label(name, item, box, ctx)
    return Drawn(["shape", "data", item.kind], page + markers + label, (box.cx, below), name)


def _data_markers(item: Item, ctx: Ctx, box: Box) -> str:
    svg = ""
    if item.kind in ("dataInput", "dataOutput"):
        arrow = '<path d="M0,3H6V0L11,5L6,10V7H0Z"/>'
        svg += svg_glyph(box.x + 3, box.y + 3, 1.0, arrow, "filled" if item.kind == "dataOutput" else "")
    target = ctx.index.get(item.sem.get("dataObjectRef", "")) if item.kind == "dataObjectReference" else item.sem
    if target is not None and target.get("isCollection") == "true":
        svg += svg_glyph(box.cx - 6, box.bottom - 14, 1.0, MARKERS["parallel"], "marker-collection")
    return svg


def draw_data_store(item: Item, box: Box, ctx: Ctx) -> Drawn:
    name = element_name(item.sem, ctx.index)
    ry = min(box.h * 0.12, 8.0)
    rx = box.w / 2
    x0, x1, top, bottom = num(box.x), num(box.right), box.y + ry, box.bottom - ry
    body = (
        f'<path class="body" d="M{x0},{num(top)}A{num(rx)},{num(ry)} 0 0 1 {x1},{num(top)}V{num(bottom)}'
        f'A{num(rx)},{num(ry)} 0 0 1 {x0},{num(bottom)}Z"{model_colours(item, ctx)}/>'
    )
    rim_ys = [num(top + k * ry * 0.6) for k in range(3)]
    rims = "".join(f'<path class="inner" d="M{x0},{y}A{num(rx)},{num(ry)} 0 0 0 {x1},{y}"/>' for y in rim_ys)
    label, below = external_label(name, item, box, ctx)
    return Drawn(["shape", "data", item.kind], body + rims + label, (box.cx, below), name)
