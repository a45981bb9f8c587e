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

from collections.abc import Iterable, Mapping

from webui.diagram.bpmn import collect_items, file_name, index_by_id, parse, pick_plane
from webui.diagram.document import DEFAULT_LEGEND, draw_legend, svg_document
from webui.diagram.drawing import boundary_boxes, draw_item, paint_layer
from webui.diagram.geometry import Extent
from webui.diagram.model import STATES, Ctx, DiagramError, Highlight

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
    """
    root = parse(bpmn_xml)
    index = index_by_id(root)
    plane = pick_plane(root, index)
    items = collect_items(plane, index)
    if not items:
        raise DiagramError(f"{file_name(root)} has a diagram with nothing to draw (no BPMNShape or BPMNEdge)")
    ctx = Ctx(
        index=index,
        drawn_ids=frozenset(item.sem.get("id", "") for item in items),
        highlights=highlights or {},
        flows_taken=frozenset(flows_taken or ()),
        extent=Extent(),
        boundary_boxes=boundary_boxes(items),
    )
    body = "".join(draw_item(item, ctx) for item in sorted(items, key=lambda it: paint_layer(it, ctx)))
    body += "".join(ctx.overlays)
    shows_progress = bool(ctx.highlights or ctx.flows_taken)
    legend = draw_legend(ctx, {**DEFAULT_LEGEND, **(legend_labels or {})}) if shows_progress else ""
    return svg_document(body + legend, ctx.extent, title, natural_size)
