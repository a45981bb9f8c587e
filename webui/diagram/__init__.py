"""Server-side BPMN diagram renderer: BPMN 2.0 XML with diagram interchange (DI) → self-contained SVG.

The picture is drawn from the file's own layout (bpmndi:BPMNShape bounds, bpmndi:BPMNEdge waypoints,
bpmndi:BPMNLabel bounds); nothing is laid out here.  The output has no script and no external
reference, so it can be inlined in a page, served as a file, or printed.

Every drawn element is one ``<g>`` carrying ``data-element-id`` (the BPMN id) and classes naming its kind
(``shape task userTask``, ``flow sequenceFlow`` …), so pages and tests can find it; highlights add
``state-done|state-current|state-waiting|state-cancelled`` and taken flows add ``taken``.

The modules, in the order a drawing goes through them: ``bpmn`` reads the file into items (``model``);
``drawing`` paints each item with the drawer of its kind (``activities``, ``events``, ``gateways``,
``swimlanes``, ``artifacts``, ``edges``), which build on ``glyphs``, ``labels``, ``colours``, ``text``, ``svg``
and ``geometry``; ``document`` puts the result in the SVG element with its stylesheet and legend.
Nothing but lxml and the standard library is needed, so the renderer runs without the web application.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from webui.diagram.bpmn import collect_items, file_name, index_by_id, parse, pick_plane
from webui.diagram.colours import has_model_colours
from webui.diagram.document import DEFAULT_LEGEND, draw_legend, svg_document
from webui.diagram.drawing import boundary_boxes, draw_element, group, paint_layer
from webui.diagram.geometry import Box, Extent
from webui.diagram.model import STATES, Ctx, DiagramError, Drawn, Highlight, Item

__all__ = ["STATES", "DiagramError", "Highlight", "render_svg"]


def render_svg(
    bpmn_xml: str | bytes,
    highlights: Mapping[str, Highlight] | None = None,
    flows_taken: Iterable[str] | None = None,
    title: str = "",
    *,
    legend_labels: Mapping[str, str] | None = None,
    natural_size: bool = False,
) -> str:
    """Draw the first process or collaboration diagram of a BPMN file as a standalone SVG string.

    ``legend_labels`` overrides the legend texts (keys: the states and "taken"), for translation.
    ``natural_size`` gives the SVG its drawn width and height (for a scrolling container) instead of
    scaling it to the width of its container.

    The file is drawn once without progress (``sketch_of``); a drawing with progress takes that and puts the
    elements it highlights and the flows it marks taken in groups of their own, with their notes.
    """
    sketch = sketch_of(bpmn_xml)
    ctx = Ctx(
        index=sketch.index,
        drawn_ids=sketch.drawn_ids,
        highlights=highlights or {},
        flows_taken=frozenset(flows_taken or ()),
        extent=copy.copy(sketch.extent),
        boundary_boxes=sketch.boundary_boxes,
    )
    groups = []
    for part in sketch.parts:
        el_id = part.item.sem.get("id", "")
        if el_id not in ctx.highlights and el_id not in ctx.flows_taken:
            groups.append(part.group)
            ctx.overlays.extend(part.overlays)
        elif part.drawn is not None:
            # the file's own colours give way to the highlight: such an element is drawn again
            drawn = (draw_element(part.item, ctx) if has_model_colours(part.item) else None) or part.drawn
            groups.append(group(part.item, drawn, ctx))
    body = "".join(groups) + "".join(ctx.overlays)
    shows_progress = bool(ctx.highlights or ctx.flows_taken)
    legend = draw_legend(ctx, {**DEFAULT_LEGEND, **(legend_labels or {})}) if shows_progress else ""
    return svg_document(body + legend, ctx.extent, title, natural_size)


@dataclass(frozen=True)
class Part:
    """One element as drawn without progress (None: a kind not drawn), its ``<g>`` and what it paints on top of
    everything."""

    item: Item
    drawn: Drawn | None
    group: str
    overlays: tuple[str, ...]


@dataclass(frozen=True)
class Sketch:
    """A file drawn without progress, in paint order, with the extent of the drawing."""

    index: dict[str, etree._Element]
    drawn_ids: frozenset[str]
    boundary_boxes: dict[str, list[Box]]
    parts: tuple[Part, ...]
    extent: Extent


@functools.lru_cache(maxsize=32)
def sketch_of(bpmn_xml: str | bytes) -> Sketch:
    """The drawing of a file without progress, made once per file (a deployed version never changes)."""
    root = parse(bpmn_xml)
    index = index_by_id(root)
    plane = pick_plane(root, index)
    items = collect_items(plane, index)
    if not items:
        raise DiagramError(f"{file_name(root)} has a diagram with nothing to draw (no BPMNShape or BPMNEdge)")
    ctx = Ctx(
        index=index,
        drawn_ids=frozenset(item.sem.get("id", "") for item in items),
        highlights={},
        flows_taken=frozenset(),
        extent=Extent(),
        boundary_boxes=boundary_boxes(items),
    )
    parts = []
    for item in sorted(items, key=lambda it: paint_layer(it, ctx)):
        painted_on_top = len(ctx.overlays)
        drawn = draw_element(item, ctx)
        drawn_group = group(item, drawn, ctx) if drawn is not None else ""
        parts.append(Part(item, drawn, drawn_group, tuple(ctx.overlays[painted_on_top:])))
    return Sketch(index, ctx.drawn_ids, ctx.boundary_boxes, tuple(parts), ctx.extent)
