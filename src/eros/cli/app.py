"""The `eros` Typer application: registers every command group and turns errors into exit codes."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from eros.errors import ErosError

app = typer.Typer(
    name="eros",
    help="EROS: weekly send schedules for creator agencies, and the rollout machinery around them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)


def _register() -> None:
    """Attach every command group once (tests and `main` both call this)."""
    if app.registered_commands or app.registered_groups:
        return
    # Deferred on purpose: importing the app stays cheap; the command modules load when it runs.
    from eros.cli import (  # noqa: PLC0415 - deferred on purpose, see above
        data_commands,
        db_commands,
        generate_commands,
        keys_commands,
        mcp_commands,
        ops_commands,
        reflect_commands,
        rollout_commands,
        schedule_commands,
        validate_commands,
    )

    for module in (
        db_commands,
        data_commands,
        generate_commands,
        ops_commands,
        mcp_commands,
        schedule_commands,
        validate_commands,
        rollout_commands,
        reflect_commands,
        keys_commands,
    ):
        module.register(app)


def main() -> None:
    """Console-script entry point: an ErosError prints its code and sentence and exits 2."""
    _register()
    try:
        app()
    except ErosError as exc:
        err_console.print(f"[bold red]error[/] [{exc.code}] {exc.message}")
        sys.exit(2)
