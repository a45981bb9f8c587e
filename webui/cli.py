"""The `duban` command: init, demo, serve, validate, create-user, unlock-user, audit verify, backup, restore."""
from __future__ import annotations

import getpass
import os
import sys
from datetime import datetime
from pathlib import Path

import click

from engine.actor import SYSTEM_ROLE, Actor
from engine.errors import ConfigError, DomainError, InvalidSubmission


def _app(**config):  # type: ignore[no-untyped-def]
    from webui import create_app

    try:
        return create_app(config or None)
    except (ConfigError, ValueError) as exc:  # a wrong workflow, roles.yaml or setting: say which, no traceback
        raise click.ClickException(str(exc)) from None


@click.group(help="duban: supervision of rectification tasks after an environmental inspection.")
def main() -> None:
    pass


@main.command(help="Create or update the database schema, units and deployed workflows.")
def init() -> None:
    engine = _app().extensions["duban"]
    added = engine.init_database()
    click.echo(f"database ready: {engine.db.url}")
    for version in added:
        click.echo(f"deployed {version}")


@main.command(help="Load the demo city (35 tasks, units, one account per role) unless it is there already.")
def demo() -> None:
    from engine.demo import DEMO_PASSWORD, load_demo

    engine = _app().extensions["duban"]
    engine.init_database()
    logins, created = load_demo(engine)
    click.echo("demo city " + ("created" if created else "already present") + f" in {engine.db.url}")
    click.echo(f"demo logins (password for all: {DEMO_PASSWORD}):")
    for username, description in logins:
        click.echo(f"  {username:<14} {description}")


@main.command(help="Serve the web UI (waitress).")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option("--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int, show_default="5000")
@click.option("--threads", default=8, show_default=True)
def serve(host: str, port: int, threads: int) -> None:
    from waitress import serve as waitress_serve

    from webui.sweeper import start_sweeper

    app = _app()
    engine = app.extensions["duban"]
    engine.init_database()
    sweeper = start_sweeper(engine)
    every = f"every {engine.settings.sweep_seconds} s" if sweeper else "off (DUBAN_SWEEP_SECONDS=0)"
    click.echo(f"duban is serving on http://{host}:{port}  (timer sweep {every}; Ctrl+C to stop)")
    waitress_serve(app, host=host, port=port, threads=threads)


@main.command(help="Fire every timer due now (or at --now), then exit. Safe to run beside the web server.")
@click.option("--now", "now_text", default=None, metavar="ISO-DATETIME",
              help="Act as if it were this instant, e.g. 2026-12-06T00:30:00+08:00 (naive = Beijing time).")
def tick(now_text: str | None) -> None:
    from engine.clock import LOCAL_TZ, FakeClock

    config = {}
    if now_text:
        try:
            instant = datetime.fromisoformat(now_text)
        except ValueError:
            raise click.BadParameter(f"not an ISO date-time: {now_text!r}", param_hint="--now") from None
        config["DUBAN_CLOCK"] = FakeClock(instant if instant.tzinfo else instant.replace(tzinfo=LOCAL_TZ))
    engine = _app(**config).extensions["duban"]
    if not engine.db.schema_is_current():
        raise click.ClickException("the database is not initialised or not up to date: run `duban init` first")
    engine.init_database()
    result = engine.fire_due_timers()
    click.echo(f"{engine.clock.now().isoformat(timespec='seconds')}: {result}")
    if result.failed:
        sys.exit(2)


@main.command(help="Check BPMN files the way start-up does; exit 1 and name the problem if one is wrong.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--roles", "roles_file", type=click.Path(path_type=Path), default=None,
              help="roles.yaml to check lanes against (default: the project's).")
def validate(files: tuple[Path, ...], roles_file: Path | None) -> None:
    from engine.bpmn.loader import load_file
    from engine.clock import SystemClock
    from engine.roles import load_roles
    from engine.service import build_vocabulary
    from engine.settings import Settings
    from webui import PROJECT_ROOT
    from webui.forms import FORMS

    try:
        roles = load_roles(roles_file or PROJECT_ROOT / "roles.yaml")
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    vocabulary = build_vocabulary(roles, SystemClock(), Settings(), FORMS.keys())
    failures = 0
    for path in files:
        try:
            definitions = load_file(path, vocabulary)
        except ConfigError as exc:
            failures += 1
            click.echo(f"error: {exc}", err=True)
        else:
            click.echo(f"ok: {path}: " + ", ".join(d.process_id for d in definitions))
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
        engine.create_user(cli_actor(), username=username, password=password, display_name=display_name,
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
    user_id = engine.user_id(username)
    if user_id is None:
        raise click.ClickException(f"no user {username!r}")
    try:
        engine.unlock_user(cli_actor(), user_id)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"unlocked {username}")


@main.group(help="The audit trail (全程留痕).")
def audit() -> None:
    pass


@audit.command("verify", help="Walk the hash chain; exit 1 naming the first broken or missing link.")
@click.option("--anchor", "anchors", multiple=True, metavar="SEQ:HASH",
              help="A seq and hash noted earlier (e.g. printed by a previous verify); must still match.")
def audit_verify(anchors: tuple[str, ...]) -> None:
    from engine.audit import verify_chain

    engine = _app().extensions["duban"]
    with engine.db.transaction(write=False) as session:
        report = verify_chain(session, _anchors(anchors))
    if not report.ok:
        click.echo(f"audit chain BROKEN at event #{report.at_seq}: {report.problem}", err=True)
        click.echo(f"the {report.events} events before it are intact (up to #{report.head_seq})", err=True)
        sys.exit(1)
    click.echo(f"audit chain intact: {report.events} events; head #{report.head_seq} {report.head_hash}")


def _anchors(values: tuple[str, ...]) -> dict[int, str]:
    anchors = {}
    for value in values:
        seq, _, digest = value.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise click.BadParameter(f"{value!r} is not SEQ:HASH (a number, a colon, 64 hex digits)")
        anchors[int(seq)] = digest
    return anchors


@main.command(help="Write a consistent snapshot of the database to PATH while the site keeps running.")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
def backup(path: Path) -> None:
    from engine.backup import BackupError
    from engine.backup import backup as take_backup

    engine = _app().extensions["duban"]
    try:
        report = take_backup(engine.db, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written: {report.path} ({report.size} bytes); audit chain intact: "
               f"{report.chain.events} events, head #{report.chain.head_seq} {report.chain.head_hash}")


@main.command(help="Restore a backup written by `duban backup` into an empty database.")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
def restore(path: Path) -> None:
    from engine.backup import BackupError
    from engine.backup import restore as restore_backup

    engine = _app().extensions["duban"]
    try:
        report = restore_backup(engine.db, path, engine.clock, cli_actor())
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {path} into {engine.db.url}; audit chain intact: {report.chain.events} events, "
               f"head #{report.chain.head_seq} {report.chain.head_hash}")


if __name__ == "__main__":
    main()
