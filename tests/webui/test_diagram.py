"""Tests for the server-side BPMN → SVG renderer (webui.diagram)."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from lxml import etree

from webui.diagram import DiagramError, Highlight, render_svg, sketch_of

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "miwg"
WORKFLOW = Path(__file__).resolve().parents[2] / "workflows" / "rectification.bpmn"
SAMPLE_FILES = sorted(SAMPLES.glob("*.bpmn")) if SAMPLES.is_dir() else []

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
SVG = "http://www.w3.org/2000/svg"

# Flow nodes whose presence is checked (data objects and artifacts aside).
FLOW_NODES = {
    "task", "userTask", "serviceTask", "scriptTask", "manualTask", "sendTask", "receiveTask",
    "businessRuleTask", "subProcess", "transaction", "adHocSubProcess", "callActivity",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "complexGateway", "eventBasedGateway",
}  # fmt: skip
FLOWS = {"sequenceFlow", "messageFlow"}


def _minimal(body: str, di: str = "") -> str:
    """A one-process BPMN file; ``di`` goes inside the plane (none at all when empty)."""
    diagram = (
        f'<bpmndi:BPMNDiagram id="D"><bpmndi:BPMNPlane id="P" bpmnElement="proc">{di}</bpmndi:BPMNPlane>'
        "</bpmndi:BPMNDiagram>"
        if di
        else ""
    )
    return (
        f'<definitions xmlns="{MODEL}" xmlns:bpmndi="{BPMNDI}" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
        f'id="defs" targetNamespace="urn:test"><process id="proc">{body}</process>{diagram}</definitions>'
    )


def _shape(element_id: str, x: float, y: float, w: float, h: float) -> str:
    return (
        f'<bpmndi:BPMNShape id="{element_id}_di" bpmnElement="{element_id}">'
        f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}"/></bpmndi:BPMNShape>'
    )


def _edge(element_id: str, *points: tuple[float, float]) -> str:
    waypoints = "".join(f'<di:waypoint x="{x}" y="{y}"/>' for x, y in points)
    return f'<bpmndi:BPMNEdge id="{element_id}_di" bpmnElement="{element_id}">{waypoints}</bpmndi:BPMNEdge>'


SMALL = _minimal(
    '<startEvent id="s" name="Start"/><userTask id="t" name="Do it"/><endEvent id="e"/>'
    '<sequenceFlow id="f1" sourceRef="s" targetRef="t"/><sequenceFlow id="f2" sourceRef="t" targetRef="e"/>',
    _shape("s", 100, 120, 36, 36)
    + _shape("t", 180, 98, 100, 80)
    + _shape("e", 330, 120, 36, 36)
    + _edge("f1", (136, 138), (180, 138))
    + _edge("f2", (280, 138), (330, 138)),
)


def _svg_tree(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode("utf-8"))


def _groups(svg: str) -> dict[str, etree._Element]:
    """The drawn element groups by their BPMN id."""
    return {g.get("data-element-id"): g for g in _svg_tree(svg).iter(f"{{{SVG}}}g") if g.get("data-element-id")}


def _expected_ids(path: Path) -> set[str]:
    """Ids of flow nodes and flows laid out in the diagram the renderer is meant to draw.

    That is the first BPMNDiagram whose plane shows a collaboration or a process (drill-down diagrams
    of sub-processes are separate pictures).
    """
    root = etree.parse(str(path)).getroot()
    semantic = {el.get("id"): el for el in root.iter(f"{{{MODEL}}}*") if el.get("id")}
    planes = list(root.iter(f"{{{BPMNDI}}}BPMNPlane"))
    plane = next(
        (p for p in planes if etree.QName(semantic.get(p.get("bpmnElement"), root)).localname
         in ("collaboration", "process")),
        planes[0],
    )  # fmt: skip
    ids = set()
    for di in plane.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge"):
        element = semantic.get(di.get("bpmnElement"))
        if element is not None and etree.QName(element).localname in FLOW_NODES | FLOWS:
            ids.add(element.get("id"))
    return ids


@pytest.fixture(scope="module")
def samples() -> list[Path]:
    assert len(SAMPLE_FILES) == 21, f"the BPMN MIWG reference models belong in {SAMPLES}"
    return SAMPLE_FILES


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_every_flow_node_and_flow_of_a_reference_sample_is_drawn(path: Path) -> None:
    svg = render_svg(path.read_bytes())
    drawn = set(_groups(svg))
    expected = _expected_ids(path)
    assert expected, f"{path.name}: no flow nodes found; the test itself is broken"
    assert expected - drawn == set(), f"{path.name}: elements missing from the SVG"


def test_reference_samples_are_present(samples: list[Path]) -> None:
    # Guards the parametrized test above against silently running on zero files.
    assert len(samples) >= 20


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_reference_sample_output_is_self_contained_svg(path: Path) -> None:
    svg = render_svg(path.read_bytes())
    root = _svg_tree(svg)
    assert root.tag == f"{{{SVG}}}svg"
    assert root.get("width") == "100%"
    assert len(root.get("viewBox", "").split()) == 4
    assert not list(root.iter(f"{{{SVG}}}script", "script"))
    assert not list(root.iter(f"{{{SVG}}}image", f"{{{SVG}}}use", f"{{{SVG}}}foreignObject"))
    attributes = [(name, value) for el in root.iter() for name, value in el.attrib.items()]
    assert not [name for name, _ in attributes if "href" in name or name.startswith("on")]
    assert "url(" not in svg and "@import" not in svg


def test_shapes_carry_kind_classes() -> None:
    groups = _groups(render_svg(SMALL))
    assert groups["t"].get("class").split() == ["shape", "task", "userTask"]
    assert {"shape", "event", "startEvent"} <= set(groups["s"].get("class").split())
    assert groups["f1"].get("class").split() == ["flow", "sequenceFlow"]


def test_highlights_add_state_classes_notes_and_legend() -> None:
    highlights = {
        "s": Highlight("done"),
        "t": Highlight("current", "待 整改督办组 处理"),
        "e": Highlight("waiting"),
        "f2": Highlight("cancelled"),
    }
    svg = render_svg(SMALL, highlights, flows_taken={"f1"})
    groups = _groups(svg)
    assert "state-done" in groups["s"].get("class").split()
    assert "state-current" in groups["t"].get("class").split()
    assert "state-waiting" in groups["e"].get("class").split()
    assert "state-cancelled" in groups["f2"].get("class").split()
    assert "taken" in groups["f1"].get("class").split()
    assert "taken" not in groups["f2"].get("class").split()
    title = groups["t"].find(f"{{{SVG}}}title")
    assert title is not None and "待 整改督办组 处理" in title.text
    note = _svg_tree(svg).find(f".//{{{SVG}}}g[@data-note-for='t']/{{{SVG}}}text[@class='note']")
    assert note is not None and "".join(note.itertext()) == "待 整改督办组 处理"
    assert _svg_tree(svg).find(f".//{{{SVG}}}g[@class='legend']") is not None


@pytest.mark.parametrize("path", [WORKFLOW, *SAMPLE_FILES[:6]], ids=lambda path: path.name)
def test_a_drawing_from_the_file_s_sketch_is_the_drawing_made_afresh(path: Path) -> None:
    """The file is drawn once without progress; a drawing with progress, made after others with other
    progress, is the same as one made from nothing (no highlight, note or colour is left behind)."""
    xml = path.read_bytes()
    ids = [element.get("id") for element in etree.fromstring(xml).iter(f"{{{MODEL}}}*") if element.get("id")]
    shapes = [id_ for id_ in ids if id_ in _groups(render_svg(xml))]
    first = {shapes[0]: Highlight("done"), shapes[-1]: Highlight("current", "待 整改督办组 处理，期限 2027-01-05")}
    second = {shapes[len(shapes) // 2]: Highlight("waiting", "到期 2027-02-01")}
    flows = set(ids[-3:])
    sketch_of.cache_clear()
    afresh = render_svg(xml, second, flows, "标题")
    sketch_of.cache_clear()
    render_svg(xml, first, set(ids[:3]), "标题")
    render_svg(xml)
    assert render_svg(xml, second, flows, "标题") == afresh
    assert sketch_of.cache_info().misses == 1


def test_no_legend_or_state_without_highlights() -> None:
    svg = render_svg(SMALL)
    assert "state-done" not in _svg_tree(svg).xpath("string(//*[local-name()='g'][@data-element-id='s']/@class)")
    assert _svg_tree(svg).find(f".//{{{SVG}}}g[@class='legend']") is None


def test_unknown_highlight_state_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown highlight state"):
        Highlight("finished")


def test_names_are_escaped() -> None:
    nasty = "<script>alert(1)</script>&\"'"
    bpmn = _minimal(f'<task id="t" name={quoteattr(nasty)}/>', _shape("t", 0, 0, 100, 80))
    svg = render_svg(bpmn, {"t": Highlight("current", '<b>"x" & y</b>')}, title='<script>&"')
    root = _svg_tree(svg)
    assert not list(root.iter(f"{{{SVG}}}script", "script", f"{{{SVG}}}b"))
    assert "<script" not in svg and "<b>" not in svg
    # Shown literally, as text: in the label, the tooltip and the title.
    assert "".join(_label_lines(svg, "t")) == nasty
    assert nasty in _groups(svg)["t"].findtext(f"{{{SVG}}}title")
    assert root.findtext(f"{{{SVG}}}title") == '<script>&"'


def test_output_parses_and_has_no_script() -> None:
    svg = render_svg(WORKFLOW.read_bytes(), {"assign": Highlight("done")}, {"f_start_assign"}, title="整改")
    root = _svg_tree(svg)
    assert root.tag == f"{{{SVG}}}svg"
    assert "script" not in svg.lower()
    assert "Noto Sans CJK SC" in svg


def test_rectification_workflow_draws_all_lanes_and_nodes() -> None:
    groups = _groups(render_svg(WORKFLOW.read_bytes()))
    assert _expected_ids(WORKFLOW) <= set(groups)
    assert "lane" in groups["Lane_rectification_0"].get("class").split()
    assert "participant" in groups["Participant_rectification"].get("class").split()


def _label_lines(svg: str, element_id: str) -> list[str]:
    label = next(t for t in _groups(svg)[element_id].iter(f"{{{SVG}}}text") if t.get("class") == "label")
    return ["".join(span.itertext()) for span in label]


def test_chinese_names_wrap() -> None:
    name = "审核整改实施方案并报送牵头市领导审批备案"
    lines = _label_lines(render_svg(_minimal(f'<userTask id="t" name="{name}"/>', _shape("t", 0, 0, 100, 80))), "t")
    assert len(lines) >= 2
    assert "".join(lines) == name


def test_long_latin_name_wraps_at_spaces() -> None:
    name = "Review and document the result of the inspection"
    lines = _label_lines(render_svg(_minimal(f'<task id="t" name="{name}"/>', _shape("t", 0, 0, 100, 80))), "t")
    assert len(lines) >= 2
    assert " ".join(lines) == name


def test_viewbox_covers_drawing_with_margin() -> None:
    x, y, w, h = map(float, _svg_tree(render_svg(SMALL)).get("viewBox").split())
    assert x < 100 and y < 98
    assert x + w > 366 and y + h > 178


def test_missing_di_raises() -> None:
    with pytest.raises(DiagramError, match=r"has no diagram information \(bpmndi:BPMNDiagram\)"):
        render_svg(_minimal('<task id="t"/>'))


def test_malformed_xml_raises_with_line() -> None:
    with pytest.raises(DiagramError, match=r"line 3"):
        render_svg("<definitions>\n<process>\n<task></process>\n</definitions>")


def test_non_bpmn_xml_raises() -> None:
    with pytest.raises(DiagramError, match="not a BPMN"):
        render_svg(b"<html><body/></html>")


def test_di_pointing_to_missing_element_is_skipped() -> None:
    bpmn = _minimal('<task id="t" name="T"/>', _shape("t", 0, 0, 100, 80) + _shape("ghost", 200, 0, 100, 80))
    groups = _groups(render_svg(bpmn))
    assert set(groups) == {"t"}


def test_str_input_with_encoding_declaration() -> None:
    svg = render_svg('<?xml version="1.0" encoding="ISO-8859-1"?>' + SMALL)
    assert "t" in _groups(svg)


def test_first_process_or_collaboration_diagram_is_drawn() -> None:
    body = '<subProcess id="sp"><task id="inner"/></subProcess><task id="outer"/>'
    sub_diagram = (
        '<bpmndi:BPMNDiagram id="D0"><bpmndi:BPMNPlane id="P0" bpmnElement="sp">'
        + _shape("inner", 0, 0, 100, 80)
        + "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
    )
    bpmn = _minimal(body, _shape("outer", 0, 0, 100, 80) + _shape("sp", 200, 0, 100, 80))
    bpmn = bpmn.replace("</process>", "</process>" + sub_diagram)
    groups = _groups(render_svg(bpmn))
    assert {"outer", "sp"} <= set(groups)
    assert "inner" not in groups
    assert "collapsed" in groups["sp"].get("class").split()


def test_title_is_drawn_and_escaped() -> None:
    svg = render_svg(SMALL, title="整改 <#12>")
    root = _svg_tree(svg)
    assert root.find(f"{{{SVG}}}title").text == "整改 <#12>"
    assert any("整改 <#12>" in "".join(t.itertext()) for t in root.iter(f"{{{SVG}}}text"))


def test_empty_input_raises() -> None:
    with pytest.raises(DiagramError, match="not a well-formed XML file"):
        render_svg(b"")


def test_plane_without_shapes_raises() -> None:
    bpmn = _minimal('<task id="t"/>', "<!-- empty -->")
    with pytest.raises(DiagramError, match="nothing to draw"):
        render_svg(bpmn)


def test_default_and_conditional_flow_markers() -> None:
    bpmn = _minimal(
        '<exclusiveGateway id="g" default="d"/><task id="a"/><task id="b"/>'
        '<sequenceFlow id="d" sourceRef="g" targetRef="a"/>'
        '<sequenceFlow id="c" sourceRef="a" targetRef="b"><conditionExpression>x</conditionExpression></sequenceFlow>',
        _shape("g", 0, 15, 50, 50)
        + _shape("a", 100, 0, 100, 80)
        + _shape("b", 250, 0, 100, 80)
        + _edge("d", (50, 40), (100, 40))
        + _edge("c", (200, 40), (250, 40)),
    )
    groups = _groups(render_svg(bpmn))
    assert groups["d"].find(f"{{{SVG}}}path[@class='line slash']") is not None
    assert groups["c"].find(f"{{{SVG}}}path[@class='arrow condition']") is not None


def test_expanded_subprocess_is_painted_under_its_content() -> None:
    bpmn = _minimal(
        '<subProcess id="sp"><task id="inner"/></subProcess><boundaryEvent id="b" attachedToRef="sp"/>',
        _shape("inner", 40, 40, 100, 80) + _shape("b", 182, 182, 36, 36) + _shape("sp", 0, 0, 200, 200),
    )
    order = list(_groups(render_svg(bpmn)))
    assert order.index("sp") < order.index("inner") < order.index("b")
    assert "expanded" in _groups(render_svg(bpmn))["sp"].get("class").split()


def test_model_colours_give_way_to_highlights() -> None:
    bpmn = _minimal('<task id="t"/>', _shape("t", 0, 0, 100, 80)).replace(
        'bpmnElement="t">',
        'bpmnElement="t" xmlns:color="http://www.omg.org/spec/BPMN/non-normative/color/1.0" '
        'color:background-color="#c2d7eb">',
    )
    plain = _groups(render_svg(bpmn))["t"].find(f"{{{SVG}}}rect")
    assert plain.get("style") == "fill:#c2d7eb"
    lit = _groups(render_svg(bpmn, {"t": Highlight("done")}))["t"].find(f"{{{SVG}}}rect")
    assert lit.get("style") is None


def test_chinese_lane_names_are_written_upright() -> None:
    svg = render_svg(WORKFLOW.read_bytes())
    lane = _groups(svg)["Lane_rectification_0"]
    label = lane.find(f"{{{SVG}}}text[@class='label upright']")
    assert label is not None
    assert [span.text for span in label] == list("综合协调组")
