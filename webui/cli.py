"""The `duban` command: set-up, serving, timers, checks, accounts, audit, backups, the ledger, bulletin, targets and
official documents."""
from __future__ import annotations

import getpass
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from engine.core.actor import SYSTEM_ROLE, Actor
from engine.core.errors import ConfigError, DomainError, InvalidSubmission
from engine.core.spreadsheet import ImportRejected
from engine.core.statuses import TaskStatus, WarningLevel
from engine.features.documents.kinds import KINDS
from webui import cli_processes
from webui.cli_rounds import round_id as _round_id
from webui.cli_rounds import round_option


def demo_config() -> dict[str, Any]:
    """In demo mode (DUBAN_DEMO_CLOCK=1), the demo's time machine, which moves the business clock on from its
    page; it is the entry points' (this command and webui/wsgi.py) to hand over, not the product's."""
    if os.environ.get("DUBAN_DEMO_CLOCK") != "1":
        return {}
    from engine.demo.clock import TimeMachine

    return {"DUBAN_TIME_MACHINE": TimeMachine}


def _app(**config):  # type: ignore[no-untyped-def]
    from webui import create_app

    try:
        return create_app({**demo_config(), **config})
    except (ConfigError, ValueError) as exc:  # a wrong workflow, roles.yaml or setting: say which, no traceback
        raise click.ClickException(str(exc)) from None


@click.group(help="duban: supervision of rectification tasks after an environmental inspection.")
def main() -> None:
    pass


@main.command(help="Create or update the database schema, units and deployed workflows.")
def init() -> None:
    engine = _app().extensions["duban"]
    added = engine.init_database()
    click.echo(f"database ready: {engine.operations.database_url}")
    for version in added:
        click.echo(f"deployed {version}")


@main.command(help="Load the demo city (35 tasks, units, one account per role) unless it is there already.")
def demo() -> None:
    from engine.demo.city import DEMO_PASSWORD, load_demo

    engine = _app().extensions["duban"]
    started = time.monotonic()
    click.echo("checking the database schema and workflows…")
    engine.init_database()
    logins, created = load_demo(engine, lambda stage: click.echo(f"[{time.monotonic() - started:5.1f} s] "
                                                                 f"demo city: {stage}"))
    click.echo("demo city " + ("created" if created else "already present") + f" in {engine.operations.database_url}")
    click.echo(f"demo logins (password for all: {DEMO_PASSWORD}):")
    for username, description in logins:
        click.echo(f"  {username:<14} {description}")


@main.command(help="Serve the web UI (waitress).")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option("--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int, show_default="5000")
@click.option("--threads", default=8, show_default=True)
def serve(host: str, port: int, threads: int) -> None:
    from waitress import create_server

    from webui.sweeper import start_sweeper

    app = _app()
    try:  # the address is taken first: "serving on" is printed only once it is ours
        server = create_server(app, host=host, port=port, threads=threads)
    except OSError as exc:
        raise click.ClickException(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    engine = app.extensions["duban"]
    engine.init_database()
    sweeper = start_sweeper(engine)
    every = f"every {engine.settings.sweep_seconds} s" if sweeper else "off (DUBAN_SWEEP_SECONDS=0)"
    click.echo(f"duban is serving on http://{host}:{port}  (timer sweep {every}; Ctrl+C to stop)")
    server.run()


@main.command(help="Fire every timer due now (or at --now), then exit. Safe to run beside the web server.")
@click.option("--now", "now_text", default=None, metavar="ISO-DATETIME",
              help="Act as if it were this instant, e.g. 2026-12-06T00:30:00+08:00 (naive = Beijing time).")
def tick(now_text: str | None) -> None:
    from engine.core.clock import LOCAL_TZ, FakeClock

    config = {}
    if now_text:
        try:
            instant = datetime.fromisoformat(now_text)
        except ValueError:
            raise click.BadParameter(f"not an ISO date-time: {now_text!r}", param_hint="--now") from None
        config["DUBAN_CLOCK"] = FakeClock(instant if instant.tzinfo else instant.replace(tzinfo=LOCAL_TZ))
    engine = _app(**config).extensions["duban"]
    if not engine.operations.schema_is_current():
        raise click.ClickException("the database is not initialised or not up to date: run `duban init` first")
    engine.init_database()
    result = engine.sweep.fire_due_timers()
    click.echo(f"{engine.clock.now().isoformat(timespec='seconds')}: {result}")
    if result.failed:
        sys.exit(2)


@main.command(help="Check BPMN files the way start-up does; exit 1 and name the problem if one is wrong.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--roles", "roles_file", type=click.Path(path_type=Path), default=None,
              help="roles.yaml to check lanes against (default: the project's).")
def validate(files: tuple[Path, ...], roles_file: Path | None) -> None:
    from engine.app import check_workflow_file
    from engine.core.roles import load_roles
    from webui import PROJECT_ROOT

    roles = roles_file or PROJECT_ROOT / "roles.yaml"
    try:
        load_roles(roles)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    failures = 0
    for path in files:
        try:
            process_ids = check_workflow_file(path, roles)
        except ConfigError as exc:
            failures += 1
            click.echo(f"error: {exc}", err=True)
        else:
            click.echo(f"ok: {path}: " + ", ".join(process_ids))
    sys.exit(1 if failures else 0)


@main.command("create-user", help="Create an account.")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True, help="The person's name as shown in the UI.")
@click.option("--role", required=True)
@click.option("--unit", "unit_code", default=None, help="Unit code from roles.yaml (required for unit roles).")
@click.option("--title", default="", help="Post, e.g. 副市长 (for leaders).")
@click.password_option()
def create_user(username: str, display_name: str, role: str, unit_code: str | None, title: str,
                password: str) -> None:
    engine = _app().extensions["duban"]
    engine.init_database()
    try:
        engine.accounts.create_user(cli_actor(), username=username, password=password, display_name=display_name,
                           role=role, unit_code=unit_code, title=title)
    except InvalidSubmission as exc:
        raise click.ClickException("; ".join(f"{k}: {', '.join(v)}" for k, v in exc.errors.items())) from None
    click.echo(f"created {username} ({role})")



def cli_actor() -> Actor:
    """The operator at the command line, as the audit trail records them (their login on this machine)."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "unknown"
    return Actor(None, f"cli:{login}"[:64], f"命令行操作员 {login}"[:100], SYSTEM_ROLE, None, "cli")


@main.command("unlock-user", help="Unlock an account locked after failed logins (audited).")
@click.argument("username")
def unlock_user(username: str) -> None:
    engine = _app().extensions["duban"]
    user_id = engine.accounts.user_id(username)
    if user_id is None:
        raise click.ClickException(f"no user {username!r}")
    try:
        engine.accounts.unlock_user(cli_actor(), user_id)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"unlocked {username}")


@main.group(help="The audit trail (全程留痕).")
def audit() -> None:
    pass


@audit.command("verify", help="Walk the hash chain; exit 1 naming the first broken or missing link.")
@click.option("--anchor", "anchors", multiple=True, metavar="SEQ:HASH",
              help="A seq and hash noted earlier (e.g. printed by a previous verify); must still match.")
@click.option("--files", is_flag=True, help="Also check every attached file's bytes against its SHA-256.")
@click.option("--state", "rows", is_flag=True,
              help="Also compare every business row with the last after-image the trail holds of it.")
def audit_verify(anchors: tuple[str, ...], files: bool, rows: bool) -> None:
    engine = _app().extensions["duban"]
    report = engine.audit.verify(cli_actor(), _anchors(anchors))
    if not report.ok:
        click.echo(f"audit chain BROKEN at event #{report.at_seq}: {report.problem}", err=True)
        click.echo(f"the {report.events} events before it are intact (up to #{report.head_seq})", err=True)
        sys.exit(1)
    click.echo(f"audit chain intact: {report.events} events; head #{report.head_seq} {report.head_hash}")
    intact = [_attached_files_intact(engine) if files else True, _rows_as_audited(engine) if rows else True]
    if not all(intact):
        sys.exit(1)


def _attached_files_intact(engine) -> bool:  # type: ignore[no-untyped-def]
    count, damaged = engine.audit.verify_files(cli_actor())
    for file, state in damaged:
        click.echo(f"attached file #{file.id} of task {file.task_id} {state}: {file.original_name} "
                   f"(sha256 {file.sha256})", err=True)
    if not damaged:
        click.echo(f"attached files intact: {count}")
    return not damaged


def _rows_as_audited(engine) -> bool:  # type: ignore[no-untyped-def]
    report = engine.audit.verify_state(cli_actor())
    for difference in report.differences:
        click.echo(difference.describe(), err=True)
    if report.ok:
        click.echo(f"business rows as audited: {report.rows}")
    return report.ok


def _anchors(values: tuple[str, ...]) -> dict[int, str]:
    anchors = {}
    for value in values:
        seq, _, digest = value.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise click.BadParameter(f"{value!r} is not SEQ:HASH (a number, a colon, 64 hex digits)")
        anchors[int(seq)] = digest
    return anchors


class BackupCommands(click.Group):
    """`duban backup PATH` makes a backup (as it always did); `duban backup verify FILE` checks one."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["make", *args]
        return super().parse_args(ctx, args)


@main.group(cls=BackupCommands, help="Backups: `duban backup PATH` writes one, `duban backup verify FILE` checks one.")
def backup() -> None:
    pass


@backup.command("make", help="Write one artifact (database, every evidence file, a manifest of their SHA-256 and "
                             "of each table's digest) to PATH while the site keeps running; its digest is audited.")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
def backup_make(path: Path) -> None:
    engine = _app().extensions["duban"]
    try:
        report = engine.operations.backup(path, cli_actor())
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written: {report.path} ({report.size} bytes); audit chain intact: "
               f"{report.chain.events} events, head #{report.chain.head_seq} {report.chain.head_hash}")
    click.echo(f"evidence files: {report.files}; manifest sha256 {report.digest} (recorded in the audit trail)")
    for sha256 in report.missing_files:
        click.echo(f"evidence file missing from the store, not in the backup: {sha256}", err=True)


@backup.command("verify", help="Check a backup: every file against the manifest, every table against its digest, "
                               "every row against the audit trail, the manifest against the trail's record.")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
def backup_verify(path: Path) -> None:
    engine = _app().extensions["duban"]
    try:
        report = engine.operations.verify_backup(path)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    for difference in report.differences:
        click.echo(f"DIFFERS: {difference}", err=True)
    if not report.ok:
        sys.exit(1)
    audited = {True: "recorded in the audit trail", None: "not looked up (this database recorded no backup)"}
    click.echo(f"backup intact: manifest sha256 {report.digest}, {audited[report.audited]}")


@main.command(help="Restore a backup written by `duban backup` into an empty database (an edited backup is refused).")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
def restore(path: Path) -> None:
    engine = _app().extensions["duban"]
    try:
        report = engine.operations.restore(path, cli_actor())
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {path} into {engine.operations.database_url} with {report.files} evidence files; "
               f"audit chain intact: {report.chain.events} events, head #{report.chain.head_seq} "
               f"{report.chain.head_hash}")


class ClickProgress:
    """Draws the engine's progress (ledger_import.ProgressReporter) as click progress bars, one per stage."""

    def __init__(self) -> None:
        self.bar: Any = None

    def stage(self, label: str, total: int) -> None:
        self.close()
        self.bar = click.progressbar(length=max(total, 1), label=f"{label:<4}", width=30, file=sys.stderr)
        self.bar.__enter__()

    def advance(self, count: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _engine_for_data():  # type: ignore[no-untyped-def]
    engine = _app().extensions["duban"]
    if not engine.operations.schema_is_current():
        raise click.ClickException("the database is not initialised or not up to date: run `duban init` first")
    engine.init_database()  # loads the deployed workflow versions (and deploys changed ones), as tick does
    return engine


def _as(engine, username: str | None) -> Actor:  # type: ignore[no-untyped-def]
    try:
        return engine.accounts.command_line_actor(username)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None


USER_OPTION = click.option("--user", "username", default=None, metavar="USERNAME",
                           help="Act as this account (its permissions and scope); default: the operator, all tasks.")


@main.command("import-tasks", help="Register the new tasks of a ledger (.xlsx, .xls or .csv), all or nothing, "
                                    "after printing how each row was read (see README).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Only print how the file is read; import nothing.")
@click.option("--map", "maps", multiple=True, metavar="列名=字段",
              help="The field a column holds when its header is not recognised (repeatable): --map 牵头处室=units.")
@click.option("--profile", default="", help="A saved column mapping (from the web import page or --save-profile).")
@click.option("--save-profile", default="", metavar="NAME", help="Save this file's column mapping under NAME.")
@round_option("the current round (the one most recently begun)")
@USER_OPTION
def import_tasks(file: Path, check: bool, maps: tuple[str, ...], profile: str, save_profile: str, round_name: str,
                 username: str | None) -> None:
    from engine.features.reporting.ledger_reading import parse_mapping
    from webui.cli_ledger import preview_lines

    engine = _engine_for_data()
    actor, content, round_id = _as(engine, username), file.read_bytes(), _round_id(engine, round_name)
    progress = ClickProgress()
    try:
        mapping = parse_mapping(maps)
        preview = engine.reporting.preview_import(actor, content, mapping=mapping, profile=profile, round_id=round_id)
        click.echo(f"督察批次：{preview.round_name}")
        click.echo("\n".join(preview_lines(preview)))
        if preview.problems:
            raise ImportRejected(preview.problems)
        if save_profile:
            engine.reporting.save_import_profile(actor, save_profile, preview.mapping())
            click.echo(f"saved the column mapping as profile {save_profile!r}")
        result = engine.reporting.import_tasks(actor, content, file_name=file.name, dry_run=check, mapping=mapping,
                                               profile=profile, round_id=round_id, progress=progress)
    except ImportRejected as exc:
        progress.close()
        click.echo(f"{file}: {exc}", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    except (DomainError, ValueError) as exc:
        progress.close()
        raise click.ClickException(str(exc)) from None
    progress.close()
    verb = "would register" if result.dry_run else "registered"
    click.echo(f"{verb} {len(result.created)} new task(s), {len(result.unchanged)} already in the ledger unchanged")
    for name in result.new_categories:
        click.echo(f"new category: {name}")


@main.command("export-ledger", help="Write the ledger (filtered) to an .xlsx file.")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--category", type=int, default=None, help="Category number.")
@click.option("--unit", default=None, help="Unit code (lead or cooperating).")
@click.option("--status", type=click.Choice([s.value for s in TaskStatus]), default=None)
@click.option("--warning", type=click.Choice([w.value for w in WarningLevel]), default=None)
@round_option("every round")
@USER_OPTION
def export_ledger(file: Path, category: int | None, unit: str | None, status: str | None, warning: str | None,
                  round_name: str, username: str | None) -> None:
    engine = _engine_for_data()
    progress = ClickProgress()
    try:
        filters = replace(engine.tasks.ledger_filters(category, unit, status, warning),
                          round_id=_round_id(engine, round_name))
        content, count = engine.reporting.export_ledger(_as(engine, username), filters, progress)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        progress.close()
    file.write_bytes(content)
    click.echo(f"wrote {count} task(s) to {file}")


@main.command(help="Write the monthly bulletin (月度通报) of a month as .docx.")
@click.option("--month", required=True, metavar="YYYY-MM")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Default: 整改工作月度通报-YYYY-MM.docx in the current folder.")
@round_option("every round (the city-wide bulletin)")
@USER_OPTION
def bulletin(month: str, output: Path | None, round_name: str, username: str | None) -> None:
    engine = _engine_for_data()
    try:
        content = engine.reporting.bulletin(_as(engine, username), month, _round_id(engine, round_name))
    except InvalidSubmission as exc:
        raise click.BadParameter("; ".join(exc.errors.get("month", [str(exc)])), param_hint="--month") from None
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    target = output or Path(f"整改工作月度通报-{month}.docx")
    target.write_bytes(content)
    click.echo(f"wrote {target}")


@main.command("import-target-values", help="Enter environmental indicators' monthly values from an .xlsx file.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@USER_OPTION
def import_target_values(file: Path, username: str | None) -> None:
    engine = _engine_for_data()
    with refused_file(file):
        result = engine.targets.import_values(_as(engine, username), file.read_bytes())
    click.echo(f"{result.changed} value(s) stored, {result.unchanged} unchanged")


@contextmanager
def refused_file(file: Path) -> Iterator[None]:
    """A file refused as a whole: every problem listed, exit 1; another refusal: one line, no traceback."""
    try:
        yield
    except ImportRejected as exc:
        click.echo(f"{file}: {exc}", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None


@main.group(help="The holiday and make-up-day table (节假日表) for years the statutory calendar does not cover.")
def holidays() -> None:
    pass


@holidays.command("import", help="Add the days of a .csv or .xlsx (日期, 类型 holiday/workday, 名称); a day already "
                                 "in the table is replaced. Every bad row is listed and then nothing is imported.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@USER_OPTION
def import_holidays(file: Path, username: str | None) -> None:
    engine = _engine_for_data()
    with refused_file(file):
        count = engine.holidays.import_file(_as(engine, username), file.read_bytes(), file.name)
    click.echo(f"{count} day(s) imported into the holiday table")


if __name__ == "__main__":
    main()


@main.command(help="Issue a task's official document (公文) with the next 文号 and write it as .docx.")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.option("--task", "code", required=True, metavar="CODE", help="The task's code, e.g. 1-1.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Default: <kind>-<文号>.docx in the current folder.")
@round_option("the current round")
@USER_OPTION
def document(kind: str, code: str, output: Path | None, round_name: str, username: str | None) -> None:
    engine = _engine_for_data()
    actor = _as(engine, username)
    try:
        issued = engine.documents.issue(actor, kind, engine.documents.task_id(actor, code,
                                                                           _round_id(engine, round_name)))
        path, _ = engine.documents.docx(actor, issued.id)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    target = output or Path(f"{KINDS[kind].name}-{issued.number}.docx")
    target.write_bytes(path.read_bytes())
    click.echo(f"issued {issued.number}, wrote {target} (SHA-256 {issued.sha256})")


main.add_command(cli_processes.deploy)
main.add_command(cli_processes.migrate)

from webui.cli_tokens import token  # noqa: E402 (the token commands live beside, importing this module lazily)

main.add_command(token)
