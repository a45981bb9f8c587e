"""强化措施 on the pages: a report filed, returned with its reasons and filed again; the ledger filtered and
exported; a unit seeing only its measures; the dashboard's block and the bulletin's paragraph."""
from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime

from openpyxl import load_workbook

from engine.core.clock import LOCAL_TZ
from tests.factories import World
from tests.measures import REPORT, measure_work, register_measure
from tests.webui.conftest import Browser

Login = Callable[[str], Browser]


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T00:30:00").replace(tzinfo=LOCAL_TZ)


def test_a_report_is_filed_returned_with_reasons_and_filed_again(login_as: Login, world: World) -> None:
    measure_id = register_measure(world)
    world.go_to(at("2026-04-01"))
    staff = login_as("staff")
    inbox = staff.get("/inbox").get_data(as_text=True)
    assert "QH-01" in inbox and "报送强化措施工作报告" in inbox and "/measures/work/" in inbox
    [work] = measure_work(world, "staff")
    done = staff.submit(f"/measures/work/{work.id}", REPORT).get_data(as_text=True)
    assert "已完成「报送强化措施工作报告」：QH-01" in done
    supervisor = login_as("supervisor")
    [review] = measure_work(world, "supervisor")
    page = supervisor.get(f"/measures/work/{review.id}").get_data(as_text=True)
    assert 'id="report-under-review"' in page and REPORT["work_done"] in page
    supervisor.submit(f"/measures/work/{review.id}", {"decision": "return", "comment": "缺少考核结果"})
    [again] = measure_work(world, "staff")
    form = staff.get(f"/measures/work/{again.id}").get_data(as_text=True)
    assert 'id="returned-reasons"' in form and "缺少考核结果" in form
    assert REPORT["work_done"] in form  # reopened with what was sent
    assert login_as("other_staff").get(f"/measures/work/{again.id}").status_code == 404
    assert supervisor.get(f"/measures/work/{again.id}").status_code == 403
    staff.submit(f"/measures/work/{again.id}", {**REPORT, "progress": "考核结果已印发"})
    history = supervisor.get(f"/measures/{measure_id}").get_data(as_text=True)
    assert "退回重报：缺少考核结果" in history and "（退回后重报）" in history and "考核结果已印发" in history


def test_the_ledger_filters_exports_and_keeps_to_the_unit(login_as: Login, world: World) -> None:
    register_measure(world)
    register_measure(world, unit="naxi", category_number=2, title="完善环境准入制度",
                     category_name="坚决以生态环境保护硬约束推动绿色发展", cooperating_unit_ids=[])
    world.go_to(at("2026-04-27"))
    [work] = measure_work(world, "staff")
    world.duban.work.complete(world["staff"], work.id, REPORT)
    supervisor = login_as("supervisor")
    red = supervisor.get("/measures?colour=red").get_data(as_text=True)
    assert "完善环境准入制度" in red and "全面压紧压实环境保护责任" not in red
    assert "红：2026年第一季度工作报告逾期 17 天" in red
    ours = login_as("staff").get("/measures").get_data(as_text=True)
    assert "全面压紧压实环境保护责任" in ours and "完善环境准入制度" not in ours
    response = supervisor.get("/measures/export.xlsx?colour=red")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert [row[2] for row in rows[1:]] == ["完善环境准入制度"] and rows[1][4] == "纳溪区"
    board = supervisor.get("/dashboard").get_data(as_text=True)
    assert 'id="measures-block"' in board and 'href="/measures?colour=red">红 1</a>' in board


def test_the_bulletin_preview_says_the_measures_figures(login_as: Login, world: World) -> None:
    register_measure(world)
    world.go_to(at("2026-04-12"))
    page = login_as("coordinator").get("/bulletin?month=2026-04").get_data(as_text=True)
    assert "本月应报送工作报告 1 份，按期报送 0 份，逾期未报 1 份" in page


def test_the_office_registers_and_closes_measures_on_the_pages(login_as: Login, world: World) -> None:
    coordinator = login_as("coordinator")
    form = coordinator.get("/measures/new").get_data(as_text=True)
    assert "登记强化措施" in form
    refused = coordinator.submit("/measures/new", {"title": "x"}).get_data(as_text=True)
    assert "is-invalid" in refused
    rounds = world.duban.measures.choices()["rounds"]
    done = coordinator.submit("/measures/new", {
        "round_id": rounds[0][0], "category_number": "3", "category_name": "以全面落实河长制为重点坚决打好碧水攻坚战",
        "title": "强化规划引领", "content": "严格执行一河一策管理保护方案", "lead_unit_id": world.units["water"],
        "period_kind": "quarter"}).get_data(as_text=True)
    assert "强化措施已登记" in done and "强化规划引领" in done
    closed = coordinator.submit("/measures/close", {"round_id": rounds[0][0], "note": "已建立长效机制"})
    assert "已结束 1 条强化措施" in closed.get_data(as_text=True)


def test_a_long_report_is_saved_unfinished_and_resumed(login_as: Login, world: World) -> None:
    register_measure(world)
    world.go_to(at("2026-04-01"))
    staff = login_as("staff")
    [work] = measure_work(world, "staff")
    staff.submit(f"/measures/work/{work.id}", {"work_done": "已起草考核办法", "save_draft": "1"})
    page = staff.get(f"/measures/work/{work.id}").get_data(as_text=True)
    assert 'id="draft-note"' in page and "已起草考核办法" in page
    assert measure_work(world, "staff")[0].id == work.id  # a draft is never a submission
