"""`duban deploy` and `duban migrate` as an operator uses them."""
from __future__ import annotations

from pathlib import Path

from engine.features.processes.versions import MigrationPage, MigrationReport, MigrationRow
from tests.engine.test_process_migration import changed_rectification
from tests.webui.test_cli import run
from webui.cli_processes import first_lines


def test_deploy_prints_the_diff_then_deploys_once(tmp_path: Path) -> None:
    assert run(["init"], tmp_path)[0] == 0
    changed = tmp_path / "rectification.bpmn"
    changed.write_bytes(changed_rectification())

    code, output = run(["deploy", "--check", str(changed)], tmp_path)
    assert code == 0, output
    assert "整改任务办理 (rectification): version 2, against version 1" in output
    assert "  + closed_for_good" in output and "  - reopen" in output and "  ~ draft_plan 制定整改实施方案" in output
    assert "deployed rectification" not in output

    code, output = run(["deploy", str(changed)], tmp_path)
    assert code == 0 and "deployed rectification version 2" in output
    code, output = run(["deploy", str(changed)], tmp_path)
    assert code == 1 and "都已部署过" in output and "Traceback" not in output


def test_migrate_says_what_would_move_and_refuses_an_unknown_version(tmp_path: Path) -> None:
    assert run(["init"], tmp_path)[0] == 0
    code, output = run(["migrate", "rectification", "--to", "1", "--dry-run"], tmp_path)
    assert code == 0 and "dry run" in output and "0 can move, 0 cannot move" in output
    code, output = run(["migrate", "rectification", "--to", "9"], tmp_path)
    assert code == 1 and "没有第 9 版" in output


def test_a_dry_run_may_list_only_the_first_instances_with_the_counts_over_all(tmp_path: Path) -> None:
    assert run(["init"], tmp_path)[0] == 0
    code, output = run(["migrate", "rectification", "--to", "1", "--dry-run", "--limit", "5"], tmp_path)
    assert code == 0 and "0 listed of 0: 0 can move, 0 cannot move" in output
    code, output = run(["migrate", "rectification", "--to", "1", "--limit", "5"], tmp_path)
    assert code == 2 and "--limit goes with --dry-run" in output

    report = MigrationReport("rectification", "整改任务办理", 2, dry_run=True,
                             rows=[MigrationRow(7, "", "1-1", 1, waiting=["编制整改实施方案"])])
    lines = first_lines(MigrationPage(report, movable=40, refused=2, show="all", page=1, pages=42))
    assert lines[1] == "  can move #7 1-1 (version 1) -> waits at: 编制整改实施方案"
    assert lines[-1] == "1 listed of 42: 40 can move, 2 cannot move and stay on their version"
