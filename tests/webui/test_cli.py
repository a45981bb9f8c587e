"""The duban command as an operator uses it."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from waitress.server import BaseWSGIServer

from engine.store.database import Database
from engine.store.models import ApiToken, ProcessVersion, ProgressReport, Unit, User
from tests.factories import ROOT, World, walk_to_reporting
from webui.cli import main


def run(args: list[str], instance: Path, **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, env={"DUBAN_INSTANCE": str(instance), "DATABASE_URL": "", **env})
    return result.exit_code, result.output


def test_init_creates_the_schema_units_and_versions_and_is_repeatable(tmp_path: Path) -> None:
    code, output = run(["init"], tmp_path)
    assert code == 0 and "deployed rectification@" in output
    code, output = run(["init"], tmp_path)
    assert code == 0 and "deployed" not in output
    with Database(f"sqlite:///{tmp_path / 'duban.sqlite3'}").transaction(write=False) as session:
        assert session.scalar(select(Unit.name).where(Unit.code == "jiangyang")) == "江阳区"
        assert set(session.scalars(select(ProcessVersion.process_id))) == {
            "rectification", "monthly_report", "deadline_watch", "escalation", "clue", "task_receipt",
            "deadline_extension", "instruction", "chase", "cooperation", "measure_report", "measure_review"}


def test_create_user_checks_role_unit_and_password(tmp_path: Path) -> None:
    code, output = run(["create-user", "--username", "li", "--name", "李四", "--role", "unit_staff",
                        "--unit", "jiangyang", "--password", "a-long-pass-1"], tmp_path)
    assert code == 0, output
    code, output = run(["create-user", "--username", "wang", "--name", "王五", "--role", "unit_staff",
                        "--password", "short"], tmp_path)
    assert code == 1
    assert "单位角色必须指定所属单位" in output and "密码至少" in output and "Traceback" not in output
    code, output = run(["create-user", "--username", "zhao", "--name", "赵", "--role", "mayor",
                        "--password", "a-long-pass-1"], tmp_path)
    assert code == 1 and "没有这个角色" in output
    with Database(f"sqlite:///{tmp_path / 'duban.sqlite3'}").transaction(write=False) as session:
        assert session.scalars(select(User.username)).all() == ["li"]


def test_a_broken_roles_file_stops_start_up_with_its_line(tmp_path: Path) -> None:
    roles = tmp_path / "roles.yaml"
    roles.write_text((ROOT / "roles.yaml").read_text(encoding="utf-8").replace(
        "综合协调组: coordinator", "综合协调组: coordinater"), encoding="utf-8")
    code, output = run(["init"], tmp_path, DUBAN_ROLES=str(roles))
    assert code == 1
    assert f"{roles}: line" in output and "coordinater" in output and "Traceback" not in output


def test_a_bad_setting_is_named(tmp_path: Path) -> None:
    code, output = run(["init"], tmp_path, DUBAN_REPORT_DAY="31")
    assert code == 1 and "DUBAN_REPORT_DAY" in output and "Traceback" not in output


def test_tick_fires_what_is_due_at_the_given_time_once(world: World, tmp_path: Path) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    url = world.duban.db.url
    code, output = run(["tick", "--now", "2026-03-31T23:00:00"], tmp_path, DATABASE_URL=url)
    assert code == 0 and "fired 0," in output
    code, output = run(["tick", "--now", "2026-04-06T00:30:00+08:00"], tmp_path, DATABASE_URL=url)
    assert code == 0 and "fired 1," in output, output  # the cycle's timers are caught up in one go
    with world.duban.db.transaction(write=False) as session:
        overdue = session.scalar(select(ProgressReport.overdue).where(ProgressReport.period == "2026-03"))
    assert overdue is True
    code, output = run(["tick", "--now", "2026-04-06T00:30:00+08:00"], tmp_path, DATABASE_URL=url)
    assert "fired 0," in output
    code, output = run(["tick", "--now", "yesterday"], tmp_path, DATABASE_URL=url)
    assert code == 2 and "not an ISO date-time" in output


def test_tick_refuses_an_uninitialised_database(tmp_path: Path) -> None:
    code, output = run(["tick"], tmp_path)
    assert code == 1 and "duban init" in output


def test_serve_takes_its_port_before_it_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bound: list[bool] = []

    def run_then_stop(server: BaseWSGIServer) -> None:
        with socket.create_connection(("127.0.0.1", server.effective_port), timeout=2):
            bound.append(True)
        server.close()

    monkeypatch.setattr(BaseWSGIServer, "run", run_then_stop)
    code, output = run(["serve", "--port", "0"], tmp_path, DUBAN_SWEEP_SECONDS="0")
    assert code == 0 and bound == [True] and "duban is serving on" in output


def test_serve_on_a_busy_port_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, output = run(["serve", "--port", str(port)], tmp_path, DUBAN_SWEEP_SECONDS="0")
    assert code == 1 and "serving on" not in output
    assert output.strip().splitlines() == [f"Error: cannot serve on 127.0.0.1:{port}: Address already in use"]


def test_token_create_prints_the_secret_once_for_the_named_person(tmp_path: Path) -> None:
    assert run(["create-user", "--username", "platform", "--name", "省级平台", "--role", "supervisor",
                "--unit", "office", "--password", "a-long-pass-1"], tmp_path)[0] == 0
    result = CliRunner().invoke(main, ["token", "create", "platform", "--scope", "read", "--days", "30"],
                                env={"DUBAN_INSTANCE": str(tmp_path), "DATABASE_URL": ""})
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("dbn_") and "not shown again" in result.stderr
    with Database(f"sqlite:///{tmp_path / 'duban.sqlite3'}").transaction(write=False) as session:
        assert secret not in str(session.execute(select(ApiToken.__table__)).all())
    code, output = run(["token", "create", "nobody", "--scope", "write"], tmp_path)
    assert code == 1 and "nobody" in output and "Traceback" not in output
    assert run(["token", "create", "platform", "--scope", "admin"], tmp_path)[0] == 2
