"""`eros db …`: create, migrate and describe the database."""

from __future__ import annotations

import typer

db_app = typer.Typer(help="Create, migrate and inspect the database.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
