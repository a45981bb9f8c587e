"""`duban token create USERNAME --scope read|write`: a personal access token issued by the operator for a person
(another system's account, say); the secret is printed once and kept nowhere."""
from __future__ import annotations

import click

from engine.core.errors import DomainError
from engine.features.tokens.forms import MAX_DAYS, SCOPES


@click.group(help="Personal access tokens for the JSON API (/api/v1).")
def token() -> None:
    pass


@token.command("create", help="Issue a token for USERNAME and print its secret (shown this once only).")
@click.argument("username")
@click.option("--scope", type=click.Choice(list(SCOPES)), required=True, help="read, or write (also does work).")
@click.option("--name", default="", help="What the token is for (default: issued at the command line).")
@click.option("--days", type=click.IntRange(1, MAX_DAYS), default=None, help="Valid for this many days (default: "
              "until revoked).")
def create(username: str, scope: str, name: str, days: int | None) -> None:
    from webui.cli import _engine_for_data, cli_actor

    engine = _engine_for_data()
    data = {"name": name or "命令行签发", "scope": scope, "expires_days": days}
    try:
        issued = engine.tokens.issue(cli_actor(), username, data)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(issued.secret)
    click.echo(f"token {issued.prefix}… ({issued.scope}) for {username}: keep the line above, it is not shown again",
               err=True)
