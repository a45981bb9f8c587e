"""The `--round NAME` option of the commands that act on one inspection round's tasks."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from engine.app import Duban
from engine.core.errors import DomainError


def round_option(default: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--round", "round_name", default="", metavar="NAME",
                        help=f"The inspection round (督察批次) by its name; default: {default}.")


def round_id(engine: Duban, name: str) -> int | None:
    """The round named on the command line, or None when none is named."""
    if not name:
        return None
    try:
        return engine.rounds.named(name)
    except DomainError as exc:
        raise click.BadParameter(str(exc), param_hint="--round") from None
