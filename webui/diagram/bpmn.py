"""Reading a BPMN file: the model elements by id, the diagram plane to draw, its shapes and edges, and names."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from lxml import etree

from webui.diagram.geometry import Box, Point
from webui.diagram.model import BPMNDI, COLLAPSIBLE, DATA_OBJECTS, DC, DI, MODEL, SUBPROCESSES, Ctx, DiagramError, Item


def parse(bpmn_xml: str | bytes) -> etree._Element:
    if isinstance(bpmn_xml, str):
        # lxml refuses str input that declares an encoding; the text is already decoded, so drop it.
        bpmn_xml = re.sub(r"^\ufeff?\s*<\?xml[^>]*\?>", "", bpmn_xml, count=1).encode("utf-8")
    # No DTDs, entities or network: the file may come from an upload.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)
    try:
        root = etree.fromstring(bpmn_xml, parser)
    except etree.XMLSyntaxError as exc:
        raise DiagramError(f"not a well-formed XML file: {exc.msg} (line {exc.lineno})") from exc
    if root.tag != f"{{{MODEL}}}definitions":
        qname = etree.QName(root)
        raise DiagramError(
            f"not a BPMN 2.0 file: the root element is <{qname.localname}> in namespace "
            f"{qname.namespace or '(none)'}, expected <definitions> in {MODEL}"
        )
    return root


def file_name(root: etree._Element) -> str:
    name = root.get("name") or root.get("id")
    return f"BPMN file {name!r}" if name else "this BPMN file"


def index_by_id(root: etree._Element) -> dict[str, etree._Element]:
    """All semantic (BPMN model namespace) elements by id."""
    index: dict[str, etree._Element] = {}
    for el in root.iter(f"{{{MODEL}}}*"):
        el_id = el.get("id")
        if el_id and el_id not in index:
            index[el_id] = el
    return index


def pick_plane(root: etree._Element, index: dict[str, etree._Element]) -> etree._Element:
    diagrams = root.findall(f"{{{BPMNDI}}}BPMNDiagram")
    planes = [p for d in diagrams if (p := d.find(f"{{{BPMNDI}}}BPMNPlane")) is not None]
    if not planes:
        raise DiagramError(f"{file_name(root)} has no diagram information (bpmndi:BPMNDiagram)")
    # Drill-down diagrams of sub-processes come after the main one in some tools, but not always.
    for plane in planes:
        target = index.get(plane.get("bpmnElement", ""))
        if target is not None and local_name(target) in ("collaboration", "process"):
            return plane
    return planes[0]


def collect_items(plane: etree._Element, index: dict[str, etree._Element]) -> list[Item]:
    items: list[Item] = []
    for di in plane.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge"):
        sem = index.get(di.get("bpmnElement", ""))
        if sem is None:
            continue  # DI that points nowhere: the model was edited without its layout
        item = _make_item(di, sem)
        if item is not None:
            items.append(item)
    return items


def _make_item(di: etree._Element, sem: etree._Element) -> Item | None:
    kind = local_name(sem)
    if local_name(di) == "BPMNEdge":
        points = _waypoints(di)
        return Item(di, sem, kind, points=points) if len(points) >= 2 else None
    box = _bounds(di)
    return Item(di, sem, kind, box=box) if box is not None else None


def _bounds(el: etree._Element | None) -> Box | None:
    bounds = el.find(f"{{{DC}}}Bounds") if el is not None else None
    if bounds is None:
        return None
    try:
        box = Box(*(float(bounds.get(k, "")) for k in ("x", "y", "width", "height")))
    except ValueError:
        return None
    return box if box.w > 0 and box.h > 0 and all(map(math.isfinite, (box.x, box.y, box.w, box.h))) else None


def _waypoints(di: etree._Element) -> tuple[Point, ...]:
    points: list[Point] = []
    for wp in di.findall(f"{{{DI}}}waypoint"):
        try:
            point = (float(wp.get("x", "")), float(wp.get("y", "")))
        except ValueError:
            continue
        if all(map(math.isfinite, point)):
            points.append(point)
    return tuple(points)


def label_bounds(di: etree._Element) -> Box | None:
    return _bounds(di.find(f"{{{BPMNDI}}}BPMNLabel"))


def local_name(el: etree._Element) -> str:
    return etree.QName(el).localname


def model_children(el: etree._Element, name: str) -> list[etree._Element]:
    return el.findall(f"{{{MODEL}}}{name}")


def nesting_depth(sem: etree._Element, kinds: frozenset[str] = SUBPROCESSES) -> int:
    """Nesting level inside containers of these kinds: inner shapes must be painted over their container."""
    return sum(1 for a in sem.iterancestors() if local_name(a) in kinds)


def is_expanded(item: Item, ctx: Ctx) -> bool:
    if item.kind not in COLLAPSIBLE:
        return False
    flag = item.di.get("isExpanded")
    if flag is not None:
        return flag == "true"
    # Older files omit isExpanded; a sub-process whose inner nodes are laid out here is expanded.
    return item.kind != "callActivity" and any(
        el.get("id") in ctx.drawn_ids for el in item.sem.iterdescendants(f"{{{MODEL}}}*")
    )


def element_name(sem: etree._Element, index: Mapping[str, etree._Element]) -> str:
    kind = local_name(sem)
    if kind == "textAnnotation":
        text = sem.find(f"{{{MODEL}}}text")
        return (text.text or "") if text is not None else ""
    if kind == "group":
        value = index.get(sem.get("categoryValueRef", ""))
        return value.get("value", "") if value is not None else ""
    name = sem.get("name", "")
    state = sem.find(f"{{{MODEL}}}dataState") if kind in DATA_OBJECTS | {"dataStoreReference"} else None
    state_name = state.get("name", "") if state is not None else ""
    # Some modelers already write the state into the name ("ID document [scanned]").
    if state_name and f"[{state_name}]" not in name:
        name = f"{name}\n[{state_name}]"
    return name
