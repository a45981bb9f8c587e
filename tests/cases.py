"""Complaint cases for the tests: a batch's spreadsheet (as CSV), importing it, doing a case's steps."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.store.models import ComplaintCase, HumanTask
from tests.factories import World

HEADER = "案件编号,受理日期,信访内容,地点,被投诉对象,污染类型,责任单位,办结时限"
ROWS = (
    "X5105002026031001,2026-03-09,夜间施工噪声扰民，凌晨仍在作业,江阳区大山坪街道,某建筑工地,噪声,江阳区,2026-03-31",
    "X5105002026031002,2026-03-09,化工厂排放刺鼻气味，附近居民头晕,纳溪区安富街道,泸州某化工有限公司,大气,纳溪区,2026-03-31",
    "X5105002026031003,2026年3月9日,河道有黑色污水流入长江,江阳区 大山坪街道,某建筑工地,水,市水利局,2026-03-31",
)


def batch_csv(*rows: str) -> bytes:
    return "\n".join((HEADER, *(rows or ROWS))).encode()


def import_batch(world: World, *rows: str) -> int:
    return world.duban.case_import.import_batch(world["coordinator"], batch_csv(*rows), "第一批.csv").batch_id


def case_named(world: World, number: str) -> ComplaintCase:
    with world.duban.db.transaction(write=False) as session:
        return session.scalars(select(ComplaintCase).where(ComplaintCase.number == number)).one()


def case_work(world: World, username: str, number: str) -> HumanTask:
    case = case_named(world, number)
    [work] = [w for w in world.work_for(username) if w.instance_id == case.instance_id]
    return work


def do_case(world: World, username: str, number: str, form: str, uploads: tuple[Any, ...] = (),
            **data: Any) -> HumanTask:
    work = case_work(world, username, number)
    assert work.form == form, f"{username} has {work.form}, not {form}"
    return world.duban.work.complete(world[username], work.id, data, uploads)
