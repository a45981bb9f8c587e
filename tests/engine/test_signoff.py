"""销号 done properly: evidence, the five standards, 公示 with objections, approval, reopening."""
from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.core.clock import LOCAL_TZ
from engine.core.errors import InvalidSubmission, NotFound, RateLimited
from engine.core.statuses import SignoffStatus, TaskStatus
from engine.core.uploads import Upload
from engine.demo.sample_files import png
from engine.store.models import (
    Attachment,
    AuditEvent,
    Objection,
    ProcessInstance,
    RectificationTask,
    SignoffApplication,
)
from tests.factories import (
    PHOTO,
    World,
    apply_for_signoff,
    checklist,
    sign_off,
    through_notice,
    walk_to_reporting,
)


def at(day: str, hour: int = 9) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour), LOCAL_TZ)


def status(world: World, task_id: int) -> TaskStatus:
    with world.duban.db.transaction(write=False) as session:
        return session.get_one(RectificationTask, task_id).status


def reporting_task(world: World) -> int:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    return task_id


def publish(world: World, task_id: int) -> int:
    apply_for_signoff(world, task_id)
    world.do("supervisor", task_id, "signoff_verify", **checklist())
    world.do("publicity", task_id, "signoff_notice", text="拟销号公示")
    return world.duban.public.open_notices()[0].id


def test_one_standard_not_met_sends_it_back_with_the_reason(world: World) -> None:
    task_id = reporting_task(world)
    apply_for_signoff(world, task_id)
    world.do("supervisor", task_id, "signoff_verify", **checklist(mechanism_in_place="长效管理制度尚未出台"))
    assert status(world, task_id) is TaskStatus.IN_PROGRESS
    assert [w.form for w in world.work_for("staff", task_id)] == ["signoff_apply"]
    with world.duban.db.transaction(write=False) as session:
        application = session.scalars(select(SignoffApplication)).one()
    assert application.status is SignoffStatus.RETURNED
    assert "长效机制已经建立（长效管理制度尚未出台）" in application.decision_comment
    assert application.checklist is not None and not application.checklist["mechanism_in_place"]["met"]


def test_every_standard_needs_a_note_and_the_site_check_a_date_not_in_the_future(world: World) -> None:
    task_id = reporting_task(world)
    apply_for_signoff(world, task_id)
    data = checklist()
    data["similar_fixed_note"] = ""
    data["site_check_date"] = "2026-12-31"
    with pytest.raises(InvalidSubmission) as refused:
        world.do("supervisor", task_id, "signoff_verify", **data)
    assert "similar_fixed_note" in refused.value.errors
    data["similar_fixed_note"] = "已排查"
    with pytest.raises(InvalidSubmission) as refused:
        world.do("supervisor", task_id, "signoff_verify", **data)
    assert refused.value.errors == {"site_check_date": ["现场核查日期不能晚于今天"]}


def test_the_notice_runs_five_working_days_across_the_spring_festival(world: World) -> None:
    world.go_to(at("2026-02-10"))
    task_id = reporting_task(world)
    apply_for_signoff(world, task_id)
    world.do("supervisor", task_id, "signoff_verify", **{**checklist(), "site_check_date": "2026-02-10"})
    world.go_to(at("2026-02-12"))
    world.do("publicity", task_id, "signoff_notice", text="拟销号公示")
    notice = world.duban.public.open_notices()[0]
    # Thu 12, Fri 13, Sat 14 (a make-up working day), then the holiday 15-23, then Tue 24, Wed 25
    assert (notice.start_date, notice.end_date) == (date(2026, 2, 12), date(2026, 2, 25))
    world.go_to(at("2026-02-25", 23))
    world.duban.public.file_objection(notice.id, {"content": "最后一天提出的异议，仍在公示期内。"}, "198.51.100.7")
    assert world.work_for("supervisor", task_id) == [] or all(
        w.form != "objection_answer" for w in world.work_for("supervisor", task_id))
    world.go_to(at("2026-02-26", 0))
    with pytest.raises(InvalidSubmission, match="不在公示期内"):
        world.duban.public.file_objection(notice.id, {"content": "公示期满后才提出的异议。"}, "198.51.100.8")
    world.tick(minutes=1)
    assert "objection_answer" in [w.form for w in world.work_for("supervisor", task_id)]


def test_the_audit_trail_writes_the_notice_and_site_check_days_as_chinese_text_does(world: World) -> None:
    world.go_to(at("2026-02-10"))
    task_id = reporting_task(world)
    apply_for_signoff(world, task_id)
    world.do("supervisor", task_id, "signoff_verify", **{**checklist(), "site_check_date": "2026-02-09"})
    world.go_to(at("2026-02-12"))
    world.do("publicity", task_id, "signoff_notice", text="拟销号公示")
    world.go_to(at("2026-02-26", 0))
    world.tick(minutes=1)  # the notice period is over
    with world.duban.db.transaction(write=False) as session:
        summaries = list(session.scalars(select(AuditEvent.summary).where(
            AuditEvent.action.like("signoff.%")).order_by(AuditEvent.seq)))
    assert any(s.endswith("现场核查 2026年2月9日（督办组张三、李四）") for s in summaries)
    assert "发布销号公示，公示期 2026年2月12日至2026年2月25日（5 个工作日）" in summaries
    assert "公示期满（2026年2月12日至2026年2月25日），收到异议 0 件" in summaries
    assert not any("2026-02" in s for s in summaries)


def test_an_objection_of_the_wrong_length_is_refused_field_by_field(world: World) -> None:
    notice_id = publish(world, reporting_task(world))
    with pytest.raises(InvalidSubmission) as refused:
        world.duban.public.file_objection(notice_id, {"content": "太短", "name": "张" * 51, "contact": "1" * 101},
                                          "198.51.100.7")
    assert refused.value.errors == {"content": ["至少 10 个字符"], "name": ["不能超过 50 个字符"],
                                    "contact": ["不能超过 100 个字符"]}
    with pytest.raises(InvalidSubmission, match="不能超过 2000 个字符"):
        world.duban.public.file_objection(notice_id, {"content": "长" * 2001}, "198.51.100.7")
    with world.duban.db.transaction(write=False) as session:
        assert session.scalar(select(func.count(Objection.id))) == 0


def test_an_upheld_objection_sends_the_task_back_to_rectification(world: World) -> None:
    task_id = reporting_task(world)
    notice_id = publish(world, task_id)
    world.duban.public.file_objection(notice_id, {"content": "河边的排污口昨晚又在排水，整改不到位。"}, "198.51.100.7")
    world.duban.public.file_objection(notice_id, {"content": "附近居民仍反映有异味，请再核查。"}, "198.51.100.8")
    world.tick(days=10)
    with world.duban.db.transaction(write=False) as session:
        ids = session.scalars(select(Objection.id).order_by(Objection.id)).all()
    with pytest.raises(InvalidSubmission):  # each must be answered
        world.do("supervisor", task_id, "objection_answer",
                 answers={str(ids[0]): {"decision": "dismissed", "answer": "经核查不属实"}})
    world.do("supervisor", task_id, "objection_answer", answers={
        str(ids[0]): {"decision": "upheld", "answer": "经核查属实，退回整改"},
        str(ids[1]): {"decision": "dismissed", "answer": "异味来自上游企业，另案处理"}})
    assert status(world, task_id) is TaskStatus.IN_PROGRESS
    assert [w.form for w in world.work_for("staff", task_id)] == ["signoff_apply"]
    assert world.work_for("leader", task_id) == []


def test_a_dismissed_objection_lets_the_leader_approve(world: World) -> None:
    task_id = reporting_task(world)
    notice_id = publish(world, task_id)
    world.duban.public.file_objection(notice_id, {"content": "我认为这个问题还没有彻底解决。"}, "198.51.100.7")
    world.tick(days=10)
    with world.duban.db.transaction(write=False) as session:
        key = str(session.scalars(select(Objection.id)).one())
    world.do("supervisor", task_id, "objection_answer",
             answers={key: {"decision": "dismissed", "answer": "经现场复核，整改到位"}})
    world.do("leader", task_id, "signoff_approve", decision="approve", comment="同意销号")
    assert status(world, task_id) is TaskStatus.CLOSED


def test_objections_are_rate_limited_per_address(world: World) -> None:
    task_id = reporting_task(world)
    notice_id = publish(world, task_id)
    for number in range(world.duban.settings.objections_per_hour):
        world.duban.public.file_objection(notice_id, {"content": f"第 {number} 条异议：整改不到位。"}, "192.0.2.1")
    with pytest.raises(RateLimited):
        world.duban.public.file_objection(notice_id, {"content": "又一条异议：整改不到位。"}, "192.0.2.1")
    world.duban.public.file_objection(notice_id, {"content": "另一个地址的异议：整改不到位。"}, "192.0.2.2")
    world.tick(hours=1, minutes=1)
    world.duban.public.file_objection(notice_id, {"content": "一小时后可以再提：整改不到位。"}, "192.0.2.1")
    with pytest.raises(InvalidSubmission):
        world.duban.public.file_objection(notice_id, {"content": "太短"}, "192.0.2.3")


def test_a_closed_task_is_reopened_and_keeps_its_history(world: World) -> None:
    task_id = reporting_task(world)
    sign_off(world, task_id)
    assert status(world, task_id) is TaskStatus.CLOSED
    world.do("supervisor", task_id, "reopen", reason_kind="recurrence", reason="群众举报排污口复发",
             new_deadline="2026-09-30")
    assert status(world, task_id) is TaskStatus.IN_PROGRESS
    with world.duban.db.transaction(write=False) as session:
        task = session.get_one(RectificationTask, task_id)
        running = session.scalars(select(ProcessInstance.process_id).where(
            ProcessInstance.task_id == task_id, ProcessInstance.status == "running")).all()
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.task_id == task_id)).all()
    assert task.closed_at is None and task.deadline == date(2026, 9, 30)
    assert sorted(running) == ["deadline_watch", "monthly_report", "rectification"]
    assert "signoff.notice_published" in actions and actions[-1] != "task.registered"
    assert actions.count("task.reopened") == 1
    sign_off(world, task_id)  # and it can be signed off again, by the whole procedure
    assert status(world, task_id) is TaskStatus.CLOSED


def test_uploads_are_checked_by_content_and_nothing_of_a_refusal_is_kept(world: World, tmp_path: Path) -> None:
    task_id = reporting_task(world)
    world.duban.files.max_bytes = 1024 * 1024
    bad = (Upload("big.png", png(width=700, height=700) + b"\0" * (1024 * 1024)),
           Upload("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 400),  # a Windows program called .pdf
           Upload("empty.jpg", b""),
           Upload("notes.txt", "只是一些文字".encode()))
    with pytest.raises(InvalidSubmission) as refused:
        world.do("staff", task_id, "signoff_apply", uploads=(PHOTO, *bad), summary="完成", evidence_note="")
    problems = refused.value.errors["evidence"]
    assert len(problems) == 4
    assert "big.png：文件超过 1 MB 的上限" in problems
    assert "report.pdf：不接受此类文件（实际内容为 exe）" in problems
    assert "empty.jpg：文件是空的" in problems
    assert any(p.startswith("notes.txt：无法识别文件类型") for p in problems)
    with world.duban.db.transaction(write=False) as session:
        assert session.scalar(select(func.count(Attachment.id))) == 0
    assert not any(path.is_file() for path in world.duban.files.root.rglob("*"))


def test_evidence_is_stored_by_hash_audited_and_shown_only_to_who_may_see_the_task(world: World) -> None:
    task_id = reporting_task(world)
    apply_for_signoff(world, task_id)
    with world.duban.db.transaction(write=False) as session:
        files = session.scalars(select(Attachment).order_by(Attachment.id)).all()
        uploaded = session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "attachment.uploaded")).all()
    assert [f.original_name for f in files] == ["现场照片.png", "验收报告.pdf"]
    assert all(world.duban.files.path(f.sha256).read_bytes() for f in files)
    assert any(files[0].sha256 in summary for summary in uploaded)
    path, file = world.duban.attachments.download(world["supervisor"], files[0].id)
    assert path.read_bytes() == PHOTO.data and file.media_type == "image/png"
    with pytest.raises(NotFound):
        world.duban.attachments.download(world["other_staff"], files[0].id)
    with pytest.raises(NotFound):
        world.duban.attachments.download(world["admin"], files[0].id)


def test_a_failed_step_takes_back_the_files_it_wrote(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    task_id = reporting_task(world)

    def broken(*args: object) -> None:
        raise RuntimeError("the process failed after the files were written")

    monkeypatch.setattr(world.duban.processes, "complete", broken)
    with pytest.raises(RuntimeError):
        world.do("staff", task_id, "signoff_apply", uploads=(PHOTO,), summary="完成", evidence_note="")
    assert not any(path.is_file() for path in world.duban.files.root.rglob("*"))


def test_the_whole_procedure_ends_in_signed_off_with_its_date(world: World) -> None:
    task_id = reporting_task(world)
    apply_for_signoff(world, task_id)
    through_notice(world, task_id)
    world.do("leader", task_id, "signoff_approve", decision="approve", comment="同意销号")
    with world.duban.db.transaction(write=False) as session:
        task = session.get_one(RectificationTask, task_id)
        application = session.scalars(select(SignoffApplication)).one()
    assert task.status is TaskStatus.CLOSED and task.closed_at is not None
    assert application.status is SignoffStatus.APPROVED
