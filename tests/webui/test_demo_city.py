"""`duban demo` builds the demo city a newcomer sees; running it again keeps the data."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.core.statuses import (
    ClueStatus,
    EscalationStatus,
    ExtensionStatus,
    MeasureReportStatus,
    ReceiptStatus,
    TaskStatus,
)
from engine.demo.city import DEMO_PASSWORD
from engine.store.database import Database
from engine.store.models import (
    Attachment,
    AuditEvent,
    Category,
    Clue,
    Escalation,
    ExtensionRequest,
    InspectionRound,
    Measure,
    MeasureReport,
    ProgressReport,
    RectificationTask,
    TaskReceipt,
    User,
)
from tests.webui.conftest import DEMO_STORAGE, demo_copy
from webui import create_app
from webui.cli import main


@pytest.fixture(scope="module")
def demo_instance(tmp_path_factory: pytest.TempPathFactory, demo_city: tuple[Path, str]) -> Path:
    """A copy of the demo city for this module (running `duban demo` again writes to it)."""
    return demo_copy(demo_city, tmp_path_factory.mktemp("instance"))


def test_the_demo_build_says_each_stage_with_the_time_taken(demo_city: tuple[Path, str]) -> None:
    """A newcomer's first run never looks hung: every stage and every month of history is announced."""
    assert "demo city created" in demo_city[1]
    lines = demo_city[1].splitlines()
    stages = [line for line in lines if re.fullmatch(r"\[\s*\d+\.\d s\] demo city: .+", line)]
    assert any("schema" in line for line in stages)
    assert len([line for line in stages if "history: " in line]) >= 6  # one line per month lived
    assert any("timers due today" in line for line in stages)
    seconds = [float(re.search(r"[\d.]+", line).group()) for line in stages]  # type: ignore[union-attr]
    assert seconds == sorted(seconds)
    assert lines.index(stages[-1]) < next(i for i, line in enumerate(lines) if "demo city created" in line)


def test_the_demo_s_evidence_is_where_the_storage_setting_says(demo_instance: Path) -> None:
    with database(demo_instance).transaction(write=False) as session:
        hashes = session.scalars(select(Attachment.sha256)).all()
    assert hashes and all((demo_instance / DEMO_STORAGE / sha[:2] / sha).is_file() for sha in hashes)
    assert not (demo_instance / "evidence").exists()


def database(instance: Path) -> Database:
    return Database(f"sqlite:///{instance / 'duban.sqlite3'}")


def test_the_demo_city_has_35_tasks_in_5_categories_and_an_account_per_role(demo_instance: Path) -> None:
    with database(demo_instance).transaction(write=False) as session:
        by_round = dict(session.execute(select(InspectionRound.name, func.count(RectificationTask.id))
                                        .join(RectificationTask).group_by(InspectionRound.name)).all())
        central = session.scalars(select(InspectionRound).where(InspectionRound.name == "中央第五环境保护督察")).one()
        provincial_codes = set(session.scalars(select(RectificationTask.code).join(InspectionRound).where(
            InspectionRound.name == "省级环境保护督察")))
        assert session.scalar(select(func.count(Category.id))) == 5
        roles = set(session.scalars(select(User.role)))
        statuses = set(session.scalars(select(RectificationTask.status)))
        reports = session.scalar(select(func.count(ProgressReport.id)))
    assert roles == {"leader", "coordinator", "supervisor", "publicity", "discipline", "unit_head", "unit_staff",
                     "admin"}
    assert statuses == set(TaskStatus)
    assert reports > 50
    assert by_round == {"中央第五环境保护督察": 35, "省级环境保护督察": 6}
    assert (central.body, central.feedback_on) == ("中央第五环境保护督察组", date(2017, 12, 22))
    assert {"1-1", "1-2", "2-1"} <= provincial_codes  # a later round numbers its tasks from 1-1 again


def test_running_demo_again_keeps_the_data(demo_instance: Path) -> None:
    with database(demo_instance).transaction(write=False) as session:
        before = session.scalar(select(func.count(AuditEvent.id)))
    result = CliRunner().invoke(main, ["demo"], env={"DUBAN_INSTANCE": str(demo_instance), "DATABASE_URL": ""})
    assert result.exit_code == 0 and "already present" in result.output
    assert "unit_staff" in result.output and DEMO_PASSWORD in result.output
    with database(demo_instance).transaction(write=False) as session:
        assert session.scalar(select(func.count(AuditEvent.id))) == before


def test_every_demo_login_sees_its_pages(demo_instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUBAN_INSTANCE", str(demo_instance))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"WTF_CSRF_ENABLED": False})
    for username in ("leader", "coordinator", "supervisor", "publicity", "discipline", "unit_head", "unit_staff",
                     "admin"):
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD},
                               follow_redirects=True)
        assert response.status_code == 200 and "我的待办" in response.get_data(as_text=True), username
        if username != "admin":
            assert client.get("/ledger").status_code == 200
    staff = app.test_client()
    staff.post("/login", data={"username": "unit_staff", "password": DEMO_PASSWORD})
    inbox = staff.get("/inbox").get_data(as_text=True)
    assert "编制整改实施方案" in inbox and "填报月度进展" in inbox


def test_the_demo_city_has_the_plans_environmental_targets(demo_instance: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.store.models import EnvironmentalIndicator, IndicatorValue

    with database(demo_instance).transaction(write=False) as session:
        names = set(session.scalars(select(EnvironmentalIndicator.name)))
        values = session.scalar(select(func.count(IndicatorValue.id))) or 0
        entered_by = set(session.scalars(select(AuditEvent.actor_name).where(
            AuditEvent.action == "indicator.value_recorded")))
    assert len(names) == 5 and "细颗粒物（PM2.5）年均浓度" in names
    assert values >= 5 * 12 and entered_by == {"王晓雯"}  # the coordinator, month after month
    monkeypatch.setenv("DUBAN_INSTANCE", str(demo_instance))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    client = create_app({"WTF_CSRF_ENABLED": False}).test_client()
    client.post("/login", data={"username": "leader", "password": DEMO_PASSWORD})
    targets = client.get("/targets").get_data(as_text=True)
    assert "落后于目标进度" in targets and "符合目标进度" in targets and "已达到目标值" in targets
    assert client.get("/dashboard").status_code == 200


def test_the_demo_has_escalations_and_clues_waiting_for_each_role(demo_instance: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with database(demo_instance).transaction(write=False) as session:
        levels = set(session.scalars(select(Escalation.approved_level).where(Escalation.approved_level.is_not(None))))
        statuses = set(session.scalars(select(Escalation.status)))
        clue_statuses = set(session.scalars(select(Clue.status)))
    assert levels == {1, 2, 3, 4}
    assert {EscalationStatus.AWAITING_APPROVAL, EscalationStatus.AWAITING_COMMITMENT, EscalationStatus.CARRYING_OUT,
            EscalationStatus.UNDER_REVIEW, EscalationStatus.ESCALATED, EscalationStatus.DROPPED} <= statuses
    assert clue_statuses == {ClueStatus.CLOSED, ClueStatus.DETERMINING}
    monkeypatch.setenv("DUBAN_INSTANCE", str(demo_instance))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"WTF_CSRF_ENABLED": False})
    for username, step in (("leader", "审批问责建议"), ("supervisor", "提出问责建议"), ("unit_head", "作出整改承诺"),
                           ("discipline", "调查处理"), ("discipline", "认定责任")):
        client = app.test_client()
        client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert step in client.get("/inbox").get_data(as_text=True), (username, step)
    assert "整改推进不力" in app.test_client().get("/public/exposures").get_data(as_text=True)


def test_every_row_of_the_demo_city_is_as_its_audit_trail_left_it(demo_instance: Path) -> None:
    """Months of every process, sweeps included: each business row carries its after-image in the trail."""
    env = {"DUBAN_INSTANCE": str(demo_instance), "DATABASE_URL": "", "DUBAN_STORAGE": str(demo_instance / DEMO_STORAGE)}
    result = CliRunner().invoke(main, ["audit", "verify", "--state", "--files"], env=env)
    assert result.exit_code == 0, result.output
    assert "business rows as audited" in result.output
def test_the_demo_has_receipts_returns_and_extensions_at_every_stage(demo_instance: Path) -> None:
    with database(demo_instance).transaction(write=False) as session:
        receipts = dict(session.execute(select(TaskReceipt.status, func.count()).group_by(TaskReceipt.status)).all())
        late = session.scalar(select(func.count()).where(TaskReceipt.late.is_(True),
                                                          TaskReceipt.status == ReceiptStatus.WAITING))
        extensions = set(session.scalars(select(ExtensionRequest.status)))
        extended = session.scalars(select(RectificationTask.code).where(RectificationTask.extensions > 0)).all()
        unsigned = session.scalars(select(RectificationTask.code).where(RectificationTask.receipt_late.is_(True))).all()
    assert receipts[ReceiptStatus.RECEIVED] > 50
    assert (receipts[ReceiptStatus.RETURNED], receipts[ReceiptStatus.REASSIGNED], late) == (1, 1, 1)
    assert extensions == {ExtensionStatus.APPROVED, ExtensionStatus.REFUSED, ExtensionStatus.DECIDING,
                          ExtensionStatus.REVIEWING}
    assert (extended, unsigned) == (["3-6"], ["1-5"])


def test_the_demo_has_the_seeds_strengthening_measures(demo_instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The seed's 7 categories of measures (30 by its text; its summary says 31), reported and reviewed."""
    with database(demo_instance).transaction(write=False) as session:
        measures = session.scalar(select(func.count(Measure.id)))
        categories = session.scalar(select(func.count(func.distinct(Measure.category_number))))
        reports = dict(session.execute(select(MeasureReport.status, func.count()).group_by(MeasureReport.status)).all())
    assert (measures, categories) == (30, 7)
    assert reports[MeasureReportStatus.ACCEPTED] >= 26 and reports.get(MeasureReportStatus.RETURNED, 0) <= 1
    monkeypatch.setenv("DUBAN_INSTANCE", str(demo_instance))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"WTF_CSRF_ENABLED": False})
    supervisor = app.test_client()
    supervisor.post("/login", data={"username": "supervisor", "password": DEMO_PASSWORD})
    ledger = supervisor.get("/measures").get_data(as_text=True)
    assert ledger.count('class="measure-row"') == 30 and ledger.count('class="card mb-3 measure-category"') == 7
    if reports.get(MeasureReportStatus.RETURNED):  # the demo unit's returned report waits in its inbox
        staff = app.test_client()
        staff.post("/login", data={"username": "unit_staff", "password": DEMO_PASSWORD})
        inbox = staff.get("/inbox").get_data(as_text=True)
        entry = inbox.split('class="measure-entry"')[1].split("</tr>")[0]
        assert "持续开展绿化泸州行动" in entry and "已退回" in entry


def test_the_demo_has_two_batches_of_complaint_cases_in_every_state(demo_instance: Path) -> None:
    from engine.core.statuses import CaseCallback, CaseStatus, ImportJobState
    from engine.store.models import CaseBatch, CaseImportJob, ComplaintCase

    with database(demo_instance).transaction(write=False) as session:
        batches = session.scalars(select(CaseBatch).order_by(CaseBatch.number)).all()
        statuses = dict(session.execute(select(ComplaintCase.status, func.count())
                                        .group_by(ComplaintCase.status)).all())
        callbacks = set(session.scalars(select(ComplaintCase.callback).where(ComplaintCase.callback.is_not(None))))
        jobs = [(job.state, job.total, job.batch_id) for job in session.scalars(select(CaseImportJob))]
    assert [(b.number, b.published_at is not None) for b in batches] == [(1, True), (2, False)]
    assert jobs == [(ImportJobState.DONE, 20, batches[1].id)]  # the second batch came through the page's job
    assert sum(statuses.values()) == 40
    assert set(statuses) == set(CaseStatus)
    assert {CaseCallback.SATISFIED, CaseCallback.UNSATISFIED} <= callbacks
    with database(demo_instance).transaction(write=False) as session:
        on_the_ladder = dict(session.execute(select(ComplaintCase.number, Escalation.status).join(
            Escalation, Escalation.case_id == ComplaintCase.id)).all())
    assert on_the_ladder["X2026A017"] is EscalationStatus.AWAITING_COMMITMENT  # notified: its unit owes a commitment
    assert EscalationStatus.PROPOSING in set(on_the_ladder.values())  # others wait for the supervision group
