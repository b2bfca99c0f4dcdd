"""`eros users add | list | disable | enable` and `eros tokens create | list | revoke`: who may use
the web app and `/mcp`, and with which role. Every change is audited with `--by`.

A password is never a command-line argument (it would sit in the shell history and the process
list): it is read from `--password-file`, or standard input (asked twice on a terminal).
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from eros.access import Role
from eros.cli.database import configured
from eros.cli.ops_commands import ByOpt, acting_user
from eros.errors import InvalidInput
from eros.services import auth

users_app = typer.Typer(help="People who log in to the web app, and their roles.", no_args_is_help=True)
tokens_app = typer.Typer(
    help="API tokens for the JSON API and /mcp (shown once, stored hashed).", no_args_is_help=True
)
console = Console()
err_console = Console(stderr=True)

ROLE_HELP = "viewer, scheduler, operator or admin."
RoleOpt = Annotated[str, typer.Option("--role", help=ROLE_HELP)]


def read_password(password_file: Path | None) -> str:
    """The password from the file (its first line), a terminal (typed twice) or standard input."""
    if password_file is not None:
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"cannot read {password_file}: {exc}", code="FILE_NOT_FOUND") from None
        return lines[0] if lines else ""
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise InvalidInput("the two passwords differ", code="PASSWORD_MISMATCH")
        return first
    return sys.stdin.readline().rstrip("\r\n")


@users_app.command("list")
def users_list() -> None:
    """Every user, their role and whether they are disabled."""
    table = Table("name", "role", "disabled", "created", "by")
    for row in auth.list_users(configured().uow):
        table.add_row(
            row["name"], row["role"], "yes" if row["disabled"] else "no", row["created_at"], row["created_by"]
        )
    console.print(table)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The login name.")],
    role: RoleOpt,
    password_file: Annotated[
        Path | None, typer.Option("--password-file", help="Read the password from this file's first line.")
    ] = None,
    by: ByOpt = "",
) -> None:
    """Add a person (the password from --password-file or standard input, never an argument)."""
    parsed = Role.parse(role)
    password = read_password(password_file)
    container = configured()
    auth.add_user(container.uow, container.clock, name, parsed, password, by=acting_user(by))
    console.print(f"user {name} added as {parsed.value}")


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument()], by: ByOpt = "") -> None:
    """Stop a person logging in; their open sessions end at their next request."""
    container = configured()
    auth.set_user_disabled(container.uow, container.clock, name, True, by=acting_user(by))
    console.print(f"user {name} disabled")


@users_app.command("enable")
def users_enable(name: Annotated[str, typer.Argument()], by: ByOpt = "") -> None:
    """Let a disabled person log in again."""
    container = configured()
    auth.set_user_disabled(container.uow, container.clock, name, False, by=acting_user(by))
    console.print(f"user {name} enabled")


@tokens_app.command("list")
def tokens_list() -> None:
    """Every token's name, role, maker, last use and revocation (never the token)."""
    table = Table("name", "role", "created", "by", "last used", "revoked")
    for row in auth.list_tokens(configured().uow):
        table.add_row(
            row["name"],
            row["role"],
            row["created_at"],
            row["created_by"],
            row["last_used_at"] or "–",
            row["revoked_at"] or "–",
        )
    console.print(table)


@tokens_app.command("create")
def tokens_create(
    name: Annotated[str, typer.Argument(help="What the token is for.")], role: RoleOpt, by: ByOpt = ""
) -> None:
    """Make a token and print it once (only its hash is kept: copy it now)."""
    parsed = Role.parse(role)
    container = configured()
    token = auth.create_token(container.uow, container.clock, name, parsed, by=acting_user(by))
    err_console.print(f"token {name} ({parsed.value}) — shown once, store it now:")
    typer.echo(token)


@tokens_app.command("revoke")
def tokens_revoke(name: Annotated[str, typer.Argument()], by: ByOpt = "") -> None:
    """Revoke a token: every request carrying it is refused from now on."""
    container = configured()
    auth.revoke_token(container.uow, container.clock, name, by=acting_user(by))
    console.print(f"token {name} revoked")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
