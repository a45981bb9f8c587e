"""BPMN expressions run in a restricted language: whitelisted functions, no imports, no attributes."""
from __future__ import annotations

from datetime import datetime

import pytest

from engine.app import build_registry
from engine.core.clock import LOCAL_TZ, FakeClock
from engine.core.settings import Settings
from engine.workflow.expressions import ExpressionError, RestrictedScriptEngine


@pytest.fixture
def engine() -> RestrictedScriptEngine:
    clock = FakeClock(datetime(2026, 1, 30, 23, 30, tzinfo=LOCAL_TZ))
    return RestrictedScriptEngine(build_registry(clock, Settings(report_day=5)).functions)


@pytest.mark.parametrize(("expression", "data", "value"), [
    ('decision == "file"', {"decision": "file"}, True),
    ("score >= 50 and len(items) > 2", {"score": 70, "items": [1, 2, 3]}, True),
    ("add_days(today(), 3)", {}, "2026-02-02"),
    ("report_due(period)", {"period": "2026-12"}, "2027-01-05"),
    ("start_of_day(next_period_start(period))", {"period": "2026-01"}, "2026-02-01T00:00:00+08:00"),
    ('f"P{n}D"', {"n": 3}, "P3D"),
])
def test_allowed_expressions_evaluate(engine: RestrictedScriptEngine, expression: str, data: dict,
                                      value: object) -> None:
    assert engine.evaluate_in(data, expression) == value


@pytest.mark.parametrize(("expression", "complaint"), [
    ("__import__('os').system('true')", "not allowed"),
    ("open('/etc/passwd')", "call of 'open' is not allowed"),
    ("().__class__.__base__", "Attribute is not allowed"),
    ("x.upper()", "not allowed"),
    ("[c for c in 'abc']", "ListComp is not allowed"),
    ("lambda: 1", "Lambda is not allowed"),
    ("_secret", "name '_secret' is not allowed"),
    ("len(x, key=1)", "keyword arguments are not allowed"),
    ("x ==== 1", "syntax error"),
    ("1 + " * 200 + "1", "longer than"),
])
def test_forbidden_expressions_are_refused(engine: RestrictedScriptEngine, expression: str, complaint: str) -> None:
    with pytest.raises(ExpressionError, match=complaint.replace("(", r"\(").replace(")", r"\)")):
        engine.evaluate_in({"x": "a"}, expression)


def test_script_tasks_cannot_run(engine: RestrictedScriptEngine) -> None:
    with pytest.raises(PermissionError):
        engine.environment.execute("x = 1", {})


def test_unquoted_iso_literals_are_taken_as_timer_values(engine: RestrictedScriptEngine) -> None:
    assert engine.evaluate(None, "PT1H") == "PT1H"
    assert engine.evaluate(None, " 2026-03-01T09:00:00Z ") == "2026-03-01T09:00:00Z"
