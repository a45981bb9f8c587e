"""Inspection rounds (督察批次): codes repeat across rounds, every view counts the chosen round or sums them all,
the rounds are entered and edited (audited), a ledger is imported into a round."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.errors import InvalidSubmission, NotFound, PermissionDenied
from engine.features.rectification.queries import LedgerFilters
from engine.store.models import AuditEvent, RectificationTask
from tests.engine.test_ledger_io import GOOD_ROWS
from tests.factories import World, assert_round_trip
from tests.xlsx import xlsx

PROVINCIAL = {"name": "省级环境保护督察", "body": "四川省第二环境保护督察组", "started_on": "2019-04-10",
              "ended_on": "2019-05-10", "feedback_on": "2019-07-26", "description": "省级督察反馈的问题"}


def two_rounds(world: World) -> tuple[int, int]:
    """The test city's first round and a provincial one entered after it."""
    first = world.duban.rounds.current_id()
    assert first is not None
    return first, world.duban.rounds.create(world["coordinator"], PROVINCIAL)


def test_a_code_repeats_across_rounds_but_not_within_one(world: World) -> None:
    first, provincial = two_rounds(world)
    central_task = world.register("1-1", round_id=first)
    provincial_task = world.register("1-1", round_id=provincial)
    assert central_task != provincial_task
    with pytest.raises(InvalidSubmission) as taken:
        world.register("1-1", round_id=provincial)
    assert taken.value.errors == {"code": ["本批次已有这个编号"]}
    with world.duban.db.transaction(write=False) as session:
        rounds = dict(session.execute(select(RectificationTask.id, RectificationTask.round_id)).all())
    assert rounds == {central_task: first, provincial_task: provincial}
    assert_round_trip(world.duban, provincial_task)
    system = Actor.system()
    assert world.duban.documents.task_id(system, "1-1", first) == central_task
    assert world.duban.documents.task_id(system, "1-1", provincial) == provincial_task
    assert world.duban.documents.task_id(system, "1-1") == provincial_task  # the current round: the latest begun


def test_a_task_goes_into_the_current_round_unless_another_is_named(world: World) -> None:
    _first, provincial = two_rounds(world)
    assert world.duban.rounds.current_id() == provincial
    task_id = world.register("2-1")
    with world.duban.db.transaction(write=False) as session:
        assert session.get_one(RectificationTask, task_id).round_id == provincial
    with pytest.raises(InvalidSubmission) as unknown:
        world.register("2-2", round_id=999_999)
    assert set(unknown.value.errors) == {"round_id"}
    assert world.duban.rounds.named("省级环境保护督察") == provincial
    with pytest.raises(NotFound, match="督察反馈整改"):
        world.duban.rounds.named("没有的批次")


def test_every_view_counts_the_chosen_round_and_the_city_wide_view_sums_them(world: World) -> None:
    first, provincial = two_rounds(world)
    for code in ("1-1", "1-2", "1-3"):
        world.register(code, round_id=first)
    for code in ("1-1", "1-2"):
        world.register(code, round_id=provincial)
    world.tick(hours=1)  # the bulletin counts what was registered before it is made
    duban, leader, coordinator = world.duban, world["leader"], world["coordinator"]
    assert [duban.tasks.ledger(leader, LedgerFilters(round_id=chosen)).total
            for chosen in (first, provincial, None)] == [3, 2, 5]
    assert [duban.reporting.dashboard(leader, chosen).statuses.total
            for chosen in (first, provincial, None)] == [3, 2, 5]
    assert [duban.reporting.bulletin_data(coordinator, "2026-03", chosen).statuses.total
            for chosen in (first, provincial, None)] == [3, 2, 5]
    assert duban.reporting.bulletin_data(coordinator, "2026-03", provincial).round_name == "省级环境保护督察"
    assert [len(duban.public.tasks(1, None, chosen)[0]) for chosen in (first, provincial, None)] == [3, 2, 5]
    content, count = duban.reporting.export_ledger(coordinator, LedgerFilters(round_id=provincial))
    assert count == 2 and content
    docx = duban.reporting.bulletin(coordinator, "2026-03", provincial)
    assert "落实省级环境保护督察反馈意见".encode() in _document_xml(docx)


def _document_xml(docx: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return archive.read("word/document.xml")


def test_rounds_are_entered_and_edited_with_their_dates_in_order_and_audited(world: World) -> None:
    first, provincial = two_rounds(world)
    coordinator = world["coordinator"]
    world.duban.rounds.update(coordinator, provincial, {**PROVINCIAL, "body": "四川省第三环境保护督察组"})
    view = world.duban.rounds.round(coordinator, provincial)
    assert (view.body, view.feedback_on, view.current) == ("四川省第三环境保护督察组", date(2019, 7, 26), True)
    with pytest.raises(InvalidSubmission) as taken:
        world.duban.rounds.create(coordinator, {**PROVINCIAL, "body": ""})
    assert set(taken.value.errors) == {"name"}
    with pytest.raises(InvalidSubmission) as backwards:
        world.duban.rounds.create(coordinator, {**PROVINCIAL, "name": "回头看", "ended_on": "2019-04-01",
                                                "feedback_on": "2019-01-01"})
    assert set(backwards.value.errors) == {"ended_on", "feedback_on"}
    with pytest.raises(PermissionDenied):
        world.duban.rounds.create(world["supervisor"], {**PROVINCIAL, "name": "回头看"})
    with world.duban.db.transaction(write=False) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "round",
                                                          AuditEvent.object_id == str(provincial))
                                 .order_by(AuditEvent.id)).all()
    assert [event.action for event in events] == ["round.created", "round.updated"]
    assert events[1].before["body"] == "四川省第二环境保护督察组"  # type: ignore[index]
    assert events[1].after["body"] == "四川省第三环境保护督察组"  # type: ignore[index]
    listed = world.duban.rounds.rounds()  # by their dates; the test city's first round has none and comes last
    assert [(view.id, view.name) for view in listed] == [(provincial, "省级环境保护督察"), (first, "督察反馈整改")]


def test_a_ledger_is_imported_into_the_round_chosen_and_compared_with_that_round_only(world: World) -> None:
    first, provincial = two_rounds(world)
    coordinator, content = world["coordinator"], xlsx(GOOD_ROWS)
    into_first = world.duban.reporting.import_tasks(coordinator, content, round_id=first)
    assert into_first.created == ["1-1", "1-2", "2-1"]
    preview = world.duban.reporting.preview_import(coordinator, content, round_id=provincial)
    assert preview.round_name == "省级环境保护督察" and not preview.problems
    assert [row.existing for row in preview.rows] == [False, False, False]  # the first round's 1-1 is not this one's
    into_provincial = world.duban.reporting.import_tasks(coordinator, content, round_id=provincial)
    assert into_provincial.created == ["1-1", "1-2", "2-1"]
    again = world.duban.reporting.import_tasks(coordinator, content, round_id=provincial)
    assert (again.created, again.unchanged) == ([], ["1-1", "1-2", "2-1"])
    with world.duban.db.transaction(write=False) as session:
        by_round = session.execute(select(RectificationTask.round_id, RectificationTask.code)
                                   .order_by(RectificationTask.round_id, RectificationTask.code)).all()
        imported = session.scalars(select(AuditEvent).where(AuditEvent.action == "ledger.imported")
                                   .order_by(AuditEvent.id)).all()
    assert [tuple(row) for row in by_round] == [(first, "1-1"), (first, "1-2"), (first, "2-1"),
                                                (provincial, "1-1"), (provincial, "1-2"), (provincial, "2-1")]
    assert imported[-1].after["round"] == "省级环境保护督察"  # type: ignore[index]
