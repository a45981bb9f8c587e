"""Attachments: every form that takes files stores them the same way (by SHA-256, checked by content, audited),
each with a preview drawn on the server, and shows them only to who may see the task."""
from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from engine.core.errors import InvalidSubmission, NotFound
from engine.core.uploads import Upload
from engine.demo.sample_files import png
from engine.store.models import Attachment, AuditEvent
from tests.escalations import CARRY_OUT, propose, today
from tests.factories import PHOTO, REPORT, World, apply_for_signoff, checklist, report_month, walk_to_reporting

EXE = Upload("方案.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 400)
BIG_PHOTO = Upload("大照片.png", png(width=1600, height=1200))


def attachments(world: World, form: str) -> list[Attachment]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(Attachment).where(Attachment.form == form).order_by(Attachment.id)))


def plan(world: World, task_id: int, files: tuple[Upload, ...]) -> None:
    world.do("coordinator", task_id, "assign", **_assignment(world))
    world.do("staff", task_id, "plan_draft", uploads=files, content="方案正文", milestones="3月底前", contact="李四")


def _assignment(world: World) -> dict[str, object]:
    from tests.factories import assignment

    return assignment(world, deadline="2027-12-31")


def report(world: World, task_id: int, files: tuple[Upload, ...]) -> None:
    walk_to_reporting(world, task_id)
    world.next_month()
    world.do("staff", task_id, "report_submit", uploads=files, progress="按计划推进", percent_complete=50)


def verification(world: World, task_id: int, files: tuple[Upload, ...]) -> None:
    walk_to_reporting(world, task_id)
    world.next_month()
    report_month(world, task_id)
    apply_for_signoff(world, task_id)
    world.do("supervisor", task_id, "signoff_verify", uploads=files, **checklist())


def escalation_proposal(world: World, task_id: int, files: tuple[Upload, ...]) -> None:
    walk_to_reporting(world, task_id)
    world.duban.escalation.propose(world["supervisor"], task_id, "现场检查发现问题")
    propose(world, task_id, 2, uploads=files)


def interview(world: World, task_id: int, files: tuple[Upload, ...]) -> None:
    escalation_proposal(world, task_id, ())
    world.do("leader", task_id, "escalation_approve", decision="approve", comment="")
    who, form, data = CARRY_OUT[2]
    world.do(who, task_id, form, uploads=files, **{**data, "held_on": today(world).isoformat()})


def commitment(world: World, task_id: int, files: tuple[Upload, ...]) -> None:
    interview(world, task_id, ())
    world.do("head", task_id, "escalation_commitment", uploads=files, commitment="一个月内完成截污纳管",
             complete_by=(today(world) + timedelta(days=30)).isoformat())


POINTS: dict[str, Callable[[World, int, tuple[Upload, ...]], None]] = {
    "plan_draft": plan, "report_submit": report, "signoff_verify": verification,
    "escalation_propose": escalation_proposal, "escalation_interview": interview,
    "escalation_commitment": commitment,
}


@pytest.mark.parametrize("form", list(POINTS))
def test_each_form_takes_files_with_previews_shown_to_who_may_see_the_task(world: World, form: str) -> None:
    task_id = world.register(deadline="2027-12-31")
    POINTS[form](world, task_id, (BIG_PHOTO, REPORT))
    photo, pdf = attachments(world, form)
    assert (photo.original_name, pdf.original_name) == ("大照片.png", "验收报告.pdf")
    assert photo.human_task_id is not None and photo.task_id == task_id
    assert world.duban.files.path(photo.sha256).read_bytes() == BIG_PHOTO.data
    for attachment, size in ((photo, (480, 360)), (pdf, (371, 480))):
        with Image.open(world.duban.attachments.preview(world["supervisor"], attachment.id)) as preview:
            assert (preview.format, preview.size) == ("JPEG", size)
    path, sent = world.duban.attachments.download(world["staff"], pdf.id)
    assert path.read_bytes() == REPORT.data and sent.media_type == "application/pdf"
    for outsider in ("other_staff", "admin"):
        with pytest.raises(NotFound):
            world.duban.attachments.download(world[outsider], photo.id)
        with pytest.raises(NotFound):
            world.duban.attachments.preview(world[outsider], photo.id)
    with world.duban.db.transaction(write=False) as session:
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "attachment", AuditEvent.object_id.in_([str(photo.id), str(pdf.id)]))).all()
    assert actions.count("attachment.uploaded") == 2 and "attachment.downloaded" in actions


@pytest.mark.parametrize("form", ["plan_draft", "report_submit"])
def test_a_wrong_file_is_refused_on_the_field_and_nothing_is_kept(world: World, form: str) -> None:
    task_id = world.register(deadline="2027-12-31")
    world.duban.files.max_bytes = 1024 * 1024
    too_big = Upload("扫描件.png", png() + b"\0" * (1024 * 1024))
    with pytest.raises(InvalidSubmission) as refused:
        POINTS[form](world, task_id, (PHOTO, EXE, too_big))
    assert refused.value.errors == {"attachments": ["方案.pdf：不接受此类文件（实际内容为 exe）",
                                                    "扫描件.png：文件超过 1 MB 的上限"]}
    assert attachments(world, form) == []
    assert not any(path.is_file() for path in world.duban.files.root.rglob("*"))


def test_a_form_without_a_file_field_refuses_files(world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    plan(world, task_id, ())
    with pytest.raises(InvalidSubmission) as refused:
        world.do("head", task_id, "plan_sign", uploads=(PHOTO,), decision="submit", comment="")
    assert refused.value.errors == {"attachments": ["这一步不接受上传文件"]}


def test_a_file_without_a_preview_has_none(world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    docx_file = Upload("台账.docx", _docx())
    plan(world, task_id, (docx_file,))
    [attachment] = attachments(world, "plan_draft")
    with pytest.raises(NotFound):
        world.duban.attachments.preview(world["supervisor"], attachment.id)


def _docx() -> bytes:
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()


def objection_photos(world: World) -> tuple[int, int]:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    apply_for_signoff(world, task_id)
    world.do("supervisor", task_id, "signoff_verify", **checklist())
    world.do("publicity", task_id, "signoff_notice", text="拟销号公示")
    return task_id, world.duban.public.open_notices()[0].id


def test_the_public_may_attach_a_few_photos_to_an_objection_and_nothing_else(world: World) -> None:
    task_id, notice_id = objection_photos(world)
    content = {"content": "排污口仍在夜间排放，附照片为证", "name": "", "contact": ""}
    refusals = {
        (REPORT,): "验收报告.pdf：不接受此类文件（实际内容为 pdf）",
        (Upload("夜间.png", png() + b"\0" * (5 * 1024 * 1024)),): "夜间.png：文件超过 5 MB 的上限",
        (PHOTO,) * 4: "最多上传 3 个文件",
    }
    for photos, problem in refusals.items():
        with pytest.raises(InvalidSubmission) as refused:
            world.duban.public.file_objection(notice_id, content, "203.0.113.9", photos)
        assert refused.value.errors == {"photos": [problem]}
    world.duban.public.file_objection(notice_id, content, "203.0.113.9", (PHOTO, BIG_PHOTO))
    photos = attachments(world, "objection")
    assert [(p.original_name, p.uploaded_by_id, p.task_id) for p in photos] == [
        ("现场照片.png", None, task_id), ("大照片.png", None, task_id)]
    page = world.duban.work.task_page(world["supervisor"], task_id)
    assert {a.id for a in photos} <= {a.id for a in page.attachments}
    with pytest.raises(NotFound):
        world.duban.attachments.download(world["other_staff"], photos[0].id)
