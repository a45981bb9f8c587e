"""The restricted language of BPMN conditions, timers and due dates.

SpiffWorkflow evaluates expressions with plain `eval`. duban replaces that with a
whitelist: literals, names of task data, comparisons, boolean and arithmetic operators,
subscripts, and calls to the functions listed in `ExpressionFunctions`. No imports, no
attribute access, no dunder names, no script tasks.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from types import CodeType
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.core.clock import Clock, local_today
from engine.core.workdays import add_working_days

ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
    ast.Constant, ast.Name, ast.Load, ast.Subscript, ast.List, ast.Tuple, ast.Dict,
    ast.JoinedStr, ast.FormattedValue, ast.IfExp, ast.Call,
)
MAX_EXPRESSION_LENGTH = 500

#: ISO 8601 dates, durations and cycles written without quotes (as Camunda Modeler does).
ISO_LITERAL = re.compile(
    r"(R\d*/)?(P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?"
    r"|\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)(/.+)?"
)


class ExpressionError(ValueError):
    pass


def check_expression(source: str, functions: Mapping[str, Callable[..., Any]]) -> ast.Expression:
    """Parse and whitelist-check an expression; raise ExpressionError saying what is wrong."""
    text = source.strip()
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_EXPRESSION_LENGTH} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"syntax error: {exc.msg}") from None
    for node in ast.walk(tree):
        _check_node(node, functions)
    return tree


def _check_node(node: ast.AST, functions: Mapping[str, Callable[..., Any]]) -> None:
    if not isinstance(node, ALLOWED_NODES):
        raise ExpressionError(f"{type(node).__name__} is not allowed in an expression")
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        raise ExpressionError(f"name {node.id!r} is not allowed")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in functions:
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise ExpressionError(f"call of {name!r} is not allowed; allowed functions: {', '.join(sorted(functions))}")
        if node.keywords:
            raise ExpressionError("keyword arguments are not allowed")


def is_iso_literal(source: str) -> bool:
    return bool(ISO_LITERAL.fullmatch(source.strip()))


def base_functions(clock: Clock) -> dict[str, Callable[..., Any]]:
    """The functions any expression may call; features add their own (Registry.add_functions)."""
    return {
        "today": lambda: local_today(clock).isoformat(),
        "add_days": add_days,
        "start_of_day": start_of_day,
        "add_working_days": add_working_days_iso,
        "len": len,
        "min": min,
        "max": max,
        "str": str,
        "int": int,
    }


def add_working_days_iso(day: str, days: int) -> str:
    return add_working_days(as_date(day), int(days)).isoformat()


def add_days(day: str, days: int) -> str:
    return (as_date(day) + timedelta(days=int(days))).isoformat()


def start_of_day(day: str) -> str:
    """An ISO timestamp at local midnight, for timeDate timers."""
    return f"{as_date(day).isoformat()}T00:00:00+08:00"


def as_date(value: str) -> date:
    if isinstance(value, date):
        return value if not isinstance(value, datetime) else value.date()
    return date.fromisoformat(str(value)[:10])


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow's script environment, reduced to whitelisted expressions."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]]) -> None:
        super().__init__({})
        self.functions = dict(functions)
        self._compiled: dict[str, CodeType] = {}  # each expression is checked and compiled once

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        code = self._compiled.get(expression)
        if code is None:
            code = compile(check_expression(expression, self.functions), "<bpmn expression>", "eval")
            self._compiled[expression] = code
        names = {**(external_context or {}), **context, **self.functions}
        return eval(code, {"__builtins__": {}}, names)  # noqa: S307

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        raise PermissionError("script tasks are not allowed; name a duban:action on a serviceTask instead")


class RestrictedScriptEngine(PythonScriptEngine):
    """Evaluates through RestrictedEnvironment and accepts unquoted ISO 8601 timer literals."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]]) -> None:
        super().__init__(environment=RestrictedEnvironment(functions))

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        if isinstance(expression, str) and is_iso_literal(expression):
            return expression.strip()
        return super().evaluate(task, expression, external_context)

    def evaluate_in(self, data: dict[str, Any], expression: str) -> Any:
        """Evaluate outside any BPMN task (due dates), with `data` as the names."""
        return self.environment.evaluate(expression, dict(data))
