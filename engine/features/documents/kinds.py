"""The kinds of official documents duban writes: when each applies to a task, and what it says.

Every kind fills the same fields (FIELDS), so an office's template may use any of them; what differs is
the title, the addressee, the body's paragraphs and, for the forms (督办单, 约谈记录, 销号审批表), the
rows of their table. A document is written in Chinese, as it is sent.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from engine.core.errors import Conflict
from engine.core.statuses import TaskStatus, WarningLevel
from engine.core.text import N_, Text
from engine.features.documents.record import TaskRecord

#: the fields a template may use, and what each holds (docs/operations.md lists them for offices)
FIELDS: dict[str, str] = {
    "issuer": "发文机关",
    "number": "文号，如 泸整改办函〔2026〕12号",
    "title": "标题",
    "addressee": "主送单位",
    "body": "正文（多段）",
    "rows": "表格各行（督办单、约谈记录、销号审批表），每行有 label 和 value",
    "date": "成文日期",
    "task_code": "任务编号",
    "task_title": "任务名称",
    "lead_unit": "牵头责任单位",
    "lead_leader": "牵头市领导",
    "deadline": "整改时限",
}
Record = TypeVar("Record")


@dataclass(frozen=True)
class Content:
    addressee: str
    body: list[str]
    rows: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class DocumentKind:
    code: str
    name: Text  # what a button and the list of documents say
    title: str  # the document's own title
    series: str  # the 文号's series after the office's prefix: 函, 督, 催 …
    applies: Callable[[TaskRecord], bool]
    write: Callable[[TaskRecord], Content]
    table: bool = False  # laid out as a form with a table of rows


def given(value: Record | None) -> Record:
    """A record a kind's `applies` made sure of: a document is written only for a task it applies to."""
    if value is None:
        raise Conflict(N_("这份公文不适用于该任务的当前状态"))
    return value


def deadline_of(record: TaskRecord) -> str:
    task = record.task
    if task.deadline is None:
        return str(task.deadline_kind.label)
    return f"{_day(task.deadline)}（{task.deadline_kind.label}）"


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _task_line(record: TaskRecord) -> str:
    return f"{record.task.code}号整改任务“{record.task.title}”"


def _assignment(record: TaskRecord) -> Content:
    task = record.task
    return Content(task.lead_unit.name, [
        f"根据中央生态环境保护督察反馈意见整改工作安排，现将{_task_line(record)}交由你单位牵头办理。",
        f"存在问题：{task.problem}",
        f"整改目标：{task.target}",
        f"整改措施：{task.measures}",
        f"整改时限：{deadline_of(record)}。牵头市领导：{task.lead_leader.display_name}。",
        "请你单位按要求制定整改实施方案，明确责任人和时间节点，按月报送整改进展，确保按期完成整改任务。",
    ])


def _supervision(record: TaskRecord) -> Content:
    task, report = record.task, record.report
    progress = (f"{report.period} 月进展：{report.progress}（完成 {report.percent_complete}%）" if report
                else "尚未报送月度进展")
    return Content(task.lead_unit.name, [
        f"你单位牵头的{_task_line(record)}正在督办中。请对照整改目标和时间节点，加快推进，按月如实报送进展。"],
        [("任务编号", task.code), ("任务名称", task.title), ("牵头单位", task.lead_unit.name),
         ("牵头市领导", task.lead_leader.display_name), ("整改目标", task.target), ("整改时限", deadline_of(record)),
         ("当前状态", str(task.status.label)), ("预警等级", str(task.warning.label)), ("最近进展", progress),
         ("督办要求", "请于收到本督办单后5个工作日内书面报告整改推进情况。")])


def _reminder(record: TaskRecord) -> Content:
    task = record.task
    return Content(task.lead_unit.name, [
        f"你单位牵头的{_task_line(record)}目前为{task.warning.label}，整改进度滞后或月度进展未按时报送。",
        f"整改时限：{deadline_of(record)}。",
        "请你单位高度重视，立即组织力量推进整改，于3个工作日内报送整改进展情况。逾期未整改到位的，将按规定予以通报、约谈。",
    ])


def _circular(record: TaskRecord) -> Content:
    escalation = given(record.notice_escalation)
    text = escalation.notice.text if escalation.notice else escalation.reasons
    return Content("各区县人民政府，市级有关部门", [
        f"{escalation.unit.name}牵头的{_task_line(record)}整改工作推进不力。", *text.splitlines(),
        "请各地各部门引以为戒，举一反三，切实压实整改责任，确保整改任务按期完成。"])


def _interview_notice(record: TaskRecord) -> Content:
    escalation = given(record.interview_escalation)
    return Content(escalation.unit.name, [
        f"因你单位牵头的{_task_line(record)}整改工作推进不力，经市整改工作领导小组同意，决定对你单位主要负责同志进行约谈。",
        f"约谈事由：{escalation.reasons}",
        "请你单位主要负责同志和分管负责同志按通知的时间、地点准时参加，并提交整改工作情况的书面汇报材料。"])


def _interview_record(record: TaskRecord) -> Content:
    escalation = given(record.interview_escalation)
    interview = given(escalation.interview)
    return Content(escalation.unit.name, [f"关于{_task_line(record)}约谈情况记录如下。"], [
        ("约谈时间", _day(interview.held_on)), ("约谈地点", interview.place), ("被约谈人", interview.interviewees),
        ("约谈人", interview.interviewers), ("约谈事由", escalation.reasons), ("约谈承诺", interview.commitments)])


def _signoff_approval(record: TaskRecord) -> Content:
    task, signoff = record.task, given(record.signoff)
    met = sum(1 for item in (signoff.checklist or {}).values() if item.get("met"))
    return Content("市整改工作领导小组", [f"{task.lead_unit.name}申请对{_task_line(record)}予以销号，审批如下。"], [
        ("任务编号", task.code), ("任务名称", task.title), ("牵头单位", task.lead_unit.name),
        ("整改目标", task.target), ("整改完成情况", signoff.summary),
        ("申请日期", _day(signoff.applied_at.date())),
        ("现场核查", f"{_day(signoff.site_check_date)} {signoff.site_check_by}：{signoff.site_findings}"
         if signoff.site_check_date else "尚未核查"),
        ("核验标准", f"已达到 {met} 项（共 5 项）"),
        ("审批状态", str(signoff.status.label)), ("牵头市领导意见", "")])


def _signoff_notice(record: TaskRecord) -> Content:
    notice = given(record.signoff_notice)
    return Content("社会各界", notice.text.splitlines()[2:] or notice.text.splitlines())


KINDS: dict[str, DocumentKind] = {kind.code: kind for kind in (
    DocumentKind("assignment", N_("交办函"), "关于交办生态环境保护督察整改任务的函", "函",
                 lambda r: r.assigned, _assignment),
    DocumentKind("supervision", N_("督办单"), "生态环境保护督察整改督办单", "督",
                 lambda r: r.assigned and not r.task.status.is_closed(), _supervision, table=True),
    DocumentKind("reminder", N_("催办通知"), "关于加快推进督察整改任务的催办通知", "催",
                 lambda r: r.task.status is TaskStatus.IN_PROGRESS and r.task.warning is not WarningLevel.GREEN,
                 _reminder),
    DocumentKind("circular", N_("通报"), "关于督察整改工作推进不力的通报", "通",
                 lambda r: r.notice_escalation is not None, _circular),
    DocumentKind("interview_notice", N_("约谈通知书"), "约谈通知书", "约",
                 lambda r: r.interview_escalation is not None, _interview_notice),
    DocumentKind("interview_record", N_("约谈记录"), "约谈记录", "约记",
                 lambda r: r.interview_escalation is not None and r.interview_escalation.interview is not None,
                 _interview_record, table=True),
    DocumentKind("signoff_approval", N_("销号审批表"), "督察整改任务销号审批表", "销",
                 lambda r: r.signoff is not None, _signoff_approval, table=True),
    DocumentKind("signoff_notice", N_("销号公示"), "督察整改任务拟销号公示", "公示",
                 lambda r: r.signoff_notice is not None, _signoff_notice),
)}


def fill(kind: DocumentKind, record: TaskRecord, *, issuer: str, number: str, today: date) -> dict[str, Any]:
    """The fields of one document (FIELDS), as they are kept with it; the body is a list of paragraphs."""
    task, content = record.task, kind.write(record)
    return {"issuer": issuer, "number": number, "title": kind.title, "addressee": content.addressee,
            "body": [paragraph for paragraph in content.body if paragraph.strip()],
            "rows": [{"label": label, "value": value} for label, value in content.rows],
            "date": _day(today), "task_code": task.code, "task_title": task.title,
            "lead_unit": task.lead_unit.name, "lead_leader": task.lead_leader.display_name,
            "deadline": deadline_of(record)}
