"""What the renderer shares: the BPMN vocabulary it knows, highlights, and the state of one drawing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from webui.diagram.geometry import Box, Extent, Point

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
# Colour extensions written by modelers (OMG non-normative one, and bpmn.io's).
COLOR_NS = "http://www.omg.org/spec/BPMN/non-normative/color/1.0"
BIOC_NS = "http://bpmn.io/schema/bpmn/biocolor/1.0"

STATES = ("done", "current", "waiting", "cancelled")

TASKS = frozenset(
    {"task", "userTask", "serviceTask", "scriptTask", "manualTask", "sendTask", "receiveTask", "businessRuleTask"}
)
SUBPROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
# The activities that are drawn either expanded (their content laid out inside) or collapsed.
COLLAPSIBLE = SUBPROCESSES | {"callActivity"}
ACTIVITIES = TASKS | COLLAPSIBLE
EVENTS = frozenset({"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"})
GATEWAYS = frozenset({"exclusiveGateway", "inclusiveGateway", "parallelGateway", "complexGateway", "eventBasedGateway"})
DATA_OBJECTS = frozenset({"dataObjectReference", "dataObject", "dataInput", "dataOutput"})
EDGES = frozenset({"sequenceFlow", "messageFlow", "association", "dataInputAssociation", "dataOutputAssociation"})
THROWING = frozenset({"intermediateThrowEvent", "endEvent"})


class DiagramError(ValueError):
    """The file cannot be drawn: not XML, not BPMN, or no diagram information."""


@dataclass(frozen=True)
class Highlight:
    state: str  # "done" | "current" | "waiting" | "cancelled"
    note: str = ""

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown highlight state {self.state!r}; expected one of {', '.join(STATES)}")


@dataclass
class Item:
    """One DI shape or edge together with the semantic element it shows."""

    di: etree._Element
    sem: etree._Element
    kind: str
    box: Box | None = None
    points: tuple[Point, ...] = ()


@dataclass
class Drawn:
    """What a drawer produced: classes for the group, SVG inside it, and where a note may go."""

    classes: list[str]
    svg: str
    note_at: Point
    label: str = ""
    overlay: str = ""  # painted after everything else (flow labels must not hide under shapes)
    colour: str = ""  # a flow's colour from the file, as CSS currentColor


@dataclass
class Ctx:
    index: dict[str, etree._Element]
    drawn_ids: frozenset[str]
    highlights: Mapping[str, Highlight]
    flows_taken: frozenset[str]
    extent: Extent
    boundary_boxes: dict[str, list[Box]] = field(default_factory=dict)  # activity id → its boundary events
    overlays: list[str] = field(default_factory=list)
