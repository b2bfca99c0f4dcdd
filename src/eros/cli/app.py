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
    from eros.cli import db_commands

    db_commands.register(app)
    from eros.cli import data_commands

    data_commands.register(app)
    from eros.cli import generate_commands

    generate_commands.register(app)
    from eros.cli import ops_commands

    ops_commands.register(app)
    from eros.cli import mcp_commands, schedule_commands

    mcp_commands.register(app)
    schedule_commands.register(app)
    from eros.cli import validate_commands

    validate_commands.register(app)
    from eros.cli import rollout_commands

    rollout_commands.register(app)
    from eros.cli import reflect_commands

    reflect_commands.register(app)


def main() -> None:
    """Console-script entry point: an ErosError prints its code and sentence and exits 2."""
    _register()
    try:
        app()
    except ErosError as exc:
        err_console.print(f"[bold red]error[/] [{exc.code}] {exc.message}")
        sys.exit(2)
