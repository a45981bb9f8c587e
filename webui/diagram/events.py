"""Events: a circle (double for intermediate and boundary events) with the symbol of its event definition."""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

from webui.diagram.bpmn import element_name, local_name, model_children
from webui.diagram.colours import model_colours
from webui.diagram.geometry import Box
from webui.diagram.glyphs import EVENT_GLYPHS
from webui.diagram.labels import external_label
from webui.diagram.model import THROWING, Ctx, Drawn, Item
from webui.diagram.svg import num, svg_glyph


def _event_definitions(sem: etree._Element, index: Mapping[str, etree._Element]) -> list[str]:
    kinds = [local_name(c) for c in sem if isinstance(c.tag, str) and local_name(c).endswith("EventDefinition")]
    for ref in model_children(sem, "eventDefinitionRef"):
        target = index.get((ref.text or "").strip())
        if target is not None:
            kinds.append(local_name(target))
    return [k.removesuffix("EventDefinition") for k in kinds]


def _event_marker_name(item: Item, ctx: Ctx) -> str:
    kinds = _event_definitions(item.sem, ctx.index)
    if len(kinds) > 1:
        return "parallelMultiple" if item.sem.get("parallelMultiple") == "true" else "multiple"
    return kinds[0] if kinds else ""


def draw_event(item: Item, box: Box, ctx: Ctx) -> Drawn:
    name = element_name(item.sem, ctx.index)
    marker = _event_marker_name(item, ctx)
    r = min(box.w, box.h) / 2
    colours = model_colours(item, ctx)
    svg = f'<circle class="body" cx="{num(box.cx)}" cy="{num(box.cy)}" r="{num(r)}"{colours}/>'
    if item.kind in ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"):
        svg += f'<circle class="inner" cx="{num(box.cx)}" cy="{num(box.cy)}" r="{num(max(r - 3, 1))}"/>'
    svg += _event_glyph(marker, item.kind in THROWING, box, r)
    label, below = external_label(name, item, box, ctx)
    classes = ["shape", "event", item.kind, *([marker] if marker else []), *_event_flags(item)]
    return Drawn(classes, svg + label, (box.cx, below), name)


def _event_flags(item: Item) -> list[str]:
    interrupting = item.sem.get("cancelActivity", item.sem.get("isInterrupting", "true"))
    return ["nonInterrupting"] if interrupting == "false" else []


def _event_glyph(marker: str, throwing: bool, box: Box, r: float) -> str:
    svg = EVENT_GLYPHS.get(marker)
    if svg is None:
        return ""
    # Glyphs are drawn for an 18-radius event centred on the origin.
    filled = throwing or marker == "terminate"
    return svg_glyph(box.cx, box.cy, r / 18, svg, "filled" if filled and marker != "conditional" else "")
