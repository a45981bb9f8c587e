"""A modeller's mistakes in a BPMN file or roles.yaml are refused with a message naming the file and the place.

Every fixture under tests/data/bpmn and tests/data/roles is a small, otherwise valid file with one mistake.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from engine.app import build_registry, build_vocabulary
from engine.core.clock import LOCAL_TZ, FakeClock
from engine.core.errors import ConfigError
from engine.core.roles import load_roles
from engine.core.settings import Settings
from engine.workflow.loader import Vocabulary, load_file, load_files
from tests.factories import ROOT

BPMN = ROOT / "tests" / "data" / "bpmn"
ROLES = ROOT / "tests" / "data" / "roles"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    clock = FakeClock(datetime(2026, 3, 10, 9, 0, tzinfo=LOCAL_TZ))
    return build_vocabulary(build_registry(clock, Settings()), load_roles(ROOT / "roles.yaml"))


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th line of `path` containing `needle`."""
    hits = [number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} occurs {len(hits)} times in {path.name}"
    return hits[occurrence - 1]


def refusal_of_bpmn(path: Path, vocabulary: Vocabulary) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_file(path, vocabulary)
    return info.value


def refusal_of_roles(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_roles(path)
    return info.value


def assert_names_file(error: ConfigError, path: Path) -> None:
    assert error.file == str(path)
    assert str(error).startswith(f"{path}: ")


def assert_says(error: ConfigError, *words: str) -> None:
    for word in words:
        assert word in error.message, f"{word!r} not in {error.message!r}"
    assert "\n" not in str(error), "a refusal must fit on one line"
    assert " at 0x" not in str(error), "a refusal must not show Python object reprs"


# --- BPMN: mistakes in one element -------------------------------------------------------------


@dataclass(frozen=True)
class ElementMistake:
    fixture: str
    tag: str
    element_id: str
    words: tuple[str, ...]
    jargon: tuple[str, ...] = ()  # words a modeller would not understand, which must not appear

    def __str__(self) -> str:
        return self.fixture


def fixture_of(case: object) -> str:
    """The fixture name of a case, whether bare or wrapped in pytest.param."""
    values = getattr(case, "values", (case,))
    return str(values[0])



ELEMENT_MISTAKES = [
    ElementMistake("unknown_lane", "bpmn:lane", "Lane_unknown_lane", ("不存在的组", "not mapped to a role")),
    ElementMistake("user_task_without_form", "bpmn:userTask", "assign", ("names no form", "duban:form")),
    ElementMistake("user_task_unknown_form", "bpmn:userTask", "assign", ("unknown form 'no_such_form'", "assign")),
    ElementMistake("user_task_outside_lane", "bpmn:userTask", "assign", ("in no lane", "no role")),
    ElementMistake("script_task", "bpmn:scriptTask", "compute", ("script tasks are not allowed", "duban:action")),
    ElementMistake("service_task_without_action", "bpmn:serviceTask", "notify", ("names no action", "duban:action")),
    ElementMistake("service_task_unknown_action", "bpmn:serviceTask", "notify",
                   ("unknown action 'send_fax'", "close_task")),
    ElementMistake("plain_task", "bpmn:task", "wait", ("plain or manual task", "userTask")),
    ElementMistake("condition_syntax_error", "bpmn:sequenceFlow", "f_end", ("condition", "syntax error")),
    ElementMistake("condition_import_call", "bpmn:sequenceFlow", "f_end",
                   ("condition", "call of '__import__' is not allowed", "allowed functions")),
    ElementMistake("condition_open_call", "bpmn:sequenceFlow", "f_end",
                   ("condition", "call of 'open' is not allowed", "today")),
    ElementMistake("condition_attribute_access", "bpmn:sequenceFlow", "f_end",
                   ("decision.__class__", "not allowed")),
    ElementMistake("timer_invalid_iso_quoted", "bpmn:intermediateCatchEvent", "wait_a_while",
                   ("timeDuration", "P1X", "not valid ISO 8601")),
    ElementMistake("timer_invalid_date", "bpmn:intermediateCatchEvent", "wait_a_while",
                   ("timeDate", "2026-13-45", "not valid ISO 8601")),
    ElementMistake("due_disallowed_call", "bpmn:userTask", "assign", ("duban:due", "call of 'open' is not allowed")),
    ElementMistake("gateway_flow_without_condition", "bpmn:sequenceFlow", "f_end", ("without condition",)),
    pytest.param(
        ElementMistake("condition_method_call", "bpmn:sequenceFlow", "f_end", ("not allowed", "system"),
                       jargon=("'Attribute'",)),
    ),
    pytest.param(
        ElementMistake("timer_invalid_iso", "bpmn:intermediateCatchEvent", "wait_a_while",
                       ("timeDuration", "P1X", "not valid ISO 8601")),
    ),
    pytest.param(
        ElementMistake("flow_to_missing_id", "bpmn:sequenceFlow", "f_end", ("nowhere", "no element")),
    ),
    pytest.param(
        ElementMistake("call_activity_missing_process", "bpmn:callActivity", "call_other",
                       ("elsewhere", "not found")),
    ),
]


@pytest.mark.parametrize("mistake", ELEMENT_MISTAKES, ids=str)
def test_element_mistake_names_file_element_line_and_problem(mistake: ElementMistake,
                                                             vocabulary: Vocabulary) -> None:
    path = BPMN / f"{mistake.fixture}.bpmn"
    error = refusal_of_bpmn(path, vocabulary)
    assert_names_file(error, path)
    line = line_of(path, f'id="{mistake.element_id}"')
    assert error.where == f"{mistake.tag} {mistake.element_id} (line {line})"
    assert_says(error, *mistake.words)
    for word in mistake.jargon:
        assert word not in error.message


# --- BPMN: mistakes found by line, or in the whole file ----------------------------------------


def test_malformed_xml_names_the_line_of_the_broken_tag(vocabulary: Vocabulary) -> None:
    path = BPMN / "not_well_formed.bpmn"
    error = refusal_of_bpmn(path, vocabulary)
    assert_names_file(error, path)
    assert error.where == f"line {line_of(path, '</bpmn:userTsk>')}"
    assert_says(error, "not well-formed XML", "userTsk")


def test_element_unknown_to_bpmn_schema_names_its_line_and_tag(vocabulary: Vocabulary) -> None:
    path = BPMN / "xsd_invalid_element.bpmn"
    error = refusal_of_bpmn(path, vocabulary)
    assert_names_file(error, path)
    assert error.where == f"line {line_of(path, '<bpmn:frobnicate')}"
    assert_says(error, "bpmn:frobnicate", "not expected")


def test_file_without_executable_process_is_refused(vocabulary: Vocabulary) -> None:
    path = BPMN / "no_executable_process.bpmn"
    error = refusal_of_bpmn(path, vocabulary)
    assert_names_file(error, path)
    assert_says(error, "no executable process", 'isExecutable="true"')


def test_same_process_id_in_two_files_names_both(vocabulary: Vocabulary) -> None:
    first, second = BPMN / "duplicate_process_a.bpmn", BPMN / "duplicate_process_b.bpmn"
    with pytest.raises(ConfigError) as info:
        load_files([first, second], vocabulary)
    assert_names_file(info.value, second)
    assert info.value.where == "bpmn:process shared_id"
    assert_says(info.value, "already defined", str(first))


def test_good_minimal_file_loads(vocabulary: Vocabulary) -> None:
    [definition] = load_file(BPMN / "good_minimal.bpmn", vocabulary)
    assert (definition.process_id, definition.name, definition.file_name) == (
        "good_minimal", "最小流程", "good_minimal.bpmn")


def test_project_workflows_load(vocabulary: Vocabulary) -> None:
    definitions = load_files(sorted((ROOT / "workflows").glob("*.bpmn")), vocabulary)
    assert {"rectification", "monthly_report"} <= {d.process_id for d in definitions}


def test_every_bpmn_fixture_is_tested() -> None:
    tested = {fixture_of(case) for case in ELEMENT_MISTAKES}
    tested |= {"not_well_formed", "xsd_invalid_element", "no_executable_process", "duplicate_process_a",
               "duplicate_process_b", "good_minimal"}
    assert {path.stem for path in BPMN.glob("*.bpmn")} == tested


# --- roles.yaml --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RolesMistake:
    fixture: str
    needle: str  # text on the line the message must name
    words: tuple[str, ...]
    occurrence: int = 1

    def __str__(self) -> str:
        return self.fixture


ROLES_MISTAKES = [
    RolesMistake("not_yaml", "scope: unit", ("not valid YAML",)),
    RolesMistake("unknown_permission", "task.delete", ("unknown permission 'task.delete'", "ledger.view")),
    RolesMistake("lane_unknown_role", "unit_stuff", ("责任单位承办人", "unknown role 'unit_stuff'", "coordinator")),
    RolesMistake("unknown_unit_kind", "village", ("unknown unit kind 'village'", "county")),
    RolesMistake("bad_unit_code", "Jiang-Yang", ("unit code 'Jiang-Yang'", "lower-case")),
    RolesMistake("duplicate_unit_code", "code: office", ("unit code 'office'", "twice"), occurrence=2),
    RolesMistake("missing_units", "roles:", ("units", "required")),
    RolesMistake("extra_key", "colour:", ("roles.unit_staff.colour", "not permitted")),
    RolesMistake("unknown_scope", "scope: county", ("roles.unit_staff.scope", "'all', 'unit' or 'none'")),
    pytest.param(
        RolesMistake("not_a_mapping", "- coordinator", ("expected a mapping",)),
    ),
    pytest.param(
        RolesMistake("duplicate_lane", "综合协调组:", ("综合协调组", "twice"), occurrence=2),
    ),
]


@pytest.mark.parametrize("mistake", ROLES_MISTAKES, ids=str)
def test_roles_mistake_names_file_line_and_problem(mistake: RolesMistake) -> None:
    path = ROLES / f"{mistake.fixture}.yaml"
    error = refusal_of_roles(path)
    assert_names_file(error, path)
    assert error.where == f"line {line_of(path, mistake.needle, mistake.occurrence)}"
    assert_says(error, *mistake.words)


def test_good_roles_fixture_loads() -> None:
    roles = load_roles(ROLES / "good.yaml")
    assert roles.role_for_lane("综合协调组") == "coordinator"
    assert roles.unit_codes() == {"luzhou", "office", "jiangyang"}


def test_project_roles_yaml_loads() -> None:
    roles = load_roles(ROOT / "roles.yaml")
    assert roles.role_for_lane("综合协调组") == "coordinator"
    assert "leader" in roles.roles


def test_every_roles_fixture_is_tested() -> None:
    tested = {fixture_of(case) for case in ROLES_MISTAKES}
    assert {path.stem for path in ROLES.glob("*.yaml")} == tested | {"good"}
