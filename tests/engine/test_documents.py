"""公文: each document written from the task's record, numbered per kind and year, never twice, kept with
its SHA-256 in the audit trail; an office's template checked before it is used."""
from __future__ import annotations

import hashlib
import io
import threading
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from engine.app import Duban
from engine.core.errors import ConfigError, Conflict, NotFound, PermissionDenied
from engine.core.settings import Settings
from engine.features.documents.kinds import KINDS
from engine.features.documents.make_templates import layout
from engine.features.documents.templates import DocumentTemplates
from engine.store.models import AuditEvent, IssuedDocument
from tests.escalations import carry_out, commit_and_close, propose
from tests.factories import World, apply_for_signoff, build_world, checklist, walk_to_reporting


def text_of(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


def issue(world: World, kind: str, task_id: int, who: str = "coordinator") -> tuple[IssuedDocument, str]:
    document = world.duban.documents.issue(world[who], kind, task_id)
    path, _ = world.duban.documents.docx(world[who], document.id)
    return document, text_of(path.read_bytes())


def full_record(world: World) -> int:
    """A task assigned, reporting, escalated to 通报 and 约谈, applied for sign-off and in 公示."""
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    for level in (1, 2):
        world.duban.escalation.propose(world["supervisor"], task_id, "两个月逾期未报")
        propose(world, task_id, level)
        world.do("leader", task_id, "escalation_approve", decision="approve", comment="")
        carry_out(world, task_id, level)
        commit_and_close(world, task_id)
    apply_for_signoff(world, task_id)
    world.do("supervisor", task_id, "signoff_verify", **checklist())
    world.do("publicity", task_id, "signoff_notice", text="关于1-1号整改任务拟销号的公示\n\n江阳区牵头的任务拟予销号。")
    return task_id


def test_each_document_is_written_from_the_task_record_with_its_number(world: World) -> None:
    task_id = full_record(world)
    applicable = [kind.code for kind in world.duban.documents.of_task(world["coordinator"], task_id).applicable]
    assert set(applicable) >= set(KINDS) - {"reminder"}  # the task is green: no reminder
    said = {"assignment": "请你单位按要求制定整改实施方案", "supervision": "督办要求", "circular": "现予以通报。",
            "interview_notice": "两个月逾期未报", "interview_record": "5 月底前完成截污纳管",
            "signoff_approval": "全部整改完成", "signoff_notice": "江阳区牵头的任务拟予销号。"}
    series = {"assignment": "函", "supervision": "督", "circular": "通", "interview_notice": "约",
              "interview_record": "约记", "signoff_approval": "销", "signoff_notice": "公示"}
    for kind, words in said.items():
        document, text = issue(world, kind, task_id)
        assert document.number == f"泸整改办{series[kind]}〔2026〕1号"
        assert document.number in text and KINDS[kind].title in text and words in text
        assert "泸州市生态环境保护督察整改工作领导小组办公室" in text and "2026年" in text
    assert "{{" not in text and "{%" not in text


def test_numbers_follow_each_other_and_the_file_hash_is_audited(world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    first, _ = issue(world, "assignment", task_id)
    second, text = issue(world, "assignment", task_id)
    other, _ = issue(world, "supervision", task_id)
    assert [first.serial, second.serial, other.serial] == [1, 2, 1]
    assert second.number == "泸整改办函〔2026〕2号" and second.number in text
    path, _ = world.duban.documents.docx(world["coordinator"], second.id)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == second.sha256
    with world.duban.db.transaction(write=False) as session:
        summaries = session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "document.issued")).all()
    assert any("泸整改办函〔2026〕2号" in s and second.sha256 in s for s in summaries)


def test_a_document_applies_only_to_its_state_and_only_the_office_issues(world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    with pytest.raises(Conflict):
        world.duban.documents.issue(world["coordinator"], "assignment", task_id)  # not assigned yet
    walk_to_reporting(world, task_id)
    with pytest.raises(Conflict):
        world.duban.documents.issue(world["coordinator"], "signoff_approval", task_id)
    with pytest.raises(PermissionDenied):
        world.duban.documents.issue(world["staff"], "assignment", task_id)
    document, _ = issue(world, "assignment", task_id)
    assert world.duban.documents.issued(world["staff"], document.id).number == document.number  # the unit reads it
    with pytest.raises(NotFound):
        world.duban.documents.issued(world["other_staff"], document.id)
    with pytest.raises(NotFound):
        world.duban.documents.docx(world["admin"], document.id)


def test_numbers_issued_at_once_are_never_the_same(world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    numbers: list[str] = []
    failures: list[BaseException] = []

    def issue_one() -> None:
        try:
            numbers.append(world.duban.documents.issue(world["coordinator"], "supervision", task_id).number)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=issue_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(numbers) == sorted(f"泸整改办督〔2026〕{n}号" for n in range(1, 7))


def test_a_replaced_template_naming_an_unknown_field_is_refused(tmp_path: Path) -> None:
    document = layout(table=False)
    document.add_paragraph("签发人：{{ signer }}，{{ number }}")
    document.save(str(tmp_path / "assignment.docx"))
    with pytest.raises(ConfigError) as refused:
        DocumentTemplates(tmp_path)
    assert "signer" in str(refused.value) and "assignment.docx" in str(refused.value)


def test_a_replaced_template_is_used(db, roles, clock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    document = layout(table=False)
    document.add_paragraph("本地模板：{{ task_code }}")
    (tmp_path / "templates").mkdir()
    document.save(str(tmp_path / "templates" / "assignment.docx"))
    from tests.conftest import WORKFLOWS

    duban = Duban(db, roles, clock, WORKFLOWS, Settings(document_templates=str(tmp_path / "templates")),
                  storage=tmp_path / "files")
    world = build_world(duban)
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    _, text = issue(world, "assignment", task_id)
    assert "本地模板：1-1" in text
