"""Load and validate workflows/*.bpmn.

A file is accepted only if it is well-formed XML, valid BPMN 2.0 (XSD), parses in
SpiffWorkflow, and obeys duban's rules: every lane is mapped to a role in roles.yaml,
every user task names a form the UI knows, every service task names a known action,
no script tasks, and every expression passes the restricted-language check. Each
refusal is a ConfigError naming the file and the element (or line).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.core.errors import ConfigError
from engine.core.roles import RoleModel
from engine.workflow.expressions import ExpressionError, check_expression, is_iso_literal
from engine.workflow.serializer import make_serializer

DUBAN_NS = "http://duban.org/schema/bpmn/1.0"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN_NS, "duban": DUBAN_NS}
SPEC_KEYS = ("spec", "subprocess_specs")
#: duban:* attributes an element may carry, by the element they belong on.
EXTENSION_ATTRIBUTES = ("form", "action", "due", "status", "standing", "assignee")

#: Timer text a modeller meant as an ISO 8601 literal even though it does not parse as one (P1X, PT5, 2026-13-45).
ISO_SHAPED = re.compile(r"(R\d*/)?P(\d|T\d).*|\d{4}-\d.*")
_LXML_REPR = re.compile(r"<Element \S+ at 0x[0-9a-f]+>")

_VALIDATOR: BpmnValidator | None = None


def _xsd_validator() -> BpmnValidator:
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = BpmnValidator()
    return _VALIDATOR


class _ExtensionsMixin:
    """Collect duban:* attributes of any flow node into task_spec.extensions."""

    node: Any

    def parse_extensions(self, node: Any = None) -> dict[str, str]:
        node = self.node if node is None else node
        prefix = f"{{{DUBAN_NS}}}"
        return {key[len(prefix):]: value for key, value in node.attrib.items() if key.startswith(prefix)}


def _with_extensions(parser_class: type) -> type:
    return type(f"Duban{parser_class.__name__}", (_ExtensionsMixin, parser_class), {})


class DubanParser(BpmnParser):
    OVERRIDE_PARSER_CLASSES = {  # noqa: RUF012 - class-level table, as SpiffWorkflow expects
        tag: (_with_extensions(parser), spec) for tag, (parser, spec) in BpmnParser.PARSER_CLASSES.items()
    }


@dataclass(frozen=True)
class ProcessDefinition:
    """One executable process of one file, ready to be stored as a version."""

    process_id: str
    name: str
    file_name: str
    sha256: str
    bpmn_xml: str
    spec_json: str


@dataclass(frozen=True)
class Vocabulary:
    """What a workflow may refer to: roles (through lanes), and what the features registered: forms, actions,
    functions, statuses (duban:status) and assignees (duban:assignee)."""

    roles: RoleModel
    forms: Collection[str]
    actions: Collection[str]
    functions: Mapping[str, Callable[..., Any]]
    statuses: Collection[str] = ()
    assignees: Collection[str] = ()


def load_file(path: str | Path, vocabulary: Vocabulary) -> list[ProcessDefinition]:
    path = Path(path)
    return load_bytes(str(path), _read_bytes(path), vocabulary)


def load_bytes(name: str, raw: bytes, vocabulary: Vocabulary) -> list[ProcessDefinition]:
    """A BPMN file's content (from disk or uploaded), checked as at start-up: its processes, or ConfigError."""
    tree = _parse_xml(name, raw)
    _no_data_stores(name, tree)
    parser = _spiff_parse(name, tree)
    process_ids = parser.get_process_ids()
    if not process_ids:
        raise ConfigError(name, "", "no executable process (isExecutable=\"true\") in the file")
    DubanRules(name, tree, vocabulary).check()
    try:
        xml_text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(name, "", "is not UTF-8 text") from None
    return [_definition(name, tree, parser, pid, xml_text) for pid in process_ids]


def load_files(paths: Iterable[str | Path], vocabulary: Vocabulary) -> list[ProcessDefinition]:
    definitions: list[ProcessDefinition] = []
    seen: dict[str, str] = {}
    for path in paths:
        for definition in load_file(path, vocabulary):
            if definition.process_id in seen:
                raise ConfigError(str(path), f"bpmn:process {definition.process_id}",
                                  f"process id already defined in {seen[definition.process_id]}")
            seen[definition.process_id] = str(path)
            definitions.append(definition)
    return definitions


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot be read: {exc.strerror}") from None


def _parse_xml(name: str, raw: bytes) -> etree._ElementTree:
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
        return etree.ElementTree(etree.fromstring(raw, parser=parser))
    except etree.XMLSyntaxError as exc:
        raise ConfigError(name, f"line {exc.lineno}", f"not well-formed XML: {exc.msg}") from None


def _no_data_stores(name: str, tree: etree._ElementTree) -> None:
    for store in tree.xpath("//bpmn:dataStore | //bpmn:dataStoreReference", namespaces=NS):
        raise ConfigError(name, f"bpmn:{etree.QName(store).localname} {store.get('id', '?')} (line {store.sourceline})",
                          "data stores are not supported: keep the data in task forms")


def _spiff_parse(name: str, tree: etree._ElementTree) -> DubanParser:
    parser = DubanParser(validator=_xsd_validator())
    try:
        parser.add_bpmn_xml(tree, filename=name)
        _check_references(name, tree)
        for process_id in parser.get_process_ids():
            parser.get_spec(process_id)
            parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise ConfigError(name, _element_where(tree, exc), _clean_message(exc)) from None
    except (SpiffWorkflowException, KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise ConfigError(name, "", f"cannot be parsed as BPMN: {type(exc).__name__}: {exc}") from None
    return parser


def _check_references(name: str, tree: etree._ElementTree) -> None:
    """What SpiffWorkflow reports badly or without the element: dangling flows and calls."""
    def where(element: Any) -> str:
        return f"bpmn:{etree.QName(element).localname} {element.get('id', '?')} (line {element.sourceline})"

    ids = set(tree.xpath("//@id"))
    for flow in tree.xpath("//bpmn:sequenceFlow", namespaces=NS):
        for attribute in ("sourceRef", "targetRef"):
            if flow.get(attribute) not in ids:
                raise ConfigError(name, where(flow),
                                  f"{attribute} {flow.get(attribute)!r} names no element in the file")
    processes = tree.xpath("//bpmn:process/@id", namespaces=NS)
    for call in tree.xpath("//bpmn:process[@isExecutable='true']//bpmn:callActivity", namespaces=NS):
        if call.get("calledElement") not in processes:
            raise ConfigError(name, where(call), f"calls process {call.get('calledElement')!r}, which is not found "
                                                 f"in this file (processes here: {', '.join(processes)})")


def _element_where(tree: etree._ElementTree, exc: ValidationException) -> str:
    element_id = getattr(exc, "id", "") or ""
    line = getattr(exc, "line_number", "") or ""
    if element_id:
        found = tree.xpath("//*[@id=$id]", id=element_id)
        line = line or (found[0].sourceline if found else "")
        tag = getattr(exc, "tag", "") or (etree.QName(found[0]).localname if found else "element")
        return f"{tag} {element_id} (line {line})" if line else f"{tag} {element_id}"
    return f"line {line}" if line else ""


def _clean_message(exc: ValidationException) -> str:
    message = str(exc.args[0]) if exc.args else str(exc)
    message = _LXML_REPR.sub("(a reference to no data object or data store of this process)", message)
    return " ".join(message.replace(f"{{{BPMN_NS}}}", "bpmn:").split())


def _definition(name: str, tree: etree._ElementTree, parser: DubanParser, process_id: str,
                xml_text: str) -> ProcessDefinition:
    """A version is identified by the hash of what runs: the process's serialized spec."""
    spec = parser.get_spec(process_id)
    subprocess_specs = {k: v for k, v in parser.get_subprocess_specs(process_id).items() if v is not None}
    for each in (spec, *subprocess_specs.values()):
        each.file = Path(name).name  # where the file sits on disk is not part of the version
    state = json.loads(SERIALIZER.serialize_json(BpmnWorkflow(spec, subprocess_specs)))
    spec_json = json.dumps({key: state[key] for key in SPEC_KEYS}, sort_keys=True, ensure_ascii=False)
    node = tree.xpath("//bpmn:process[@id=$id]", namespaces=NS, id=process_id)[0]
    digest = hashlib.sha256(spec_json.encode("utf-8")).hexdigest()
    return ProcessDefinition(process_id, node.get("name") or process_id, Path(name).name,
                             digest, xml_text, spec_json)


SERIALIZER = make_serializer()


class DubanRules:
    """duban's own checks on a parsed file, each naming the element at fault."""

    def __init__(self, name: str, tree: etree._ElementTree, vocabulary: Vocabulary) -> None:
        self.name, self.tree, self.vocabulary = name, tree, vocabulary

    def check(self) -> None:
        self._no_script_tasks()
        self._lanes_map_to_roles()
        self._user_tasks_name_forms()
        self._service_tasks_name_actions()
        self._no_plain_waiting_tasks()
        self._statuses_known()
        self._expressions_compile()

    def _fail(self, element: Any, message: str) -> None:
        tag = etree.QName(element).localname
        raise ConfigError(self.name, f"bpmn:{tag} {element.get('id', '?')} (line {element.sourceline})", message)

    def _all(self, xpath: str) -> list[Any]:
        return self.tree.xpath(xpath, namespaces=NS)

    def _executable(self, xpath: str) -> list[Any]:
        return self._all(f"//bpmn:process[@isExecutable='true']{xpath}")

    def _no_script_tasks(self) -> None:
        for element in self._executable("//bpmn:scriptTask"):
            self._fail(element, "script tasks are not allowed: put the work in Python and name it "
                                "with duban:action on a serviceTask")

    def _lanes_map_to_roles(self) -> None:
        lanes = self.vocabulary.roles.lanes
        for lane in self._executable("//bpmn:lane"):
            lane_name = (lane.get("name") or "").strip()
            if lane_name not in lanes:
                self._fail(lane, f"lane {lane_name!r} is not mapped to a role in {self.vocabulary.roles.source}"
                                 f" (known lanes: {', '.join(lanes)})")

    def _user_tasks_name_forms(self) -> None:
        forms = set(self.vocabulary.forms)
        for task in self._executable("//bpmn:userTask"):
            form = task.get(f"{{{DUBAN_NS}}}form")
            if not form:
                self._fail(task, "user task names no form (add duban:form=\"...\")")
            elif form not in forms:
                self._fail(task, f"user task names unknown form {form!r}; known forms: {', '.join(sorted(forms))}")
            if not self._lane_of(task):
                self._fail(task, "user task is in no lane, so no role can do it")
            assignee = task.get(f"{{{DUBAN_NS}}}assignee")
            if assignee and assignee not in self.vocabulary.assignees:
                known = ", ".join(sorted(self.vocabulary.assignees)) or "none"
                self._fail(task, f"unknown duban:assignee {assignee!r}; known: {known}")

    def _service_tasks_name_actions(self) -> None:
        actions = set(self.vocabulary.actions)
        for task in self._executable("//bpmn:serviceTask"):
            action = task.get(f"{{{DUBAN_NS}}}action")
            if not action:
                self._fail(task, "service task names no action (add duban:action=\"...\")")
            elif action not in actions:
                self._fail(task, f"service task names unknown action {action!r}; "
                                 f"known actions: {', '.join(sorted(actions))}")

    def _no_plain_waiting_tasks(self) -> None:
        for element in self._executable("//bpmn:task | //bpmn:manualTask"):
            self._fail(element, "a plain or manual task would wait for nobody; make it a userTask with a duban:form")

    def _statuses_known(self) -> None:
        for element in self._executable("//*[@duban:status]"):
            status = element.get(f"{{{DUBAN_NS}}}status")
            if status not in self.vocabulary.statuses:
                known = ", ".join(sorted(self.vocabulary.statuses)) or "none"
                self._fail(element, f"unknown duban:status {status!r}; known: {known}")

    def _lane_of(self, element: Any) -> str | None:
        element_id = element.get("id")
        refs = self.tree.xpath("//bpmn:lane[bpmn:flowNodeRef=$id]", namespaces=NS, id=element_id)
        return refs[0].get("name") if refs else None

    def _expressions_compile(self) -> None:
        for condition in self._executable("//bpmn:sequenceFlow/bpmn:conditionExpression"):
            self._check(condition.getparent(), condition.text or "", "condition")
        for timer in self._executable("//bpmn:timerEventDefinition/*"):
            event = timer.getparent().getparent()
            self._check_timer(event, etree.QName(timer).localname, timer.text or "")
        for element in self._executable("//*[@duban:due]"):
            self._check(element, element.get(f"{{{DUBAN_NS}}}due"), "duban:due")

    def _check(self, element: Any, source: str, what: str) -> None:
        if not source.strip():
            self._fail(element, f"empty {what} expression")
        try:
            check_expression(source, self.vocabulary.functions)
        except ExpressionError as exc:
            self._fail(element, f"{what} {source.strip()!r}: {exc}")

    def _check_timer(self, event: Any, kind: str, source: str) -> None:
        text = source.strip()
        if is_iso_literal(text) or ISO_SHAPED.fullmatch(text):
            literal = text
        else:
            self._check(event, text, kind)
            if not (text.startswith(("'", '"')) and text.endswith(("'", '"'))):
                return  # computed at run time from task data
            literal = text[1:-1]
        try:
            if kind == "timeCycle":
                TimerEventDefinition.parse_iso_recurring_interval(literal)
            else:
                TimerEventDefinition.parse_time_or_duration(literal)
        except Exception as exc:
            self._fail(event, f"{kind} {text!r} is not valid ISO 8601: {exc}")
