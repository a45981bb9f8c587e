"""`duban holidays import FILE`: the administrators' holiday and make-up-day table, from a .csv or .xlsx."""
from __future__ import annotations

from pathlib import Path

import click

#: the commands that act for a person; cli.py's too
USER_OPTION = click.option("--user", "username", default=None, metavar="USERNAME",
                           help="Act as this account (its permissions and scope); default: the operator, all tasks.")


@click.group(help="The holiday and make-up-day table (节假日表) for years the statutory calendar does not cover.")
def holidays() -> None:
    pass


@holidays.command("import", help="Add the days of a .csv or .xlsx (日期, 类型 holiday/workday, 名称); a day already "
                                 "in the table is replaced. Every bad row is listed and then nothing is imported.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@USER_OPTION
def import_holidays(file: Path, username: str | None) -> None:
    from webui.cli import _as, _engine_for_data, refused_file

    engine = _engine_for_data()
    with refused_file(file):
        count = engine.holidays.import_file(_as(engine, username), file.read_bytes(), file.name)
    click.echo(f"{count} day(s) imported into the holiday table")
