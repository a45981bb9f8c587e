"""Gateways: a diamond with the symbol of its kind."""

from __future__ import annotations

from webui.diagram.bpmn import element_name
from webui.diagram.colours import model_colours
from webui.diagram.geometry import Box
from webui.diagram.glyphs import GATEWAY_GLYPHS
from webui.diagram.labels import external_label
from webui.diagram.model import Ctx, Drawn, Item
from webui.diagram.svg import num, svg_glyph


def draw_gateway(item: Item, box: Box, ctx: Ctx) -> Drawn:
    name = element_name(item.sem, ctx.index)
    diamond = (
        f'<path class="body" d="M{num(box.cx)},{num(box.y)}L{num(box.right)},{num(box.cy)}'
        f'L{num(box.cx)},{num(box.bottom)}L{num(box.x)},{num(box.cy)}Z"{model_colours(item, ctx)}/>'
    )
    marker = _gateway_marker(item)
    label, below = external_label(name, item, box, ctx)
    glyph = (
        svg_glyph(box.cx, box.cy, min(box.w, box.h) / 50, GATEWAY_GLYPHS[marker], f"marker-{marker}") if marker else ""
    )
    return Drawn(["shape", "gateway", item.kind], diamond + glyph + label, (box.cx, below), name)


def _gateway_marker(item: Item) -> str:
    kind = item.kind
    if kind == "exclusiveGateway":
        # The X is optional in BPMN; draw it only where the modeler chose to show it.
        return "exclusive" if item.di.get("isMarkerVisible") == "true" else ""
    if kind == "eventBasedGateway":
        if item.sem.get("eventGatewayType") == "Parallel":
            return "parallelEventBased"
        return "eventBasedStart" if item.sem.get("instantiate") == "true" else "eventBased"
    return kind.removesuffix("Gateway")
