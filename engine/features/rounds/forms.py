"""The fields of a round: what the coordination office enters for each inspection it answers."""
from __future__ import annotations

from typing import Any

from engine.core.errors import InvalidSubmission
from engine.core.fields import Field, clean
from engine.core.text import N_

NAME_MAX = 200
ROUND_FIELDS = (
    Field("name", "line", max_length=NAME_MAX, label=N_("批次名称"),
          help=N_("如：中央第五环境保护督察、省级环境保护督察")),
    Field("body", "line", required=False, max_length=NAME_MAX, label=N_("督察组"),
          help=N_("开展督察的机构，如：中央第五环境保护督察组")),
    Field("started_on", "date", required=False, label=N_("进驻日期")),
    Field("ended_on", "date", required=False, label=N_("结束日期")),
    Field("feedback_on", "date", required=False, label=N_("反馈日期"), help=N_("督察组反馈意见的日期")),
    Field("description", required=False, label=N_("说明")),
)


def checked_round(data: dict[str, Any]) -> dict[str, Any]:
    """A round's fields, every problem at once: its dates in their order (in town, then feedback)."""
    cleaned = clean(ROUND_FIELDS, data)
    errors: dict[str, list[str]] = {}
    started, ended, feedback = cleaned["started_on"], cleaned["ended_on"], cleaned["feedback_on"]
    if started and ended and ended < started:
        errors["ended_on"] = [N_("结束日期不能早于进驻日期")]
    if started and feedback and feedback < started:
        errors["feedback_on"] = [N_("反馈日期不能早于进驻日期")]
    if errors:
        raise InvalidSubmission(errors)
    return {**cleaned, "body": cleaned["body"] or "", "description": cleaned["description"] or ""}
