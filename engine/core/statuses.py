"""The states and kinds duban's records take, each with its label: said here once.

The store keeps them in its columns, the features' rules ask their predicates, the audit trail
writes their labels in Chinese and the web pages show the same labels in the reader's language
(a label is a marked `Text`, translated when shown).
"""
from __future__ import annotations

import enum

from engine.core.text import N_, Text


class TaskStatus(enum.StrEnum):
    """Where a rectification task stands (the four columns of every ledger)."""

    REGISTERED = "registered"        # 未启动: registered, plan not yet filed
    IN_PROGRESS = "in_progress"      # 推进中: plan filed, rectifying and reporting monthly
    PENDING_SIGNOFF = "pending_signoff"  # 待销号: sign-off applied for, being verified/approved
    CLOSED = "closed"                # 已销号

    @property
    def label(self) -> Text:
        return _TASK_STATUS_LABELS[self]

    def is_closed(self) -> bool:
        return self is TaskStatus.CLOSED

    def can_apply_for_signoff(self) -> bool:
        return self is TaskStatus.IN_PROGRESS

    def is_reporting(self) -> bool:
        return self in (TaskStatus.IN_PROGRESS, TaskStatus.PENDING_SIGNOFF)


_TASK_STATUS_LABELS = {
    TaskStatus.REGISTERED: N_("未启动"),
    TaskStatus.IN_PROGRESS: N_("推进中"),
    TaskStatus.PENDING_SIGNOFF: N_("待销号"),
    TaskStatus.CLOSED: N_("已销号"),
}


class DeadlineKind(enum.StrEnum):
    DATE = "date"            # 整改时限 is a date
    IMMEDIATE = "immediate"  # 立行立改: act at once
    STANDING = "standing"    # 长期坚持: a standing task with no end

    @property
    def label(self) -> Text:
        return {"date": N_("限期完成"), "immediate": N_("立行立改"), "standing": N_("长期坚持")}[self.value]

    def has_date(self) -> bool:
        return self is not DeadlineKind.STANDING


class PlanStatus(enum.StrEnum):
    DRAFTED = "drafted"
    SUBMITTED = "submitted"
    FILED = "filed"
    RETURNED = "returned"

    @property
    def label(self) -> Text:
        return {"drafted": N_("待单位签发"), "submitted": N_("待审核备案"), "filed": N_("已备案"),
                "returned": N_("已退回")}[self.value]


class ReportStatus(enum.StrEnum):
    REQUESTED = "requested"  # the month is over; the unit owes its report
    DRAFTED = "drafted"      # the officer has written it; the unit head has not signed it yet
    SUBMITTED = "submitted"  # signed and sent up (交账)
    ACCEPTED = "accepted"
    RETURNED = "returned"
    CANCELLED = "cancelled"  # the task was signed off before this report was due

    @property
    def label(self) -> Text:
        return {"requested": N_("待填报"), "drafted": N_("待单位签发"), "submitted": N_("待审核"),
                "accepted": N_("审核通过"), "returned": N_("已退回"), "cancelled": N_("已销号，无需报送")}[self.value]

    def is_final(self) -> bool:
        return self in (ReportStatus.ACCEPTED, ReportStatus.CANCELLED)

    def awaits_unit(self) -> bool:
        return self in (ReportStatus.REQUESTED, ReportStatus.DRAFTED, ReportStatus.RETURNED)


class WarningLevel(enum.StrEnum):
    """预警: green on track, yellow needs attention, red needs action (rules: features/rectification/warnings.py)."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> Text:
        return {"green": N_("绿"), "yellow": N_("黄"), "red": N_("红")}[self.value]


class TargetDirection(enum.StrEnum):
    """Which side of its target value an environmental indicator must be on."""

    AT_MOST = "at_most"    # 不高于: lower is better (PM2.5, sections worse than class V)
    AT_LEAST = "at_least"  # 不低于: higher is better (good-air days, sections at class III)

    def meets(self, value: float, target: float) -> bool:
        return value <= target if self is TargetDirection.AT_MOST else value >= target

    @property
    def label(self) -> Text:
        return N_("不高于") if self is TargetDirection.AT_MOST else N_("不低于")


class SignoffStatus(enum.StrEnum):
    APPLIED = "applied"        # drafted by the officer
    SUBMITTED = "submitted"    # signed by the unit head, with the supervisor for verification
    VERIFIED = "verified"      # the five standards are met; on to 公示
    IN_NOTICE = "in_notice"    # 公示: on the public pages, objections may come in
    NOTICE_DONE = "notice_done"  # the notice period is over, objections (if any) all answered
    APPROVED = "approved"      # the lead leader approved: 已销号
    RETURNED = "returned"

    @property
    def label(self) -> Text:
        return {"applied": N_("待单位签发"), "submitted": N_("待核验"), "verified": N_("待发布公示"),
                "in_notice": N_("公示中"), "notice_done": N_("公示期满，待领导审批"), "approved": N_("已批准销号"),
                "returned": N_("已退回")}[self.value]


class ObjectionStatus(enum.StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"        # the objection is right: back to rectification
    DISMISSED = "dismissed"  # answered with the reason recorded


class ReopenReason(enum.StrEnum):
    RECURRENCE = "recurrence"   # 问题复发
    COMPLAINT = "complaint"     # 新的群众投诉
    MEDIA = "media"             # 媒体报道
    INSPECTION = "inspection"   # 上级检查发现

    @property
    def label(self) -> Text:
        return {"recurrence": N_("问题复发"), "complaint": N_("新的群众投诉"), "media": N_("媒体报道"),
                "inspection": N_("上级检查发现")}[self.value]


class EscalationLevel(enum.IntEnum):
    """The ladder for lagging work: each repeat climbs a step (rules: features/escalation/ladder.py)."""

    NOTICE = 1          # 通报: a circulated notice
    INTERVIEW = 2       # 约谈: a formal interview of the unit's leaders
    EXPOSURE = 3        # 曝光: public exposure
    ACCOUNTABILITY = 4  # 追责: accountability, referred to the discipline commission

    @property
    def label(self) -> Text:
        return {1: N_("通报"), 2: N_("约谈"), 3: N_("曝光"), 4: N_("追责")}[self.value]

    def climb(self) -> EscalationLevel:
        return EscalationLevel(min(self + 1, EscalationLevel.ACCOUNTABILITY))


class EscalationTriggerKind(enum.StrEnum):
    REPORT_OVERDUE = "report_overdue"    # a monthly report was not in by its due day
    LAGGING = "lagging"                  # the supervisor judged a report as lagging
    DEADLINE_PASSED = "deadline_passed"  # the deadline passed without sign-off
    MANUAL = "manual"                    # a supervisor proposed it by hand, with a reason
    REPEATED = "repeated"                # the previous escalation did not work: escalated again
    CASE_OVERDUE = "case_overdue"        # a complaint case's result not reported days after its report date
    CASE_RETURNED = "case_returned"      # a complaint case's result returned again and again

    @property
    def label(self) -> Text:
        return {"report_overdue": N_("逾期未报"), "lagging": N_("进度滞后"), "deadline_passed": N_("超过整改时限"),
                "manual": N_("督办组提出"), "repeated": N_("再次升级"), "case_overdue": N_("信访件逾期未办结"),
                "case_returned": N_("信访件多次退回")}[self.value]


class EscalationStatus(enum.StrEnum):
    PROPOSING = "proposing"                      # waits for the supervisor's proposal
    AWAITING_APPROVAL = "awaiting_approval"      # waits for the lead leader
    CARRYING_OUT = "carrying_out"                # approved: notice, interview, exposure or accountability under way
    AWAITING_COMMITMENT = "awaiting_commitment"  # carried out: waits for the unit's commitment
    UNDER_REVIEW = "under_review"                # committed: the supervisor closes it or escalates again
    CLOSED = "closed"
    ESCALATED = "escalated"                      # closed by escalating again (see its successor)
    REJECTED = "rejected"                        # the lead leader did not approve it
    DROPPED = "dropped"                          # the supervisor decided not to propose anything

    @property
    def label(self) -> Text:
        return _ESCALATION_STATUS_LABELS[self]

    def is_open(self) -> bool:
        return self in OPEN_ESCALATION_STATUSES

    def was_carried_out(self) -> bool:
        """Approved, so it counts on the ladder (whether or not it is finished)."""
        return self in (EscalationStatus.CARRYING_OUT, EscalationStatus.AWAITING_COMMITMENT,
                        EscalationStatus.UNDER_REVIEW, EscalationStatus.CLOSED, EscalationStatus.ESCALATED)


_ESCALATION_STATUS_LABELS = {
    EscalationStatus.PROPOSING: N_("待提出建议"),
    EscalationStatus.AWAITING_APPROVAL: N_("待领导审批"),
    EscalationStatus.CARRYING_OUT: N_("执行中"),
    EscalationStatus.AWAITING_COMMITMENT: N_("待单位承诺"),
    EscalationStatus.UNDER_REVIEW: N_("待办结"),
    EscalationStatus.CLOSED: N_("已办结"),
    EscalationStatus.ESCALATED: N_("已再次升级"),
    EscalationStatus.REJECTED: N_("未获批准"),
    EscalationStatus.DROPPED: N_("不予问责"),
}
#: approved and not finished: being carried out, committed to or reviewed (问责进行中)
UNDER_WAY_ESCALATION_STATUSES = (EscalationStatus.CARRYING_OUT, EscalationStatus.AWAITING_COMMITMENT,
                                 EscalationStatus.UNDER_REVIEW)
OPEN_ESCALATION_STATUSES = frozenset({
    EscalationStatus.PROPOSING, EscalationStatus.AWAITING_APPROVAL, EscalationStatus.CARRYING_OUT,
    EscalationStatus.AWAITING_COMMITMENT, EscalationStatus.UNDER_REVIEW})


class ClueStatus(enum.StrEnum):
    INVESTIGATING = "investigating"  # 调查核实
    DETERMINING = "determining"      # 认定责任
    DECIDING = "deciding"            # 作出处理决定
    CLOSING = "closing"              # 办结反馈 by the office
    CLOSED = "closed"

    @property
    def label(self) -> Text:
        return {"investigating": N_("调查核实中"), "determining": N_("认定责任中"), "deciding": N_("待作出处理决定"),
                "closing": N_("待办结反馈"), "closed": N_("已办结")}[self.value]

    def is_open(self) -> bool:
        return self is not ClueStatus.CLOSED


class CaseStatus(enum.StrEnum):
    """Where a complaint case (信访件) stands in workflows/complaint_case.bpmn."""

    SIGNING = "signing"            # 待签收 by the unit it is handed to
    RETURNED = "returned"          # 退办, waiting for the coordination group
    INVESTIGATING = "investigating"  # 调查处理中
    REVIEWING = "reviewing"        # 待审核 by the supervision group
    ACCEPTED = "accepted"          # 审核通过, waiting to be published with its batch
    PUBLISHED = "published"        # 已公开, closed
    RECTIFYING = "rectifying"      # 长期整改: open as a rectification task

    @property
    def label(self) -> Text:
        return {"signing": N_("待签收"), "returned": N_("已退办"), "investigating": N_("调查处理中"),
                "reviewing": N_("待审核"), "accepted": N_("待公开"), "published": N_("已办结公开"),
                "rectifying": N_("转整改任务")}[self.value]

    def is_open(self) -> bool:
        return self in (CaseStatus.SIGNING, CaseStatus.RETURNED, CaseStatus.INVESTIGATING, CaseStatus.REVIEWING)


class CaseFinding(enum.StrEnum):
    """What the unit's investigation found of a complaint."""

    CONFIRMED = "confirmed"  # 查实
    PARTLY = "partly"        # 部分查实
    UNFOUNDED = "unfounded"  # 不属实

    @property
    def label(self) -> Text:
        return {"confirmed": N_("查实"), "partly": N_("部分查实"), "unfounded": N_("不属实")}[self.value]


class CaseCallback(enum.StrEnum):
    """回访: a sampled closed case's complainant called back; 不满意 reopens the case."""

    PENDING = "pending"
    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"

    @property
    def label(self) -> Text:
        return {"pending": N_("待回访"), "satisfied": N_("满意"), "unsatisfied": N_("不满意")}[self.value]


class ImportJobState(enum.StrEnum):
    """Where a batch import waiting for the background sweep stands."""

    QUEUED = "queued"    # 排队中: the preview was confirmed, the sweep has not taken it yet
    RUNNING = "running"  # 导入中: a sweep is registering the batch
    DONE = "done"        # 已完成: the batch is registered, every case handed to its unit
    FAILED = "failed"    # 失败: nothing was registered; the error says why

    @property
    def label(self) -> Text:
        return {"queued": N_("排队中"), "running": N_("导入中"), "done": N_("已完成"),
                "failed": N_("导入失败")}[self.value]

    def is_finished(self) -> bool:
        return self in (ImportJobState.DONE, ImportJobState.FAILED)


class CaseCategory(enum.StrEnum):
    """The kind of pollution a complaint is about, as the inspection group's spreadsheets class it."""

    AIR = "air"
    WATER = "water"
    NOISE = "noise"
    SOIL = "soil"
    SOLID_WASTE = "solid_waste"
    ECOLOGY = "ecology"
    OTHER = "other"

    @property
    def label(self) -> Text:
        return {"air": N_("大气"), "water": N_("水"), "noise": N_("噪声"), "soil": N_("土壤"),
                "solid_waste": N_("固废"), "ecology": N_("生态"), "other": N_("其他")}[self.value]


class ClueVerdict(enum.StrEnum):
    FOUNDED = "founded"      # 属实
    PARTLY = "partly"        # 部分属实
    UNFOUNDED = "unfounded"  # 不属实

    @property
    def label(self) -> Text:
        return {"founded": N_("属实"), "partly": N_("部分属实"), "unfounded": N_("不属实")}[self.value]


class InstructionStatus(enum.StrEnum):
    """领导批示: the unit owes its answer, the leader reads it, then closes it (or asks again)."""

    AWAITING_ANSWER = "awaiting_answer"
    ANSWERED = "answered"
    CLOSED = "closed"

    @property
    def label(self) -> Text:
        return {"awaiting_answer": N_("待单位答复"), "answered": N_("待领导阅示"), "closed": N_("已阅结")}[self.value]

    def is_open(self) -> bool:
        return self is not InstructionStatus.CLOSED


class ChaseStatus(enum.StrEnum):
    """催办: the unit owes a reply to the chase, or has given it."""

    OPEN = "open"
    ANSWERED = "answered"

    @property
    def label(self) -> Text:
        return {"open": N_("待反馈"), "answered": N_("已反馈")}[self.value]


class ContributionStatus(enum.StrEnum):
    """会办: a cooperating unit's contribution to a month's report."""

    REQUESTED = "requested"
    GIVEN = "given"
    MISSING = "missing"

    @property
    def label(self) -> Text:
        return {"requested": N_("待报送"), "given": N_("已报送"), "missing": N_("逾期未报")}[self.value]
class ReceiptStatus(enum.StrEnum):
    """签收: where one unit's acknowledgement of an assigned task stands."""

    WAITING = "waiting"        # 待签收
    RETURNED = "returned"      # 已退办, awaiting the coordinator
    RECEIVED = "received"      # 已签收
    REASSIGNED = "reassigned"  # 已改派 to another unit

    @property
    def label(self) -> Text:
        return {"waiting": N_("待签收"), "returned": N_("已退办，待协调"), "received": N_("已签收"),
                "reassigned": N_("已改派")}[self.value]


class ExtensionStatus(enum.StrEnum):
    """延期申请: a unit's request for a later deadline."""

    DRAFTING = "drafting"    # the unit is writing it
    REVIEWING = "reviewing"  # 督办组审核
    DECIDING = "deciding"    # 领导审批
    APPROVED = "approved"    # 同意延期
    CHANGED = "changed"      # 改定时限
    REFUSED = "refused"      # 不同意延期
    WITHDRAWN = "withdrawn"  # the unit did not send it

    @property
    def label(self) -> Text:
        return {"drafting": N_("填写中"), "reviewing": N_("督办组审核中"), "deciding": N_("待领导审批"),
                "approved": N_("同意延期"), "changed": N_("改定时限"), "refused": N_("不同意延期"),
                "withdrawn": N_("已撤回")}[self.value]

    def is_open(self) -> bool:
        return self in (ExtensionStatus.DRAFTING, ExtensionStatus.REVIEWING, ExtensionStatus.DECIDING)


class MeasureStatus(enum.StrEnum):
    """强化措施: long-term work, reported each period until the office closes the round's measures."""

    ACTIVE = "active"  # 推进中
    CLOSED = "closed"  # 已结束 (closed by the office with the round's measures)

    @property
    def label(self) -> Text:
        return {"active": N_("推进中"), "closed": N_("已结束")}[self.value]

    def is_active(self) -> bool:
        return self is MeasureStatus.ACTIVE


class MeasurePeriodKind(enum.StrEnum):
    """How often the lead unit reports on a measure."""

    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"

    @property
    def label(self) -> Text:
        return {"month": N_("按月报告"), "quarter": N_("按季度报告"), "half": N_("按半年报告"),
                "year": N_("按年报告")}[self.value]


class MeasureReportStatus(enum.StrEnum):
    REQUESTED = "requested"  # the period is over; the lead unit owes its report
    SUBMITTED = "submitted"  # 待审核
    ACCEPTED = "accepted"
    RETURNED = "returned"
    CANCELLED = "cancelled"  # the measures were closed before it was reviewed

    @property
    def label(self) -> Text:
        return {"requested": N_("待报送"), "submitted": N_("待审核"), "accepted": N_("审核通过"),
                "returned": N_("已退回"), "cancelled": N_("措施已结束")}[self.value]

    def awaits_unit(self) -> bool:
        return self in (MeasureReportStatus.REQUESTED, MeasureReportStatus.RETURNED)


class MeasureRating(enum.StrEnum):
    """年度评估: how a measure stands after a year."""

    EFFECTIVE = "effective"    # 成效明显
    ON_TRACK = "on_track"      # 有序推进
    LAGGING = "lagging"        # 推进滞后

    @property
    def label(self) -> Text:
        return {"effective": N_("成效明显"), "on_track": N_("有序推进"), "lagging": N_("推进滞后")}[self.value]
