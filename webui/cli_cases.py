"""`duban import-cases`: a batch of complaint cases (第N批) from the inspection group's spreadsheet, all or nothing,
after printing how each row was read (the same reading as the web page's preview)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.core.errors import DomainError
from engine.core.spreadsheet import ImportRejected
from engine.features.reporting.case_import import CasePreview
from webui.cli_ledger import clipped


def preview_lines(preview: CasePreview) -> list[str]:
    lines = [f"第 {case.row} 行  {case.case.number}  {case.case.category.label}  {case.unit_name}  "
             f"{case.case.reply_due}  {clipped(case.case.content, 30)}" for case in preview.cases]
    lines += [f"第 {case.row} 行 注意：{warning}" for case in preview.cases for warning in case.warnings]
    lines.append(f"「{preview.round_name}」第{preview.batch_number}批：{len(preview.cases)} 件，"
                 f"问题 {len(preview.problems)} 处")
    return lines


@click.command("import-cases", help="Import a batch of complaint cases (.xlsx, .xls or .csv) as the round's next "
                                    "batch, all or nothing, each case handed to its unit.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Only print how the file is read; import nothing.")
@click.option("--round", "round_name", default="", metavar="NAME", help="The inspection round; default: the latest.")
@click.option("--user", "username", default=None, metavar="USERNAME",
              help="Act as this account (its permissions); default: the operator.")
def import_cases(file: Path, check: bool, round_name: str, username: str | None) -> None:
    from webui.cli import _as, _engine_for_data

    engine = _engine_for_data()
    actor, content = _as(engine, username), file.read_bytes()
    try:
        preview = engine.case_import.preview(actor, content, round_name)
        click.echo("\n".join(preview_lines(preview)))
        if preview.problems:
            raise ImportRejected(preview.problems)
        if check:
            click.echo(f"would import {len(preview.cases)} case(s) as batch {preview.batch_number}")
            return
        batch = engine.case_import.import_batch(actor, content, file.name, round_name)
    except ImportRejected as exc:
        click.echo(f"{file}: {exc}", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"imported batch {batch.number}: {batch.cases} case(s), each handed to its unit")
