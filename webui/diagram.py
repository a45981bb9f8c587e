"""Server-side BPMN diagram renderer: BPMN 2.0 XML with diagram interchange (DI) → self-contained SVG.

The picture is drawn from the file's own layout (bpmndi:BPMNShape bounds, bpmndi:BPMNEdge waypoints,
bpmndi:BPMNLabel bounds); nothing is laid out here.  The output has no script and no external
reference, so it can be inlined in a page, served as a file, or printed.

Every drawn element is one ``<g>`` carrying ``data-element-id`` (the BPMN id) and classes naming its kind
(``shape task userTask``, ``flow sequenceFlow`` …), so pages and tests can find it; highlights add
``state-done|state-current|state-waiting|state-cancelled`` and taken flows add ``taken``.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from lxml import etree

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
# Colour extensions written by modelers (OMG non-normative one, and bpmn.io's).
COLOR_NS = "http://www.omg.org/spec/BPMN/non-normative/color/1.0"
BIOC_NS = "http://bpmn.io/schema/bpmn/biocolor/1.0"

STATES = ("done", "current", "waiting", "cancelled")
DEFAULT_LEGEND = {
    "done": "已完成",
    "current": "当前办理",
    "waiting": "等待中",
    "cancelled": "已取消",
    "taken": "已走过的流转",
}
FONT_FAMILY = '"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif'

TASKS = frozenset(
    {"task", "userTask", "serviceTask", "scriptTask", "manualTask", "sendTask", "receiveTask", "businessRuleTask"}
)
SUBPROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
EVENTS = frozenset({"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"})
GATEWAYS = frozenset({"exclusiveGateway", "inclusiveGateway", "parallelGateway", "complexGateway", "eventBasedGateway"})
DATA_OBJECTS = frozenset({"dataObjectReference", "dataObject", "dataInput", "dataOutput"})
EDGES = frozenset({"sequenceFlow", "messageFlow", "association", "dataInputAssociation", "dataOutputAssociation"})
THROWING = frozenset({"intermediateThrowEvent", "endEvent"})

LABEL_SIZE = 11.0  # external labels (events, gateways, data, flows)
NAME_SIZE = 12.0  # names inside activities, pools and lanes
NOTE_SIZE = 10.0
FIT_SIZES = (NAME_SIZE, 11.0, 10.0, 9.0)  # names shrink down to this to fit small shapes
LINE_HEIGHT = 1.2
BAND = 30.0  # width of the name band of pools and lanes
MARGIN = 20.0

Point = tuple[float, float]
_ShapeDrawer = Callable[["_Item", "Box", "_Ctx"], "_Out"]


class DiagramError(ValueError):
    """The file cannot be drawn: not XML, not BPMN, or no diagram information."""


@dataclass(frozen=True)
class Highlight:
    state: str  # "done" | "current" | "waiting" | "cancelled"
    note: str = ""

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown highlight state {self.state!r}; expected one of {', '.join(STATES)}")


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass
class _Item:
    """One DI shape or edge together with the semantic element it shows."""

    di: etree._Element
    sem: etree._Element
    kind: str
    box: Box | None = None
    points: tuple[Point, ...] = ()


@dataclass
class _Out:
    """What a drawer produced: classes for the group, SVG inside it, and where a note may go."""

    classes: list[str]
    svg: str
    note_at: Point
    label: str = ""
    overlay: str = ""  # painted after everything else (flow labels must not hide under shapes)
    colour: str = ""  # a flow's colour from the file, as CSS currentColor


class _Extent:
    """Running bounding box of everything drawn, for the viewBox."""

    def __init__(self) -> None:
        self.x0 = self.y0 = math.inf
        self.x1 = self.y1 = -math.inf

    def add(self, x: float, y: float) -> None:
        self.x0, self.y0 = min(self.x0, x), min(self.y0, y)
        self.x1, self.y1 = max(self.x1, x), max(self.y1, y)

    def add_box(self, box: Box) -> None:
        self.add(box.x, box.y)
        self.add(box.right, box.bottom)

    @property
    def empty(self) -> bool:
        return self.x0 > self.x1


@dataclass
class _Ctx:
    index: dict[str, etree._Element]
    drawn_ids: frozenset[str]
    highlights: Mapping[str, Highlight]
    flows_taken: frozenset[str]
    extent: _Extent
    boundary_boxes: dict[str, list[Box]] = field(default_factory=dict)  # activity id → its boundary events
    overlays: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------------------------------------


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
    root = _parse(bpmn_xml)
    index = _index(root)
    plane = _pick_plane(root, index)
    items = _collect(plane, index)
    if not items:
        raise DiagramError(f"{_file_name(root)} has a diagram with nothing to draw (no BPMNShape or BPMNEdge)")
    ctx = _Ctx(
        index=index,
        drawn_ids=frozenset(item.sem.get("id", "") for item in items),
        highlights=highlights or {},
        flows_taken=frozenset(flows_taken or ()),
        extent=_Extent(),
        boundary_boxes=_boundary_boxes(items),
    )
    body = "".join(_draw_item(item, ctx) for item in sorted(items, key=lambda it: _layer(it, ctx)))
    body += "".join(ctx.overlays)
    shows_progress = bool(ctx.highlights or ctx.flows_taken)
    legend = _legend(ctx, {**DEFAULT_LEGEND, **(legend_labels or {})}) if shows_progress else ""
    return _document(body + legend, ctx.extent, title, natural_size)


# ---------------------------------------------------------------------------------------------------------
# Reading the BPMN file
# ---------------------------------------------------------------------------------------------------------


def _parse(bpmn_xml: str | bytes) -> etree._Element:
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


def _file_name(root: etree._Element) -> str:
    name = root.get("name") or root.get("id")
    return f"BPMN file {name!r}" if name else "this BPMN file"


def _index(root: etree._Element) -> dict[str, etree._Element]:
    """All semantic (BPMN model namespace) elements by id."""
    index: dict[str, etree._Element] = {}
    for el in root.iter(f"{{{MODEL}}}*"):
        el_id = el.get("id")
        if el_id and el_id not in index:
            index[el_id] = el
    return index


def _pick_plane(root: etree._Element, index: dict[str, etree._Element]) -> etree._Element:
    diagrams = root.findall(f"{{{BPMNDI}}}BPMNDiagram")
    planes = [p for d in diagrams if (p := d.find(f"{{{BPMNDI}}}BPMNPlane")) is not None]
    if not planes:
        raise DiagramError(f"{_file_name(root)} has no diagram information (bpmndi:BPMNDiagram)")
    # Drill-down diagrams of sub-processes come after the main one in some tools, but not always.
    for plane in planes:
        target = index.get(plane.get("bpmnElement", ""))
        if target is not None and _local(target) in ("collaboration", "process"):
            return plane
    return planes[0]


def _collect(plane: etree._Element, index: dict[str, etree._Element]) -> list[_Item]:
    items: list[_Item] = []
    for di in plane.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge"):
        sem = index.get(di.get("bpmnElement", ""))
        if sem is None:
            continue  # DI that points nowhere: the model was edited without its layout
        item = _make_item(di, sem)
        if item is not None:
            items.append(item)
    return items


def _make_item(di: etree._Element, sem: etree._Element) -> _Item | None:
    kind = _local(sem)
    if _local(di) == "BPMNEdge":
        points = _waypoints(di)
        return _Item(di, sem, kind, points=points) if len(points) >= 2 else None
    box = _bounds(di)
    return _Item(di, sem, kind, box=box) if box is not None else None


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


def _label_box(di: etree._Element) -> Box | None:
    return _bounds(di.find(f"{{{BPMNDI}}}BPMNLabel"))


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return el.findall(f"{{{MODEL}}}{name}")


def _depth(sem: etree._Element) -> int:
    """Nesting level inside sub-processes: inner shapes must be painted over their container."""
    return sum(1 for a in sem.iterancestors() if _local(a) in SUBPROCESSES)


def _is_expanded(item: _Item, ctx: _Ctx) -> bool:
    if item.kind not in SUBPROCESSES and item.kind != "callActivity":
        return False
    flag = item.di.get("isExpanded")
    if flag is not None:
        return flag == "true"
    # Older files omit isExpanded; a sub-process whose inner nodes are laid out here is expanded.
    return item.kind != "callActivity" and any(
        el.get("id") in ctx.drawn_ids for el in item.sem.iterdescendants(f"{{{MODEL}}}*")
    )


def _boundary_boxes(items: list[_Item]) -> dict[str, list[Box]]:
    boxes: dict[str, list[Box]] = {}
    for item in items:
        if item.kind == "boundaryEvent" and item.box is not None:
            boxes.setdefault(item.sem.get("attachedToRef", ""), []).append(item.box)
    return boxes


def _layer(item: _Item, ctx: _Ctx) -> tuple[int, int]:
    """Paint order: containers, expanded sub-processes, flows, nodes, boundary events, groups."""
    if item.kind == "participant":
        return (0, 0)
    if item.kind == "lane":
        return (1, sum(1 for a in item.sem.iterancestors() if _local(a) == "lane"))
    if item.box is None:
        return (3, 0)
    if _is_expanded(item, ctx):
        return (2, _depth(item.sem))
    if item.kind == "boundaryEvent":
        return (5, _depth(item.sem))
    if item.kind == "group":
        return (6, 0)
    return (4, _depth(item.sem))


def _name(sem: etree._Element, index: Mapping[str, etree._Element]) -> str:
    kind = _local(sem)
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


# ---------------------------------------------------------------------------------------------------------
# Text: escaping, measuring, wrapping
# ---------------------------------------------------------------------------------------------------------

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
# Whitespace, one CJK character, or a word up to and including its hyphens ("Sub-" "Process").
_TOKENS = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}-]+-*|-+")
# Punctuation that must not begin a line (kinsoku), so it stays with the text before it.
_NO_LINE_START = frozenset("，。、；：？！）》」』】〕,.;:?!)]}%")
# Advance widths (em) of printable ASCII in Noto Sans CJK SC, measured in Chromium; Microsoft YaHei and
# PingFang are within a few percent.  Index = code point - 32.
_ASCII_EM = (
    ".22 .32 .47 .55 .55 .92 .68 .28 .34 .34 .47 .55 .28 .35 .28 .39 .55 .55 .55 .55 .55 .55 .55 .55 .55 .55 "
    ".28 .28 .55 .55 .55 .47 .95 .61 .66 .64 .69 .59 .55 .69 .73 .29 .53 .65 .54 .81 .72 .74 .63 .74 .63 .6 "
    ".6 .72 .57 .88 .57 .53 .6 .34 .39 .34 .55 .56 .61 .56 .62 .51 .62 .55 .32 .56 .61 .27 .27 .55 .28 .93 "
    ".61 .61 .62 .62 .39 .47 .38 .61 .52 .8 .5 .52 .47 .34 .27 .34 .55"
)
_ASCII_WIDTHS = tuple(float(w) for w in _ASCII_EM.split())


def _esc(text: str) -> str:
    return escape(_INVALID_XML.sub("", text), {'"': "&quot;"})


def _char_em(ch: str) -> float:
    code = ord(ch)
    if 32 <= code < 127:
        return _ASCII_WIDTHS[code - 32]
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    return 0.65 if ch.isupper() else 0.58  # accented Latin, Greek, Cyrillic: roughly like ASCII letters


def _text_width(text: str, size: float) -> float:
    return sum(_char_em(ch) for ch in text) * size


def _wrap(text: str, width: float, size: float, split: bool = True) -> list[str]:
    """Greedy wrap by estimated glyph width; CJK may break between any two characters.

    With ``split`` a word longer than the line is broken inside; without, it overhangs.
    """
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        lines.extend(_wrap_paragraph(paragraph.strip(), max(width, size * 2), size, split))
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _try_fit(text: str, width: float, height: float, sizes: tuple[float, ...]) -> tuple[list[str], float] | None:
    """Wrap at the largest font size whose block fits the box without breaking words."""
    for size in sizes:
        lines = _wrap(text, width, size, split=False)
        if _block_width(lines, size) <= width and _block_height(lines, size) <= height:
            return lines, size
    return None


def _fit(text: str, width: float, height: float) -> tuple[list[str], float]:
    return _try_fit(text, width, height, FIT_SIZES) or (_wrap(text, width, FIT_SIZES[-1]), FIT_SIZES[-1])


def _wrap_paragraph(text: str, width: float, size: float, split: bool) -> list[str]:
    lines: list[str] = []
    current = ""
    for token in _TOKENS.findall(text):
        if token.isspace():
            current += " " if current else ""
            continue
        candidate = current + token
        if not current or token in _NO_LINE_START or _text_width(candidate, size) <= width:
            current = candidate
        else:
            lines.append(current.rstrip())
            current = token
        if split and _text_width(current, size) > width and _splittable(current):
            *full, current = _split_word(current, width, size)
            lines.extend(full)
    lines.append(current.rstrip())
    return lines


def _splittable(text: str) -> bool:
    """A lone over-long word may be broken; kinsoku punctuation allowed to overhang may not."""
    return len(text) > 1 and text[-1] not in _NO_LINE_START


def _split_word(word: str, width: float, size: float) -> list[str]:
    """Break a word longer than the line (URLs, codes) at the character that overflows."""
    pieces, current = [], ""
    for ch in word:
        if current and _text_width(current + ch, size) > width:
            pieces.append(current)
            current = ""
        current += ch
    return [*pieces, current]


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text(lines: list[str], x: float, top: float, size: float, cls: str, anchor: str = "middle") -> str:
    """A block of lines whose first line box starts at ``top``; explicit y per line for print fidelity."""
    if not lines:
        return ""
    step = size * LINE_HEIGHT
    spans = "".join(
        f'<tspan x="{_n(x)}" y="{_n(top + step * i + step / 2 + size * 0.35)}">{_esc(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text class="{cls}" font-size="{_n(size)}" text-anchor="{anchor}">{spans}</text>'


def _block_height(lines: list[str], size: float) -> float:
    return len(lines) * size * LINE_HEIGHT


def _block_width(lines: list[str], size: float) -> float:
    return max((_text_width(line, size) for line in lines), default=0.0)


def _centered_label(text: str, box: Box, ctx: _Ctx, reserve: float, type_marker: bool) -> str:
    """Name centred inside a shape (tasks, collapsed sub-processes); ``reserve`` keeps the marker row free."""
    width, room = box.w - 8, box.h - reserve - 4
    # Under a task-type glyph a slightly smaller font is better than writing over the glyph.
    fitted = _try_fit(text, width, room - 18, FIT_SIZES[:3]) if type_marker else None
    lines, size = fitted or _fit(text, width, room)
    height = _block_height(lines, size)
    top = box.y + (box.h - reserve - height) / 2
    if type_marker and lines and top < box.y + 22 and box.cx - _text_width(lines[0], size) / 2 < box.x + 26:
        # Step below the task-type glyph when there is room, rather than writing over it.
        top = max(top, min(box.y + 22, box.bottom - reserve - height))
    _add_text_extent(ctx, lines, box.cx, top, size)
    return _text(lines, box.cx, max(top, box.y + 2), size, "label")


def _external_label(text: str, item: _Item, box: Box, ctx: _Ctx) -> tuple[str, float]:
    """Label outside a shape (events, gateways, data): in its DI label bounds, else under the shape.

    Returns the SVG and the y just below the label, where a highlight note can go.
    """
    label_box = _label_box(item.di)
    if not text.strip():
        return "", box.bottom
    if label_box is not None:
        # Label bounds are measured with the modeler's font; allow a little slack before wrapping.
        lines = _wrap(text, label_box.w * 1.15 + 6, LABEL_SIZE)
        height = _block_height(lines, LABEL_SIZE)
        top = label_box.cy - height / 2 if height <= label_box.h + 4 else label_box.y
        cx = label_box.cx
    else:
        lines = _wrap(text, max(90.0, box.w), LABEL_SIZE)
        height = _block_height(lines, LABEL_SIZE)
        top, cx = box.bottom + 4, box.cx
    _add_text_extent(ctx, lines, cx, top, LABEL_SIZE)
    below = top + height if top >= box.cy else box.bottom
    return _text(lines, cx, top, LABEL_SIZE, "label external"), below


def _add_text_extent(ctx: _Ctx, lines: list[str], cx: float, top: float, size: float) -> None:
    width = _block_width(lines, size)
    if lines:
        ctx.extent.add_box(Box(cx - width / 2, top, max(width, 1), _block_height(lines, size)))


# ---------------------------------------------------------------------------------------------------------
# Element groups
# ---------------------------------------------------------------------------------------------------------


def _draw_item(item: _Item, ctx: _Ctx) -> str:
    if item.box is None:
        if item.kind not in EDGES:
            return ""
        for x, y in item.points:
            ctx.extent.add(x, y)
        return _group(item, _draw_edge(item, ctx), ctx)
    drawer = _shape_drawer(item, ctx)
    if drawer is None:
        return ""  # kinds this renderer does not know (conversations, choreographies) are left out
    ctx.extent.add_box(item.box)
    return _group(item, drawer(item, item.box, ctx), ctx)


def _shape_drawer(item: _Item, ctx: _Ctx) -> _ShapeDrawer | None:
    if item.kind in TASKS:
        return _draw_task
    if item.kind in SUBPROCESSES or item.kind == "callActivity":
        return _draw_expanded if _is_expanded(item, ctx) else _draw_task
    return _SHAPE_DRAWERS.get(item.kind)


def _group(item: _Item, out: _Out, ctx: _Ctx) -> str:
    el_id = item.sem.get("id", "")
    highlight = ctx.highlights.get(el_id)
    classes = list(out.classes)
    if highlight is not None:
        classes.append(f"state-{highlight.state}")
    if item.box is None and el_id in ctx.flows_taken:
        classes.append("taken")
    tooltip = _tooltip(out.label, highlight)
    if out.overlay:
        ctx.overlays.append(f'<g class="flow-label" data-label-for="{_esc(el_id)}">{out.overlay}</g>')
    note = _note(highlight, out.note_at, item, ctx)
    if note:
        # On top of everything: boundary events and their labels sit where the note would go.
        ctx.overlays.append(f'<g class="note-for" data-note-for="{_esc(el_id)}">{note}</g>')
    style = f' style="color:{out.colour}"' if out.colour else ""
    return f'<g class="{_esc(" ".join(classes))}" data-element-id="{_esc(el_id)}"{style}>{tooltip}{out.svg}</g>'


def _tooltip(label: str, highlight: Highlight | None) -> str:
    parts = [p for p in (label.strip(), highlight.note.strip() if highlight else "") if p]
    return f"<title>{_esc(chr(10).join(parts))}</title>" if parts else ""


def _note(highlight: Highlight | None, at: Point, item: _Item, ctx: _Ctx) -> str:
    """Small text under the shape: the note must be readable on paper, where there is no hover."""
    if highlight is None or not highlight.note.strip():
        return ""
    width = max(item.box.w if item.box else 0.0, 120.0)
    lines = _wrap(highlight.note, width, NOTE_SIZE)
    top = max([at[1], *(b.bottom for b in ctx.boundary_boxes.get(item.sem.get("id", ""), []))]) + 2
    _add_text_extent(ctx, lines, at[0], top, NOTE_SIZE)
    return _text(lines, at[0], top, NOTE_SIZE, "note")


def _model_colours(item: _Item, ctx: _Ctx) -> str:
    """Fill/stroke set in the file (color: or bioc: extension); highlights win over them."""
    if item.sem.get("id", "") in ctx.highlights:
        return ""
    fill = item.di.get(f"{{{COLOR_NS}}}background-color") or item.di.get(f"{{{BIOC_NS}}}fill")
    stroke = item.di.get(f"{{{COLOR_NS}}}border-color") or item.di.get(f"{{{BIOC_NS}}}stroke")
    rules = [f"{prop}:{value}" for prop, value in (("fill", fill), ("stroke", stroke)) if _is_colour(value)]
    return f' style="{";".join(rules)}"' if rules else ""


def _is_colour(value: str | None) -> bool:
    pattern = r"#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\([\d\s.,%]+\)"
    return value is not None and re.fullmatch(pattern, value) is not None


# ---------------------------------------------------------------------------------------------------------
# Pools, lanes, groups, annotations
# ---------------------------------------------------------------------------------------------------------


def _horizontal(item: _Item, box: Box) -> bool:
    flag = item.di.get("isHorizontal")
    return flag == "true" if flag is not None else box.w >= box.h


def _draw_participant(item: _Item, box: Box, ctx: _Ctx) -> _Out:
    name = _name(item.sem, ctx.index)
    rect = _rect(box, 0, _model_colours(item, ctx))
    if not item.sem.get("processRef"):
        # A black-box pool has no content, so its name sits in the middle.
        lines = _wrap(name, box.w - 20, NAME_SIZE)
        label = _text(lines, box.cx, box.cy - _block_height(lines, NAME_SIZE) / 2, NAME_SIZE, "label")
        return _Out(["shape", "participant", "blackbox"], rect + label, (box.cx, box.bottom), name)
    band = _band_line(box, _horizontal(item, box))
    return _Out(["shape", "participant"], rect + band + _band_label(name, item, box), (box.cx, box.bottom), name)


def _draw_lane(item: _Item, box: Box, ctx: _Ctx) -> _Out:
    name = _name(item.sem, ctx.index)
    rect = _rect(box, 0, _model_colours(item, ctx))
    return _Out(["shape", "lane"], rect + _band_label(name, item, box), (box.cx, box.bottom), name)


def _band_line(box: Box, horizontal: bool) -> str:
    if horizontal:
        return f'<path class="band" d="M{_n(box.x + BAND)},{_n(box.y)}V{_n(box.bottom)}"/>'
    return f'<path class="band" d="M{_n(box.x)},{_n(box.y + BAND)}H{_n(box.right)}"/>'


def _band_label(name: str, item: _Item, box: Box) -> str:
    """Name in the band along the pool/lane edge; rotated to read bottom-up in horizontal layouts."""
    if _horizontal(item, box):
        cx, cy = box.x + BAND / 2, box.cy
        upright = _upright_text(name, cx, cy, box.h - 10, NAME_SIZE) if _all_cjk(name) else ""
        if upright:
            return upright
        lines = _wrap(name, box.h - 10, NAME_SIZE)[:2]
        text = _text(lines, cx, cy - _block_height(lines, NAME_SIZE) / 2, NAME_SIZE, "label")
        return f'<g transform="rotate(-90 {_n(cx)} {_n(cy)})">{text}</g>' if text else ""
    lines = _wrap(name, box.w - 10, NAME_SIZE)[:2]
    return _text(lines, box.cx, box.y + (BAND - _block_height(lines, NAME_SIZE)) / 2, NAME_SIZE, "label")


# Punctuation has its own glyphs in vertical text (brackets turned, commas in the corner).
_VERTICAL_FORMS = str.maketrans(
    "（）《》「」『』【】〔〕〈〉，。、：；？！…—",
    "︵︶︽︾﹁﹂﹃﹄︻︼︹︺︿﹀︐︒︑︓︔︖︕︙︱",
)


def _all_cjk(text: str) -> bool:
    return bool(text.strip()) and all(ch.isspace() or _char_em(ch) == 1.0 for ch in text)


def _upright_text(name: str, cx: float, cy: float, length: float, size: float) -> str:
    """Chinese names in a vertical band read top-down with upright characters, not rotated sideways.

    Up to two columns (right one first, as vertical Chinese is read); "" when the name needs more.
    """
    chars = [ch for ch in name.translate(_VERTICAL_FORMS) if not ch.isspace()]
    step = size * 1.1
    per_column = max(1, int(length // step))
    columns = [chars[i : i + per_column] for i in range(0, len(chars), per_column)]
    if len(columns) > 2:
        return ""
    xs = [cx] if len(columns) == 1 else [cx + size * 0.6, cx - size * 0.6]
    top = cy - len(columns[0]) * step / 2
    spans = "".join(
        f'<tspan x="{_n(x)}" y="{_n(top + step * i + step / 2 + size * 0.35)}">{_esc(ch)}</tspan>'
        for x, column in zip(xs, columns, strict=True)
        for i, ch in enumerate(column)
    )
    return f'<text class="label upright" font-size="{_n(size)}" text-anchor="middle">{spans}</text>'


def _draw_group(item: _Item, box: Box, ctx: _Ctx) -> _Out:
    name = _name(item.sem, ctx.index)
    rect = _rect(box, 10, _model_colours(item, ctx))
    label_box = _label_box(item.di)
    lines = _wrap(name, (label_box.w * 1.15 + 6) if label_box else box.w - 10, LABEL_SIZE)
    if label_box is not None:
        label = _text(lines, label_box.cx, label_box.y, LABEL_SIZE, "label")
    else:
        label = _text(lines, box.cx, box.y + 4, LABEL_SIZE, "label")
    return _Out(["shape", "artifact", "group"], rect + label, (box.cx, box.bottom), name)


def _draw_annotation(item: _Item, box: Box, ctx: _Ctx) -> _Out:
    name = _name(item.sem, ctx.index)
    bracket = f'<path class="body" d="M{_n(box.x + 10)},{_n(box.y)}H{_n(box.x)}V{_n(box.bottom)}H{_n(box.x + 10)}"/>'
    lines = _wrap(name, box.w - 10, LABEL_SIZE)
    label = _text(lines, box.x + 5, box.y + 4, LABEL_SIZE, "label", anchor="start")
    ctx.extent.add(box.x + 5 + _block_width(lines, LABEL_SIZE), box.y + 4 + _block_height(lines, LABEL_SIZE))
    return _Out(["shape", "artifact", "textAnnotation"], bracket + label, (box.cx, box.bottom), name)


def _rect(box: Box, radius: float, extra: str = "", cls: str = "body") -> str:
    return (
        f'<rect class="{cls}" x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}" '
        f'rx="{_n(radius)}"{extra}/>'
    )


# ---------------------------------------------------------------------------------------------------------
# Activities
# ---------------------------------------------------------------------------------------------------------


def _draw_task(item: _Item, box: Box, ctx: _Ctx) -> _Out:
    """Tasks, collapsed sub-processes and collapsed call activities: a rounded box with markers."""
    name = _name(item.sem, ctx.index)
    body = _activity_body(item, ctx, box)
    type_marker = _task_type_marker(_task_type(item, ctx), box)
    markers = _bottom_markers(item, ctx, box)
    label = _centered_label(name, box, ctx, reserve=14 if markers else 0, type_marker=bool(type_marker))
    classes = ["shape", _activity_class(item.kind), item.kind, *_activity_flags(item, ctx)]
    return _Out(classes, body + type_marker + markers + label, (box.cx, box.bottom), name)


def _draw_expanded(item: _Item, box: Box, ctx: _Ctx) -> _Out:
    name = _name(item.sem, ctx.index)
    lines = _wrap(name, box.w - 16, NAME_SIZE)
    label = _text(lines, box.x + 8, box.y + 4, NAME_SIZE, "label", anchor="start")
    body = _activity_body(item, ctx, box) + _bottom_markers(item, ctx, box)
    classes = ["shape", _activity_class(item.kind), item.kind, "expanded", *_activity_flags(item, ctx)]
    return _Out(classes, body + label, (box.cx, box.bottom), name)


def _activity_class(kind: str) -> str:
    if kind in TASKS:
        return "task"
    return "callActivity" if kind == "callActivity" else "subprocess"


def _activity_flags(item: _Item, ctx: _Ctx) -> list[str]:
    flags = []
    if item.sem.get("triggeredByEvent") == "true":
        flags.append("eventSubProcess")
    if item.kind in SUBPROCESSES | {"callActivity"} and not _is_expanded(item, ctx):
        flags.append("collapsed")
    return flags


def _activity_body(item: _Item, ctx: _Ctx, box: Box) -> str:
    body = _rect(box, 10, _model_colours(item, ctx))
    if item.kind == "transaction":
        # Transactions have a double border.
        inner = Box(box.x + 3, box.y + 3, box.w - 6, box.h - 6)
        body += _rect(inner, 7, cls="inner")
    return body


def _task_type(item: _Item, ctx: _Ctx) -> str:
    """The task kind whose glyph goes top-left; a call activity shows the global task it calls."""
    if item.kind in TASKS:
        return item.kind
    if item.kind == "callActivity":
        called = ctx.index.get(item.sem.get("calledElement", ""))
        if called is not None and _local(called).startswith("global"):
            kind = _local(called)[len("global") :]
            return kind[:1].lower() + kind[1:]
    return ""


def _called_global_task(item: _Item, ctx: _Ctx) -> bool:
    called = ctx.index.get(item.sem.get("calledElement", ""))
    return called is not None and _local(called).startswith("global")


def _bottom_markers(item: _Item, ctx: _Ctx, box: Box) -> str:
    """Loop / multi-instance / [+] / ad-hoc / compensation markers centred at the bottom edge."""
    names = _loop_marker_names(item)
    collapsible = item.kind in SUBPROCESSES or item.kind == "callActivity"
    if collapsible and not _is_expanded(item, ctx) and not _called_global_task(item, ctx):
        names.append("collapsed")
    if item.kind == "adHocSubProcess":
        names.append("adhoc")
    if item.sem.get("isForCompensation") == "true":
        names.append("compensation")
    start = box.cx - (len(names) * 16 - 4) / 2
    return "".join(
        _glyph(start + 16 * i, box.bottom - 17, 1.0, _MARKERS[name], f"marker-{name}") for i, name in enumerate(names)
    )


def _loop_marker_names(item: _Item) -> list[str]:
    if item.sem.find(f"{{{MODEL}}}standardLoopCharacteristics") is not None:
        return ["loop"]
    multi = item.sem.find(f"{{{MODEL}}}multiInstanceLoopCharacteristics")
    if multi is not None:
        return ["sequential" if multi.get("isSequential") == "true" else "parallel"]
    return []


def _task_type_marker(task_type: str, box: Box) -> str:
    glyph = _TASK_GLYPHS.get(task_type)
    if glyph is None:
        return ""
    svg, filled = glyph
    return _glyph(box.x + 7, box.y + 6, 1.0, svg, "filled" if filled else "")


def _glyph(x: float, y: float, scale: float, svg: str, extra: str = "") -> str:
    cls = f"glyph {extra}".strip()
    return f'<g class="{cls}" transform="translate({_n(x)} {_n(y)}) scale({_n(scale)})">{svg}</g>'


def _gear(teeth: int = 8, outer: float = 7.5, inner: float = 5.6) -> str:
    points: list[str] = []
    for k in range(teeth):
        a = 2 * math.pi * k / teeth
        for radius, da in ((inner, -0.3), (outer, -0.17), (outer, 0.17), (inner, 0.3)):
            points.append(f"{_n(8 + radius * math.cos(a + da))},{_n(8 + radius * math.sin(a + da))}")
    return f'<path d="M{"L".join(points)}Z"/><circle cx="8" cy="8" r="2.4"/>'


# Glyphs in a 16×16 box (top-left origin); (svg, filled).
_TASK_GLYPHS: dict[str, tuple[str, bool]] = {
    "userTask": (
        '<circle cx="8" cy="4.5" r="3.5"/><path d="M1.5,16C1.5,10.5 4.5,9 8,9C11.5,9 14.5,10.5 14.5,16Z"/>',
        False,
    ),
    "serviceTask": (_gear(), False),
    "scriptTask": (
        '<path d="M4,1H14C11,5 17,10 14,15H4C7,10 1,5 4,1Z"/><path d="M5.5,5H11.5M6.5,8H12.5M6.5,11H12.5"/>',
        False,
    ),
    "manualTask": (
        '<path d="M1,8V15H9.5C10.5,15 10.5,13.5 9.5,13.5H11C12,13.5 12,12 11,12H12C13,12 13,10.5 12,10.5'
        'H14.5C15.5,10.5 15.5,9 14.5,9H7L8.5,6.8C9,6 8,5.2 7.2,5.8L3,8Z"/>',
        False,
    ),
    "sendTask": ('<rect x="0" y="2" width="16" height="11"/><path class="inv" d="M0,2L8,8L16,2"/>', True),
    "receiveTask": ('<rect x="0" y="2" width="16" height="11"/><path d="M0,2L8,8L16,2"/>', False),
    "businessRuleTask": (
        '<rect x="0" y="1" width="16" height="13"/><rect x="0" y="1" width="16" height="3.5" class="solid"/>'
        '<path d="M0,9H16M5,4.5V14"/>',
        False,
    ),
}

# Markers in a 12×12 box (top-left origin).
_MARKERS: dict[str, str] = {
    "loop": '<path d="M3.5,10.3A5,5 0 1 1 8.5,10.3"/><path d="M3.5,10.3L0.8,10.8M3.5,10.3L3.1,7.6"/>',
    "parallel": '<path class="bar" d="M2,0V12M6,0V12M10,0V12"/>',
    "sequential": '<path class="bar" d="M0,2H12M0,6H12M0,10H12"/>',
    "collapsed": '<rect x="-1" y="-1" width="14" height="14"/><path d="M6,2V10M2,6H10"/>',
    "adhoc": '<path d="M0,8C2,3 5,3 6,6C7,9 10,9 12,4"/>',
    "compensation": '<path d="M0,6L6,1V11ZM6,6L12,1V11Z"/>',
}


# ---------------------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------------------


def _event_definitions(sem: etree._Element, index: Mapping[str, etree._Element]) -> list[str]:
    kinds = [_local(c) for c in sem if isinstance(c.tag, str) and _local(c).endswith("EventDefinition")]
    for ref in _children(sem, "eventDefinitionRef"):
        target = index.get((ref.text or "").strip())
        if target is not None:
            kinds.append(_local(target))
    return [k.removesuffix("EventDefinition") for k in kinds]


def _event_marker_name(item: _Item, ctx: _Ctx) -> str:
    kinds = _event_definitions(item.sem, ctx.index)
    if len(kinds) > 1:
        return "parallelMultiple" if item.sem.get("parallelMultiple") == "true" else "multiple"
    return kinds[0] if kinds else ""


def _draw_event(item: _Item, box: Box, ctx: _Ctx) -> _Out:
    name = _name(item.sem, ctx.index)
    marker = _event_marker_name(item, ctx)
    r = min(box.w, box.h) / 2
    colours = _model_colours(item, ctx)
    svg = f'<circle class="body" cx="{_n(box.cx)}" cy="{_n(box.cy)}" r="{_n(r)}"{colours}/>'
    if item.kind in ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"):
        svg += f'<circle class="inner" cx="{_n(box.cx)}" cy="{_n(box.cy)}" r="{_n(max(r - 3, 1))}"/>'
    svg += _event_glyph(marker, item.kind in THROWING, box, r)
    label, below = _external_label(name, item, box, ctx)
    classes = ["shape", "event", item.kind, *([marker] if marker else []), *_event_flags(item)]
    return _Out(classes, svg + label, (box.cx, below), name)


def _event_flags(item: _Item) -> list[str]:
    interrupting = item.sem.get("cancelActivity", item.sem.get("isInterrupting", "true"))
    return ["nonInterrupting"] if interrupting == "false" else []


def _event_glyph(marker: str, throwing: bool, box: Box, r: float) -> str:
    svg = _EVENT_GLYPHS.get(marker)
    if svg is None:
        return ""
    # Glyphs are drawn for an 18-radius event centred on the origin.
    filled = throwing or marker == "terminate"
    return _glyph(box.cx, box.cy, r / 18, svg, "filled" if filled and marker != "conditional" else "")


def _polygon_path(sides: int, radius: float, rotate: float = -math.pi / 2) -> str:
    angles = [rotate + 2 * math.pi * k / sides for k in range(sides)]
    points = [f"{_n(radius * math.cos(a))},{_n(radius * math.sin(a))}" for a in angles]
    return f'<path d="M{"L".join(points)}Z"/>'


def _clock() -> str:
    ticks = "".join(
        f"M{_n(7.5 * math.cos(a))},{_n(7.5 * math.sin(a))}L{_n(9.5 * math.cos(a))},{_n(9.5 * math.sin(a))}"
        for a in (math.pi * k / 6 for k in range(12))
    )
    return f'<circle class="face" cx="0" cy="0" r="10"/><path d="{ticks}M0,0L0,-7M0,0L5,2"/>'


_EVENT_GLYPHS: dict[str, str] = {
    "message": '<rect x="-8" y="-5.5" width="16" height="11"/><path class="inv" d="M-8,-5.5L0,1L8,-5.5"/>',
    "timer": _clock(),
    "signal": '<path d="M0,-9L8.5,6H-8.5Z"/>',
    "error": '<path d="M-7.5,7.5L-3.5,-6.5L1.5,1.5L7.5,-7.5L3.5,6.5L-1.5,-1.5Z"/>',
    "escalation": '<path d="M0,-9L6.5,8L0,2L-6.5,8Z"/>',
    "conditional": '<rect x="-6.5" y="-8" width="13" height="16"/><path d="M-4,-4.5H4M-4,-1.5H4M-4,1.5H4M-4,4.5H4"/>',
    "terminate": '<circle cx="0" cy="0" r="10"/>',
    "link": '<path d="M-8,-3H1V-7.5L8.5,0L1,7.5V3H-8Z"/>',
    "compensate": '<path d="M-9,0L-1,-6V6ZM-1,0L7,-6V6Z"/>',
    "cancel": '<path d="M-7,-4.5L-4.5,-7L0,-2.5L4.5,-7L7,-4.5L2.5,0L7,4.5L4.5,7L0,2.5L-4.5,7L-7,4.5L-2.5,0Z"/>',
    "multiple": _polygon_path(5, 9),
    "parallelMultiple": '<path d="M-2.5,-9H2.5V-2.5H9V2.5H2.5V9H-2.5V2.5H-9V-2.5H-2.5Z"/>',
}


# ---------------------------------------------------------------------------------------------------------
# Gateways
# ---------------------------------------------------------------------------------------------------------


def _draw_gateway(item: _Item, box: Box, ctx: _Ctx) -> _Out:
    name = _name(item.sem, ctx.index)
    diamond = (
        f'<path class="body" d="M{_n(box.cx)},{_n(box.y)}L{_n(box.right)},{_n(box.cy)}'
        f'L{_n(box.cx)},{_n(box.bottom)}L{_n(box.x)},{_n(box.cy)}Z"{_model_colours(item, ctx)}/>'
    )
    marker = _gateway_marker(item)
    label, below = _external_label(name, item, box, ctx)
    glyph = (
        _glyph(box.cx, box.cy, min(box.w, box.h) / 50, _GATEWAY_GLYPHS[marker], f"marker-{marker}") if marker else ""
    )
    return _Out(["shape", "gateway", item.kind], diamond + glyph + label, (box.cx, below), name)


def _gateway_marker(item: _Item) -> str:
    kind = item.kind
    if kind == "exclusiveGateway":
        # The X is optional in BPMN; draw it only where the modeler chose to show it.
        return "exclusive" if item.di.get("isMarkerVisible") == "true" else ""
    if kind == "eventBasedGateway":
        if item.sem.get("eventGatewayType") == "Parallel":
            return "parallelEventBased"
        return "eventBasedStart" if item.sem.get("instantiate") == "true" else "eventBased"
    return kind.removesuffix("Gateway")


# Gateway glyphs for a 50-wide diamond centred on the origin.
_GATEWAY_GLYPHS: dict[str, str] = {
    "exclusive": '<path class="heavy" d="M-7.5,-7.5L7.5,7.5M7.5,-7.5L-7.5,7.5"/>',
    "parallel": '<path class="heavy" d="M0,-11V11M-11,0H11"/>',
    "inclusive": '<circle class="heavy" cx="0" cy="0" r="10"/>',
    "complex": '<path class="heavy" d="M0,-11V11M-11,0H11M-7.8,-7.8L7.8,7.8M7.8,-7.8L-7.8,7.8"/>',
    "eventBased": '<circle cx="0" cy="0" r="11"/><circle cx="0" cy="0" r="8.5"/>' + _polygon_path(5, 5.5),
    "eventBasedStart": '<circle cx="0" cy="0" r="11"/>' + _polygon_path(5, 5.5),
    "parallelEventBased": '<circle cx="0" cy="0" r="11"/>'
    '<path d="M-1.8,-7H1.8V-1.8H7V1.8H1.8V7H-1.8V1.8H-7V-1.8H-1.8Z"/>',
}


# ---------------------------------------------------------------------------------------------------------
# Data objects and stores
# ---------------------------------------------------------------------------------------------------------


def _draw_data_object(item: _Item, box: Box, ctx: _Ctx) -> _Out:
    name = _name(item.sem, ctx.index)
    fold = min(box.w, box.h) * 0.35
    page = (
        f'<path class="body" d="M{_n(box.x)},{_n(box.y)}H{_n(box.right - fold)}L{_n(box.right)},'
        f'{_n(box.y + fold)}V{_n(box.bottom)}H{_n(box.x)}Z"{_model_colours(item, ctx)}/>'
        f'<path class="inner" d="M{_n(box.right - fold)},{_n(box.y)}V{_n(box.y + fold)}H{_n(box.right)}"/>'
    )
    markers = _data_markers(item, ctx, box)
    label, below = _external_label(name, item, box, ctx)
    return _Out(["shape", "data", item.kind], page + markers + label, (box.cx, below), name)


def _data_markers(item: _Item, ctx: _Ctx, box: Box) -> str:
    svg = ""
    if item.kind in ("dataInput", "dataOutput"):
        arrow = '<path d="M0,3H6V0L11,5L6,10V7H0Z"/>'
        svg += _glyph(box.x + 3, box.y + 3, 1.0, arrow, "filled" if item.kind == "dataOutput" else "")
    target = ctx.index.get(item.sem.get("dataObjectRef", "")) if item.kind == "dataObjectReference" else item.sem
    if target is not None and target.get("isCollection") == "true":
        svg += _glyph(box.cx - 6, box.bottom - 14, 1.0, _MARKERS["parallel"], "marker-collection")
    return svg


def _draw_data_store(item: _Item, box: Box, ctx: _Ctx) -> _Out:
    name = _name(item.sem, ctx.index)
    ry = min(box.h * 0.12, 8.0)
    rx = box.w / 2
    x0, x1, top, bottom = _n(box.x), _n(box.right), box.y + ry, box.bottom - ry
    body = (
        f'<path class="body" d="M{x0},{_n(top)}A{_n(rx)},{_n(ry)} 0 0 1 {x1},{_n(top)}V{_n(bottom)}'
        f'A{_n(rx)},{_n(ry)} 0 0 1 {x0},{_n(bottom)}Z"{_model_colours(item, ctx)}/>'
    )
    rim_ys = [_n(top + k * ry * 0.6) for k in range(3)]
    rims = "".join(f'<path class="inner" d="M{x0},{y}A{_n(rx)},{_n(ry)} 0 0 0 {x1},{y}"/>' for y in rim_ys)
    label, below = _external_label(name, item, box, ctx)
    return _Out(["shape", "data", item.kind], body + rims + label, (box.cx, below), name)


_SHAPE_DRAWERS: dict[str, _ShapeDrawer] = {
    "participant": _draw_participant,
    "lane": _draw_lane,
    "group": _draw_group,
    "textAnnotation": _draw_annotation,
    "dataStoreReference": _draw_data_store,
    **dict.fromkeys(EVENTS, _draw_event),
    **dict.fromkeys(GATEWAYS, _draw_gateway),
    **dict.fromkeys(DATA_OBJECTS, _draw_data_object),
}


# ---------------------------------------------------------------------------------------------------------
# Flows
# ---------------------------------------------------------------------------------------------------------


def _unit(a: Point, b: Point) -> Point:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    return dx / length, dy / length


def _end_direction(points: tuple[Point, ...], at_start: bool) -> tuple[Point, Point]:
    """End point and the unit vector pointing *out* of the line there (ignoring zero-length segments)."""
    seq = points if at_start else points[::-1]
    end = seq[0]
    other = next((p for p in seq[1:] if p != end), seq[1])
    return end, _unit(other, end)


def _trim(points: tuple[Point, ...], amount: float, at_start: bool) -> tuple[Point, ...]:
    """Pull one end of the line back so it stops under an arrowhead or marker instead of poking through."""
    end, (ux, uy) = _end_direction(points, at_start)
    moved = (end[0] - ux * amount, end[1] - uy * amount)
    return (moved, *points[1:]) if at_start else (*points[:-1], moved)


def _path_d(points: Iterable[Point]) -> str:
    return "M" + "L".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _arrowhead(points: tuple[Point, ...], at_start: bool, filled: bool, length: float = 11) -> str:
    tip, (ux, uy) = _end_direction(points, at_start)
    bx, by = tip[0] - ux * length, tip[1] - uy * length
    half = length * 0.32
    corners = [tip, (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)]
    cls = "arrow filled" if filled else "arrow"
    return f'<path class="{cls}" d="{_path_d(corners)}Z"/>'


def _open_arrow(points: tuple[Point, ...], at_start: bool, length: float = 10) -> str:
    tip, (ux, uy) = _end_direction(points, at_start)
    bx, by = tip[0] - ux * length, tip[1] - uy * length
    half = length * 0.45
    corners = [(bx - uy * half, by + ux * half), tip, (bx + uy * half, by - ux * half)]
    return f'<path class="arrow open" d="{_path_d(corners)}"/>'


def _draw_edge(item: _Item, ctx: _Ctx) -> _Out:
    name = _name(item.sem, ctx.index)
    decorate = _EDGE_DECORATORS.get(item.kind, _decorate_association)
    line_points, decorations = decorate(item, ctx)
    line = f'<path class="line" d="{_path_d(line_points)}"/>'
    label, below = _edge_label(name, item, ctx)
    mid = _midpoint(item.points)
    note_at = (mid[0], below if label else mid[1] + 4)
    return _Out(["flow", item.kind], line + decorations, note_at, name, overlay=label, colour=_edge_colour(item, ctx))


def _edge_colour(item: _Item, ctx: _Ctx) -> str:
    el_id = item.sem.get("id", "")
    if el_id in ctx.highlights or el_id in ctx.flows_taken:
        return ""
    colour = item.di.get(f"{{{COLOR_NS}}}border-color") or item.di.get(f"{{{BIOC_NS}}}stroke")
    return colour if colour is not None and _is_colour(colour) else ""


def _decorate_sequence(item: _Item, ctx: _Ctx) -> tuple[tuple[Point, ...], str]:
    points, svg = item.points, _arrowhead(item.points, at_start=False, filled=True)
    source = ctx.index.get(item.sem.get("sourceRef", ""))
    if source is not None and source.get("default") == item.sem.get("id"):
        svg += _default_slash(points)
    elif source is not None and _is_activity(source) and _children(item.sem, "conditionExpression"):
        svg += _condition_diamond(points)
        points = _trim(points, 14, at_start=True)
    return _trim(points, 9, at_start=False), svg


def _is_activity(el: etree._Element) -> bool:
    kind = _local(el)
    return kind in TASKS or kind in SUBPROCESSES or kind == "callActivity"


def _default_slash(points: tuple[Point, ...]) -> str:
    start, (ux, uy) = _end_direction(points, at_start=True)
    # _end_direction points out of the line; flip it to walk along the flow.
    ux, uy = -ux, -uy
    px, py = start[0] + ux * 11, start[1] + uy * 11
    a = (px - uy * 5 - ux * 3, py + ux * 5 - uy * 3)
    b = (px + uy * 5 + ux * 3, py - ux * 5 + uy * 3)
    return f'<path class="line slash" d="{_path_d((a, b))}"/>'


def _condition_diamond(points: tuple[Point, ...]) -> str:
    start, (ux, uy) = _end_direction(points, at_start=True)
    ux, uy = -ux, -uy
    mid = (start[0] + ux * 7, start[1] + uy * 7)
    corners = [
        start,
        (mid[0] - uy * 4, mid[1] + ux * 4),
        (start[0] + ux * 14, start[1] + uy * 14),
        (mid[0] + uy * 4, mid[1] - ux * 4),
    ]
    return f'<path class="arrow condition" d="{_path_d(corners)}Z"/>'


def _decorate_message(item: _Item, ctx: _Ctx) -> tuple[tuple[Point, ...], str]:
    start, (ux, uy) = _end_direction(item.points, at_start=True)
    circle = f'<circle class="arrow" cx="{_n(start[0] - ux * 4)}" cy="{_n(start[1] - uy * 4)}" r="4"/>'
    svg = circle + _arrowhead(item.points, at_start=False, filled=False) + _message_envelope(item)
    return _trim(_trim(item.points, 8, at_start=True), 9, at_start=False), svg


def _message_envelope(item: _Item) -> str:
    kind = item.di.get("messageVisibleKind")
    if kind is None and item.di.get("isMessageVisible") != "true":
        return ""
    x, y = _midpoint(item.points)
    cls = "envelope nonInitiating" if kind == "non_initiating" else "envelope"
    return (
        f'<g class="{cls}"><rect class="arrow" x="{_n(x - 10)}" y="{_n(y - 7)}" width="20" height="14"/>'
        f'<path class="arrow" d="M{_n(x - 10)},{_n(y - 7)}L{_n(x)},{_n(y)}L{_n(x + 10)},{_n(y - 7)}"/></g>'
    )


def _decorate_association(item: _Item, ctx: _Ctx) -> tuple[tuple[Point, ...], str]:
    direction = item.sem.get("associationDirection", "None")
    svg = ""
    if item.kind in ("dataInputAssociation", "dataOutputAssociation") or direction in ("One", "Both"):
        svg += _open_arrow(item.points, at_start=False)
    if direction == "Both":
        svg += _open_arrow(item.points, at_start=True)
    return item.points, svg


_EDGE_DECORATORS: dict[str, Callable[[_Item, _Ctx], tuple[tuple[Point, ...], str]]] = {
    "sequenceFlow": _decorate_sequence,
    "messageFlow": _decorate_message,
}


def _midpoint(points: tuple[Point, ...]) -> Point:
    """Point halfway along the polyline."""
    lengths = [math.dist(a, b) for a, b in itertools.pairwise(points)]
    remaining = sum(lengths) / 2
    for (a, b), length in zip(itertools.pairwise(points), lengths, strict=True):
        if remaining <= length and length > 0:
            t = remaining / length
            return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        remaining -= length
    return points[0]


def _edge_label(name: str, item: _Item, ctx: _Ctx) -> tuple[str, float]:
    if not name.strip():
        return "", 0.0
    label_box = _label_box(item.di)
    if label_box is not None:
        lines = _wrap(name, label_box.w * 1.15 + 6, LABEL_SIZE)
        height = _block_height(lines, LABEL_SIZE)
        top = label_box.cy - height / 2 if height <= label_box.h + 4 else label_box.y
        cx = label_box.cx
    else:
        lines = _wrap(name, 90, LABEL_SIZE)
        height = _block_height(lines, LABEL_SIZE)
        cx, mid_y = _midpoint(item.points)
        top = mid_y - height - 3
    _add_text_extent(ctx, lines, cx, top, LABEL_SIZE)
    return _text(lines, cx, top, LABEL_SIZE, "label external"), top + height


# ---------------------------------------------------------------------------------------------------------
# Legend and document
# ---------------------------------------------------------------------------------------------------------


def _legend(ctx: _Ctx, labels: Mapping[str, str]) -> str:
    used = [s for s in STATES if any(h.state == s for h in ctx.highlights.values())]
    entries = [_legend_state(s, labels.get(s, s)) for s in used]
    if ctx.flows_taken:
        entries.append(_legend_flow(labels.get("taken", "taken")))
    x, y = ctx.extent.x0, ctx.extent.y1 + 16
    parts, offset = [], 0.0
    for svg, width in entries:
        parts.append(f'<g transform="translate({_n(x + offset)} {_n(y)})">{svg}</g>')
        offset += width + 18
    ctx.extent.add(x + offset, y + 16)
    return f'<g class="legend">{"".join(parts)}</g>'


def _legend_state(state: str, label: str) -> tuple[str, float]:
    text = _text([label], 30, 0, LABEL_SIZE, "label", anchor="start")
    swatch = f'<g class="legend-item state-{state}"><rect class="body" x="0" y="1" width="24" height="12" rx="3"/></g>'
    return swatch + text, 30 + _text_width(label, LABEL_SIZE)


def _legend_flow(label: str) -> tuple[str, float]:
    points = ((0.0, 7.0), (24.0, 7.0))
    flow = (
        f'<g class="legend-item taken"><path class="line" d="{_path_d(_trim(points, 8, False))}"/>'
        f"{_arrowhead(points, at_start=False, filled=True, length=9)}</g>"
    )
    return flow + _text([label], 30, 0, LABEL_SIZE, "label", anchor="start"), 30 + _text_width(label, LABEL_SIZE)


def _title(title: str, extent: _Extent) -> str:
    if not title.strip():
        return ""
    x, y = extent.x0, extent.y0 - 30
    extent.add(x + _text_width(title, 16), y)
    return _text([title], x, y, 16, "title", anchor="start")


_STATE_COLOURS = {
    # state: (fill, stroke, extra declarations for the shape outline)
    "done": ("#e2f3e0", "#2e7d32", ""),
    "current": ("#ffe6a0", "#c77800", "stroke-width:3px;"),
    "waiting": ("#e4eefb", "#1565c0", "stroke-dasharray:6 3;stroke-width:2px;"),
    "cancelled": ("#ececec", "#9e9e9e", ""),
}


def _style() -> str:
    s = ".bpmn-diagram "
    rules = [
        f".bpmn-diagram{{font-family:{FONT_FAMILY};-webkit-print-color-adjust:exact;print-color-adjust:exact}}",
        f"{s}text{{fill:#212121;stroke:none}}",
        f"{s}.label.external,{s}.note{{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}}",
        f"{s}.title{{font-weight:bold}}",
        f"{s}.note{{fill:#7a4a00}}",
        f"{s}.body{{fill:#fff;stroke:#212121;stroke-width:1.5px}}",
        f"{s}.inner,{s}.band{{fill:none;stroke:#212121;stroke-width:1.2px}}",
        f"{s}.lane>.body,{s}.group>.body,{s}.textAnnotation>.body{{fill:none}}",
        f"{s}.lane>.body{{stroke-width:1px}}",
        f"{s}.group>.body{{stroke-dasharray:8 3 1 3;stroke-width:1.2px}}",
        f"{s}.callActivity>.body{{stroke-width:4px}}",
        f"{s}.endEvent>.body{{stroke-width:4px}}",
        f"{s}.eventSubProcess>.body{{stroke-dasharray:2 3}}",
        f"{s}.nonInterrupting>.body,{s}.nonInterrupting>.inner{{stroke-dasharray:5 3}}",
        f"{s}.glyph{{fill:none;stroke:#212121;stroke-width:1.2px;stroke-linejoin:round}}",
        f"{s}.glyph.filled,{s}.glyph .solid{{fill:#212121}}",
        f"{s}.glyph.filled .inv{{stroke:#fff}}",
        f"{s}.glyph .face{{fill:#fff}}",
        f"{s}.glyph .heavy{{stroke-width:3.5px}}",
        f"{s}.glyph .bar{{stroke-width:2px}}",
        f"{s}.line{{fill:none;stroke:#212121;stroke-width:1.5px;stroke-linejoin:round}}",
        f"{s}.flow{{color:#212121}}",
        f"{s}.flow>.line,{s}.flow>.arrow{{stroke:currentColor}}",
        f"{s}.flow>.arrow.filled{{fill:currentColor}}",
        f"{s}.messageFlow>.line{{stroke-dasharray:7 4}}",
        f"{s}.association>.line,{s}.dataInputAssociation>.line,{s}.dataOutputAssociation>.line"
        "{stroke-dasharray:2 3;stroke-width:1.2px}",
        f"{s}.arrow{{fill:#fff;stroke:#212121;stroke-width:1.2px;stroke-linejoin:round}}",
        f"{s}.arrow.filled{{fill:#212121}}",
        f"{s}.arrow.open{{fill:none}}",
        f"{s}.envelope.nonInitiating .arrow{{fill:#bdbdbd}}",
    ]
    rules += [rule for state, colours in _STATE_COLOURS.items() for rule in _state_rules(state, *colours)]
    rules += [
        # Thick outlines stay thick (a little thicker) when highlighted.
        f"{s}.endEvent.state-current>.body,{s}.callActivity.state-current>.body{{stroke-width:5px}}",
        f"{s}.endEvent.state-waiting>.body,{s}.callActivity.state-waiting>.body{{stroke-width:4px}}",
        f"{s}.state-cancelled text{{fill:#757575}}",
        f"{s}.state-cancelled .glyph{{stroke:#9e9e9e}}",
        f"{s}.state-cancelled .glyph.filled{{fill:#9e9e9e}}",
        f"{s}.taken{{color:#2e7d32}}",
        f"{s}.taken>.line{{stroke:#2e7d32;stroke-width:2.5px}}",
        f"{s}.taken>.arrow{{stroke:#2e7d32}}",
        f"{s}.taken>.arrow.filled{{fill:#2e7d32}}",
    ]
    return "".join(rules)


def _state_rules(state: str, fill: str, stroke: str, extra: str) -> list[str]:
    s = f".bpmn-diagram .state-{state}"
    return [
        f"{s}>.body{{fill:{fill};stroke:{stroke};{extra}}}",
        f"{s}>.inner{{stroke:{stroke}}}",
        f".bpmn-diagram .flow.state-{state}{{color:{stroke}}}",
    ]


def _document(body: str, extent: _Extent, title: str, natural_size: bool = False) -> str:
    heading = _title(title, extent)
    if extent.empty:
        extent.add(0, 0)
    x, y = extent.x0 - MARGIN, extent.y0 - MARGIN
    w, h = extent.x1 - extent.x0 + 2 * MARGIN, extent.y1 - extent.y0 + 2 * MARGIN
    title_el = f"<title>{_esc(title)}</title>" if title.strip() else ""
    aria = f' aria-label="{_esc(title)}"' if title.strip() else ""
    size = f'width="{_n(w)}" height="{_n(h)}"' if natural_size else f'width="100%" style="max-width:{_n(w)}px"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bpmn-diagram" role="img"{aria} '
        f'viewBox="{_n(x)} {_n(y)} {_n(w)} {_n(h)}" {size} preserveAspectRatio="xMidYMin meet" '
        f'data-width="{_n(w)}" data-height="{_n(h)}">'
        f"{title_el}<style>{_style()}</style>{heading}{body}</svg>"
    )
