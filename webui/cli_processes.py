"""`duban deploy` and `duban migrate`: a BPMN file deployed as new versions (shown as a diff first), and the running
instances of a process moved onto a version (or, with --dry-run, which could move and which could not, and why)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from engine.core.errors import DomainError, InvalidSubmission
from engine.features.processes.versions import MigrationPage, MigrationReport

if TYPE_CHECKING:
    from engine.workflow.versions import VersionDiff

USER = click.option("--user", "username", default=None, metavar="USERNAME",
                    help="Act as this account (it needs process.manage); default: the operator.")


def diff_lines(diffs: list[VersionDiff]) -> list[str]:
    """Each process of the file against the version it would follow: + added, - removed, ~ changed steps."""
    lines = []
    for diff in diffs:
        title = f"{diff.name} ({diff.process_id})"
        if not diff.is_new():
            lines.append(f"{title}: unchanged, deployed as version {diff.same_as}")
            continue
        against = f", against version {diff.from_number}" if diff.from_number else " (first version)"
        lines.append(f"{title}: version {diff.number}{against}")
        lines += [f"  + {change.bpmn_id} {change.name}" for change in diff.added]
        lines += [f"  - {change.bpmn_id} {change.name}" for change in diff.removed]
        lines += [f"  ~ {change.bpmn_id} {change.name}: {', '.join(change.what)}"
                  + (f" (was {change.was})" if change.was else "") for change in diff.changed]
    return lines


def migration_lines(report: MigrationReport) -> list[str]:
    verb = "can move" if report.dry_run else "moved"
    lines = [f"{report.name} ({report.process_id}) onto version {report.number}"
             + (" (dry run: nothing changes)" if report.dry_run else "")]
    for row in report.rows:
        where = f"#{row.instance_id} {row.task_code or '-'} {row.business_key}".rstrip()
        if row.can_move():
            waits = "、".join(row.waiting) or "-"
            lines.append(f"  {verb:<8} {where} (version {row.from_number}) -> waits at: {waits}")
        else:
            lines.append(f"  {'refused':<8} {where} (version {row.from_number}): {'；'.join(row.reasons)}")
    lines.append(f"{len(report.movable)} {verb}, {len(report.refused)} cannot move and stay on their version")
    return lines


def first_lines(page: MigrationPage) -> list[str]:
    """A dry run's first instances, and the counts over all of them."""
    lines = migration_lines(page.report)[:-1]
    lines.append(f"{len(page.report.rows)} listed of {page.movable + page.refused}: {page.movable} can move, "
                 f"{page.refused} cannot move and stay on their version")
    return lines


@click.command(help="Deploy a BPMN file: check it as start-up does, print what changes against the running "
                    "version of each process, and store the changed ones as new versions (audited).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Only check the file and print the diff; deploy nothing.")
@USER
def deploy(file: Path, check: bool, username: str | None) -> None:
    from webui.cli import _as, _engine_for_data

    engine = _engine_for_data()
    actor = _as(engine, username)
    try:
        diffs = engine.versions.preview(actor, file.name, file.read_bytes())
        for line in diff_lines(diffs):
            click.echo(line)
        if not check:
            deployed = engine.versions.deploy(actor, file.name, file.read_bytes())
            click.echo("deployed " + ", ".join(f"{diff.process_id} version {diff.number}" for diff in deployed))
    except InvalidSubmission as exc:
        raise click.ClickException("; ".join(str(m) for ms in exc.errors.values() for m in ms)) from None
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None


@click.command(help="Move the running instances of PROCESS onto version --to, each all or nothing; print those "
                    "that moved and those that cannot, with why.")
@click.argument("process")
@click.option("--to", "number", type=int, required=True, metavar="VERSION", help="The version number.")
@click.option("--dry-run", is_flag=True, help="Only say which instances can move and which cannot; change nothing.")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="With --dry-run: list only the first N instances (the counts are still over all of them).")
@USER
def migrate(process: str, number: int, dry_run: bool, limit: int | None, username: str | None) -> None:
    from webui.cli import _as, _engine_for_data

    if limit is not None and not dry_run:
        raise click.UsageError("--limit goes with --dry-run: a migration moves every instance it can")
    engine = _engine_for_data()
    try:
        actor = _as(engine, username)
        if limit is not None:
            lines = first_lines(engine.versions.migration_page(actor, process, number, per_page=limit))
        else:
            lines = migration_lines(engine.versions.migrate(actor, process, number, dry_run=dry_run))
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    for line in lines:
        click.echo(line)
