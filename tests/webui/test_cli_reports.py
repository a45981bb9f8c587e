"""The operator's commands for the ledger in Excel, the monthly bulletin and the targets' values."""
from __future__ import annotations

import io
from pathlib import Path

from docx import Document

from tests.engine.test_ledger_io import GOOD_ROWS
from tests.engine.test_targets import PM25
from tests.factories import World
from tests.ledgers import CITY_LEDGER, HEADER, ledger_csv
from tests.webui.test_cli import run
from tests.xlsx import table_of, xlsx


def test_import_tasks_then_again_then_a_bad_file(world: World, tmp_path: Path) -> None:
    url = world.duban.db.url
    good = tmp_path / "清单.xlsx"
    good.write_bytes(xlsx(GOOD_ROWS))
    code, output = run(["import-tasks", str(good), "--check"], tmp_path, DATABASE_URL=url)
    assert code == 0 and "would register 3 new task(s)" in output, output
    code, output = run(["import-tasks", str(good)], tmp_path, DATABASE_URL=url)
    assert code == 0 and "registered 3 new task(s), 0 already in the ledger" in output, output
    code, output = run(["import-tasks", str(good)], tmp_path, DATABASE_URL=url)
    assert code == 0 and "registered 0 new task(s), 3 already in the ledger unchanged" in output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([("9-1", "1", "x", "", "y", "火星局", "leader", "2026-12-31")]))
    code, output = run(["import-tasks", str(bad)], tmp_path, DATABASE_URL=url)
    assert code == 1 and "第 2 行「责任单位」（F2）：没有单位「火星局」" in output and "Traceback" not in output
    assert "第 2 行「整改目标」（D2）：必须填写" in output
    code, output = run(["import-tasks", str(good), "--user", "staff"], tmp_path, DATABASE_URL=url)
    assert code == 1 and "ledger.import" in output


def test_import_tasks_prints_how_an_office_ledger_was_read_and_takes_a_mapping(world: World, tmp_path: Path) -> None:
    url = world.duban.db.url
    header = tuple("牵头处室" if name == "责任单位" else name for name in HEADER)
    ledger = tmp_path / "清单.csv"
    ledger.write_bytes(ledger_csv("gb18030", [row for row in CITY_LEDGER if "常务副市长" not in row], header))
    code, output = run(["import-tasks", str(ledger)], tmp_path, DATABASE_URL=url)
    assert code == 1 and "「责任单位」列：找不到这一列" in output and "--map 列名=units" in output
    mapped = ["--map", "牵头处室=责任单位", "--save-profile", "市清单"]
    code, output = run(["import-tasks", str(ledger), "--check", *mapped], tmp_path, DATABASE_URL=url)
    assert code == 0 and "would register 4 new task(s)" in output, output
    assert "第 7 行 类别行「（二）水污染防治」→ 1. 水污染防治方面" in output
    assert "第 12 行 跳过注释行" in output and "第 8 行 提示：「2019年6月」读作 2019-06-30" in output
    assert "江阳区" in output and "已过" in output
    code, output = run(["import-tasks", str(ledger), "--profile", "市清单"], tmp_path, DATABASE_URL=url)
    assert code == 0 and "registered 4 new task(s)" in output
    code, output = run(["import-tasks", str(ledger), "--map", "牵头处室"], tmp_path, DATABASE_URL=url)
    assert code == 1 and "应写成 列名=字段" in output


def test_export_ledger_with_filters_and_as_a_unit(world: World, tmp_path: Path) -> None:
    world.duban.reporting.import_tasks(world["coordinator"], xlsx(GOOD_ROWS))
    url = world.duban.db.url
    target = tmp_path / "台账.xlsx"
    code, output = run(["export-ledger", str(target)], tmp_path, DATABASE_URL=url)
    assert code == 0 and "wrote 3 task(s)" in output
    assert [row["编号"] for row in table_of(target.read_bytes())] == ["1-1", "1-2", "2-1"]
    code, output = run(["export-ledger", str(target), "--unit", "naxi"], tmp_path, DATABASE_URL=url)
    assert code == 0 and [row["编号"] for row in table_of(target.read_bytes())] == ["1-2"]
    code, output = run(["export-ledger", str(target), "--user", "other_staff"], tmp_path, DATABASE_URL=url)
    assert code == 0 and "wrote 1 task(s)" in output
    code, output = run(["export-ledger", str(target), "--unit", "mars"], tmp_path, DATABASE_URL=url)
    assert code == 1 and "没有这个类别或单位" in output


def test_bulletin_command_writes_a_word_file(world: World, tmp_path: Path) -> None:
    world.duban.reporting.import_tasks(world["coordinator"], xlsx(GOOD_ROWS))
    url = world.duban.db.url
    target = tmp_path / "通报.docx"
    code, output = run(["bulletin", "--month", "2026-03", "-o", str(target)], tmp_path, DATABASE_URL=url)
    assert code == 0 and f"wrote {target}" in output
    text = "\n".join(p.text for p in Document(io.BytesIO(target.read_bytes())).paragraphs)
    assert "全市3项整改任务中" in text
    code, output = run(["bulletin", "--month", "March"], tmp_path, DATABASE_URL=url)
    assert code == 2 and "YYYY-MM" in output


def test_import_target_values_command(world: World, tmp_path: Path) -> None:
    world.duban.targets.save_indicator(world["coordinator"], PM25)
    values = tmp_path / "values.xlsx"
    values.write_bytes(xlsx([("pm25", "2026-01", 51.2, ""), ("pm25", "2026-02", 49.0, "")],
                            header=("指标", "月份", "数值", "说明")))
    code, output = run(["import-target-values", str(values)], tmp_path, DATABASE_URL=world.duban.db.url)
    assert code == 0 and "2 value(s) stored, 0 unchanged" in output
    [view] = world.duban.targets.indicators(world["leader"])
    assert [v.value for v in view.values] == [49.0, 51.2]


def test_import_tasks_into_a_round_named_on_the_command_line(world: World, tmp_path: Path) -> None:
    from tests.engine.test_rounds import PROVINCIAL

    url = world.duban.db.url
    world.duban.rounds.create(world["coordinator"], PROVINCIAL)
    good = tmp_path / "清单.xlsx"
    good.write_bytes(xlsx(GOOD_ROWS))
    code, output = run(["import-tasks", str(good), "--round", "督察反馈整改"], tmp_path, DATABASE_URL=url)
    assert code == 0 and "督察批次：督察反馈整改" in output and "registered 3 new task(s)" in output, output
    code, output = run(["import-tasks", str(good)], tmp_path, DATABASE_URL=url)  # the current round: the provincial
    assert code == 0 and "督察批次：省级环境保护督察" in output and "registered 3 new task(s)" in output, output
    code, output = run(["import-tasks", str(good), "--round", "回头看"], tmp_path, DATABASE_URL=url)
    assert code == 2 and "没有名为「回头看」的督察批次" in output and "省级环境保护督察" in output, output
