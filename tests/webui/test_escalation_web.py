"""督办问责 and 问题线索 through the web client, each step by the right role, CSRF on; the public exposure page."""
from __future__ import annotations

import re
from collections.abc import Callable

from engine.core.statuses import EscalationStatus
from tests.engine.test_escalation import overdue_task
from tests.escalations import clues, escalations, propose, register_clue
from tests.factories import World
from tests.webui.conftest import Browser
from tests.webui.test_lifecycle_web import do_step, inbox_links

Login = Callable[[str], Browser]


def page(browser: Browser, url: str, status: int = 200) -> str:
    response = browser.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def test_an_escalation_walks_through_the_browser_step_by_step(login_as: Login, world: World) -> None:
    task_id = overdue_task(world)
    supervisor, leader, coordinator, head = (login_as(u) for u in ("supervisor", "leader", "coordinator", "head"))
    form = page(supervisor, f"/work/{inbox_links(supervisor)['提出问责建议']}")
    assert "督办问责第 1 号" in form and "2026年3月月度进展逾期未报（报送期限 2026年4月5日）" in form
    assert re.search(r'<input checked[^>]*name="level"[^>]*value="1"', form)  # the ladder's default: 通报
    do_step(supervisor, "提出问责建议", {"decision": "propose", "level": "1", "reasons": "3月进展逾期未报",
                                    "evidence": "截至4月6日未报送"})
    assert "提出问责建议" not in inbox_links(supervisor)
    do_step(leader, "审批问责建议", {"decision": "approve"})
    form = page(coordinator, f"/work/{inbox_links(coordinator)['签发通报']}")
    assert "关于江阳区“1-1 长江干流沿岸污水直排”整改任务推进不力的通报" in form
    assert "已逾期 1 天" in form  # drafted from the record, for the coordinator to edit
    do_step(coordinator, "签发通报", {"number": "泸整改办〔2026〕7号", "title": "关于江阳区的通报",
                                  "text": "经审核，江阳区3月进展逾期未报，现予以通报。"})
    do_step(head, "作出整改承诺", {"commitment": "4月15日前补报并加快截污工程", "complete_by": "2026-05-15"})
    do_step(supervisor, "问责办结", {"decision": "close", "comment": "已补报，承诺已兑现"})

    html = page(supervisor, "/escalations/1")
    for text in ("泸整改办〔2026〕7号", "经审核，江阳区3月进展逾期未报，现予以通报。", "4月15日前补报并加快截污工程",
                 "已补报，承诺已兑现", "牵头市领导同意通报", "已办结"):
        assert text in html, text
    task_page = page(head, f"/tasks/{task_id}")
    assert "签发通报《关于江阳区的通报》（泸整改办〔2026〕7号）" in task_page  # the task's history shows it
    assert "/escalations/1" in task_page
    assert escalations(world, task_id)[0].status is EscalationStatus.CLOSED


def test_the_leader_changes_the_level_and_the_exposure_goes_public_once_published(
        login_as: Login, world: World, client: Browser) -> None:
    overdue_task(world)
    propose(world, 1, 1)
    public = client  # nobody logged in
    assert "目前没有曝光的问题" in page(public, "/public/exposures")
    do_step(login_as("leader"), "审批问责建议", {"decision": "change", "level": "3", "comment": "多次逾期，情节较重"})
    publicity = login_as("publicity")
    form = page(publicity, f"/work/{inbox_links(publicity)['发布曝光']}")
    assert "江阳区“长江干流沿岸污水直排”整改推进不力" in form
    assert "目前没有曝光的问题" in page(public, "/public/exposures")
    do_step(publicity, "发布曝光", {"headline": "江阳区沿江排污口整改不力被曝光", "text": "江阳区3月进展逾期未报。",
                                "channel": "泸州日报"})
    html = page(public, "/public/exposures")
    for text in ("江阳区沿江排污口整改不力被曝光", "江阳区3月进展逾期未报。", "1-1", "长江干流沿岸污水直排", "江阳区",
                 "曝光", "泸州日报"):
        assert text in html, text
    for internal in ("多次逾期，情节较重", "连续两个月逾期未报", "supervisor", "leader", "登录"):
        assert internal not in html, internal  # no internal comments, no officials' names, no login needed


def test_the_discipline_commission_records_persons_in_the_browser(login_as: Login, world: World) -> None:
    task_id = overdue_task(world)
    propose(world, task_id, 4)
    world.do("leader", task_id, "escalation_approve", decision="approve", comment="")
    discipline = login_as("discipline")
    assert "1-1 江阳区 整改不力，移送追责，请调查处理" in page(discipline, "/inbox")
    data = {"findings": "区住建局未按方案推进", "decision": "予以问责", "decided_on": "2026-04-06",
            "document_number": "泸纪〔2026〕8号", "persons-0-name": "王五", "persons-0-post": "区住建局副局长",
            "persons-0-measure": "admonition", "persons-1-name": "赵六", "persons-1-measure": ""}
    refused = discipline.submit(f"/work/{inbox_links(discipline)['调查处理']}", data).get_data(as_text=True)
    assert "第 2 人：请选择处理措施" in refused
    data["persons-1-measure"] = "party_discipline"
    do_step(discipline, "调查处理", data)
    html = page(login_as("supervisor"), "/escalations/1")
    assert "王五" in html and "诫勉" in html and "赵六" in html and "党纪处分" in html


def test_a_supervisor_starts_an_escalation_from_the_task_page(login_as: Login, world: World) -> None:
    task_id = world.register()
    supervisor = login_as("supervisor")
    assert f"/tasks/{task_id}/escalate" in page(supervisor, f"/tasks/{task_id}")
    assert f"/tasks/{task_id}/escalate" not in page(login_as("coordinator"), f"/tasks/{task_id}")
    assert login_as("coordinator").get(f"/tasks/{task_id}/escalate").status_code == 403
    empty = supervisor.submit(f"/tasks/{task_id}/escalate", {"reason": ""}).get_data(as_text=True)
    assert "请修改标出的内容" in empty and escalations(world) == []
    html = supervisor.submit(f"/tasks/{task_id}/escalate", {"reason": "现场检查发现仍在直排"}).get_data(as_text=True)
    assert "已启动督办问责" in html and "现场检查发现仍在直排" in html and 'href="/work/' in html
    again = supervisor.submit(f"/tasks/{task_id}/escalate", {"reason": "群众再次举报"}).get_data(as_text=True)
    assert "已有进行中的督办问责（第 1 号）" in again and "群众再次举报" in again
    assert len(escalations(world)) == 1
    no_token = supervisor.client.post(f"/tasks/{task_id}/escalate", data={"reason": "无令牌"})
    assert no_token.status_code == 400 and len(escalations(world)[0].triggers) == 2


def test_the_register_filters_and_keeps_each_unit_to_its_own(login_as: Login, world: World) -> None:
    mine = overdue_task(world)
    theirs = world.register("2-1", lead_unit_id=world.units["naxi"], cooperating_unit_ids=[])
    world.duban.escalation.propose(world["supervisor"], theirs, "纳溪区整改不力")
    propose(world, mine, 2)
    supervisor = login_as("supervisor")
    everything = page(supervisor, "/escalations")
    assert ">1-1<" in everything and ">2-1<" in everything
    assert ">2-1<" not in page(supervisor, "/escalations?level=2")
    assert ">1-1<" not in page(supervisor, f"/escalations?unit={world.units['naxi']}")
    assert ">1-1<" in page(supervisor, "/escalations?status=awaiting_approval")
    assert ">1-1<" not in page(supervisor, "/escalations?trigger=manual")
    assert "没有符合条件" in page(supervisor, "/escalations?status=closed")
    assert page(supervisor, "/escalations?level=x&status=%00&page=-3").count("<tr>") >= 1  # junk filters: no 500
    staff = login_as("staff")
    own = page(staff, "/escalations")
    assert ">1-1<" in own and ">2-1<" not in own
    other_id = escalations(world, theirs)[0].id
    assert staff.get(f"/escalations/{other_id}").status_code == 404
    assert login_as("other_staff").get(f"/escalations/{other_id}").status_code == 200
    assert login_as("admin").get("/escalations").status_code == 403
    assert "督办问责" in page(staff, "/inbox") and "问题线索" not in page(staff, "/inbox")
    assert 'name="unit"' not in own  # a unit has only its own escalations: no unit to choose


def test_a_dropped_or_rejected_escalation_shows_no_level_applied(login_as: Login, world: World) -> None:
    task_id = overdue_task(world)
    world.do("supervisor", task_id, "escalation_propose", decision="drop", level=None, reasons="已补报", evidence="")
    other = world.register("1-2")
    world.duban.escalation.propose(world["supervisor"], other, "现场检查发现问题")
    propose(world, other, 3)
    world.do("leader", other, "escalation_approve", decision="reject", comment="证据不足")
    html = page(login_as("supervisor"), "/escalations")
    assert "未批准（建议曝光）" in html and "—" in html and "text-bg-info" not in html  # no 通报 badge
    assert "没有符合条件" in page(login_as("supervisor"), "/escalations?level=1")
    assert "没有符合条件" in page(login_as("supervisor"), "/escalations?level=3")


def test_each_role_sees_its_escalation_step_in_its_inbox(login_as: Login, world: World) -> None:
    task_id = overdue_task(world)
    assert "提出问责建议" in inbox_links(login_as("supervisor"))
    propose(world, task_id, 1)
    assert "审批问责建议" in inbox_links(login_as("leader"))
    assert "审批问责建议" not in inbox_links(login_as("leader2"))
    world.do("leader", task_id, "escalation_approve", decision="approve", comment="")
    assert "签发通报" in inbox_links(login_as("coordinator"))
    world.do("coordinator", task_id, "escalation_notice", number="", title="通报", text="正文")
    assert "作出整改承诺" in inbox_links(login_as("head"))
    assert "作出整改承诺" not in inbox_links(login_as("staff"))
    assert "作出整改承诺" not in inbox_links(login_as("other_head"))
    assert "1-1 通报：通报，请作出整改承诺" in page(login_as("staff"), "/inbox")  # the unit is told


def test_a_clue_through_the_browser(login_as: Login, world: World) -> None:
    task_id = world.register()
    coordinator, discipline = login_as("coordinator"), login_as("discipline")
    assert "/clues/new" in page(coordinator, "/clues")
    html = coordinator.submit("/clues/new", {
        "source": "中央第五生态环境保护督察组", "source_reference": "转办〔2026〕12号", "received_on": "2026-03-09",
        "reply_due": "2026-04-30", "title": "某排污口长期直排未被查处", "content": "群众举报某排污口长期直排。",
        "task_ids": [task_id], "unit_ids": [world.units["jiangyang"]]}).get_data(as_text=True)
    assert "问题线索已登记" in html and "XS-2026-001" in html
    inbox = page(discipline, "/inbox")
    work_id = int(re.search(r'href="/clues/work/(\d+)"', inbox).group(1))  # type: ignore[union-attr]
    assert "调查核实" in inbox and "XS-2026-001" in inbox
    steps = [({"findings": "经核查属实", "verdict": "founded"}, discipline),
             ({"responsibility": "江阳区生态环境局负监管责任"}, discipline),
             ({"decision": "给予党纪处分", "decided_on": "2026-03-10", "persons-0-name": "赵六",
               "persons-0-post": "执法大队长", "persons-0-measure": "party_discipline"}, discipline),
             ({"feedback": "已反馈督察组"}, coordinator)]
    for data, who in steps:
        work_id = int(re.search(r'href="/clues/work/(\d+)"', page(who, "/inbox")).group(1))  # type: ignore[union-attr]
        assert "已完成" in who.submit(f"/clues/work/{work_id}", data).get_data(as_text=True)
    html = page(login_as("leader"), "/clues/1")
    for text in ("经核查属实", "江阳区生态环境局负监管责任", "给予党纪处分", "赵六", "党纪处分", "已反馈督察组",
                 "已办结"):
        assert text in html, text
    assert "XS-2026-001" in page(coordinator, f"/tasks/{task_id}")
    assert "XS-2026-001" not in page(login_as("staff"), f"/tasks/{task_id}")
    assert clues(world)[0].status.value == "closed"


def test_clues_are_refused_to_the_roles_not_allowed(login_as: Login, world: World) -> None:
    register_clue(world)
    work_id = world.work_for("discipline")[0].id
    for username in ("supervisor", "publicity", "staff", "head"):
        browser = login_as(username)
        assert browser.get("/clues").status_code == 403, username
        assert browser.get("/clues/1").status_code == 403, username
        assert browser.get(f"/clues/work/{work_id}").status_code == 403, username
        assert "/clues" not in page(browser, "/inbox")
    assert login_as("discipline").get("/clues/new").status_code == 403
    assert login_as("coordinator").get(f"/clues/work/{work_id}").status_code == 403
    assert login_as("discipline").get(f"/work/{work_id}").status_code == 404  # not a task's work
    assert login_as("discipline").get("/clues/99").status_code == 404
