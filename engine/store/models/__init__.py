"""The database: SQLAlchemy 2.0 declarative models, one module per feature, all on one metadata."""
from engine.store.models.accounts import AccessRefusal, LoginSession, Setting, Unit, User
from engine.store.models.attachments import Attachment
from engine.store.models.audit import AuditChain, AuditEvent
from engine.store.models.base import Base, UTCDateTime, stored_enum
from engine.store.models.calendar import CalendarDay
from engine.store.models.cases import CaseBatch, CaseImportJob, ComplaintCase
from engine.store.models.chasing import Chase
from engine.store.models.clues import Clue, clue_tasks, clue_units
from engine.store.models.cooperation import Contribution
from engine.store.models.documents import DocumentSequence, IssuedDocument
from engine.store.models.escalation import (
    AccountabilityCase,
    AccountablePerson,
    Escalation,
    EscalationExposure,
    EscalationInterview,
    EscalationNotice,
    EscalationTrigger,
)
from engine.store.models.exceptions import ExtensionRequest, TaskReceipt
from engine.store.models.instructions import Instruction, InstructionAnswer
from engine.store.models.measures import Measure, MeasureReport, MeasureReview, measure_cooperating_units
from engine.store.models.notifications import NoticeRead, NotificationPreference, OutboxMessage, OutboxStatus
from engine.store.models.rectification import (
    Category,
    ImplementationPlan,
    ImportProfile,
    ProgressReport,
    RectificationTask,
    TaskStatusChange,
    cooperating_units,
)
from engine.store.models.rounds import InspectionRound
from engine.store.models.signoff import Objection, PublicSummary, SignoffApplication, SignoffNotice
from engine.store.models.summaries import DashboardSummary
from engine.store.models.targets import EnvironmentalIndicator, IndicatorValue
from engine.store.models.tokens import ApiToken
from engine.store.models.workflow import (
    HumanTask,
    HumanTaskStatus,
    Incident,
    InstanceStatus,
    Notice,
    ProcessInstance,
    ProcessVersion,
    WorkDraft,
)

__all__ = [
    "AccessRefusal",
    "AccountabilityCase",
    "AccountablePerson",
    "ApiToken",
    "Attachment",
    "AuditChain",
    "AuditEvent",
    "Base",
    "CalendarDay",
    "CaseBatch",
    "CaseImportJob",
    "Category",
    "Chase",
    "Clue",
    "ComplaintCase",
    "Contribution",
    "DashboardSummary",
    "DocumentSequence",
    "EnvironmentalIndicator",
    "Escalation",
    "EscalationExposure",
    "EscalationInterview",
    "EscalationNotice",
    "EscalationTrigger",
    "ExtensionRequest",
    "HumanTask",
    "HumanTaskStatus",
    "ImplementationPlan",
    "ImportProfile",
    "Incident",
    "IndicatorValue",
    "InspectionRound",
    "InstanceStatus",
    "Instruction",
    "InstructionAnswer",
    "IssuedDocument",
    "LoginSession",
    "Measure",
    "MeasureReport",
    "MeasureReview",
    "Notice",
    "NoticeRead",
    "NotificationPreference",
    "Objection",
    "OutboxMessage",
    "OutboxStatus",
    "ProcessInstance",
    "ProcessVersion",
    "ProgressReport",
    "PublicSummary",
    "RectificationTask",
    "Setting",
    "SignoffApplication",
    "SignoffNotice",
    "TaskReceipt",
    "TaskStatusChange",
    "UTCDateTime",
    "Unit",
    "User",
    "WorkDraft",
    "clue_tasks",
    "clue_units",
    "cooperating_units",
    "measure_cooperating_units",
    "stored_enum",
]
