"""`eros db …`: create, migrate and describe the database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from eros.bootstrap import Container, bootstrap, new_database_engine
from eros.cli.database import configured
from eros.db.engine import (
    create_schema,
    database_exists,
    drop_database,
    make_private,
    sqlite_path,
    upgrade,
)
from eros.db.sample import DEFAULT_SEED, build_sample, seed_content_types
from eros.db.sample_scaled import build_scaled_sample, check_creators_total
from eros.db.summary import NO_TIER, DatabaseSummary, summarise
from eros.db.swap import build_beside
from eros.db.unit_of_work import SqlUnitOfWork
from eros.errors import ConfigError, DatabaseCorrupt, ErosError
from eros.rules.tiers import TIER_ORDER
from eros.rules.timing import checked_date
from eros.validation.certificate import key_fingerprint

db_app = typer.Typer(help="Create, migrate and inspect the database.", no_args_is_help=True)
console = Console()


def _as_of(value: str | None, container: Container) -> date:
    if value is None:
        return container.clock.now().date()
    return checked_date(value, "--as-of")


def _existing(engine: Engine, *, force: bool) -> bool:
    """Whether there is a database to replace; a damaged one counts when --force replaces it."""
    try:
        return database_exists(engine)
    except DatabaseCorrupt:
        if not force:
            raise
        return True


@db_app.command("init")
def init(
    sample: Annotated[bool, typer.Option("--sample", help="Fill it with the sample agency.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sample.")] = DEFAULT_SEED,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Sample history ends the day before (YYYY-MM-DD; default today)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing database.")] = False,
    creators_total: Annotated[
        int | None,
        typer.Option(
            "--creators",
            help="With --sample: this many creators, the 37 named ones and generated ones (at least 37).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create the database (schema, send types, content types), its signing key file (unless
    EROS_SIGNING_KEY is set), optionally the sample.

    With --force an SQLite database is rebuilt beside the old one and swapped in only when complete,
    so a failure half-way leaves the old one intact.
    """
    if creators_total is not None and not sample:
        raise ErosError("--creators needs --sample", code="USAGE_ERROR")
    if creators_total is not None:
        check_creators_total(creators_total)
    container = bootstrap()
    day = _as_of(as_of, container)
    fill = partial(_fill, container, sample=sample, seed=seed, as_of=day, creators_total=creators_total)
    url = container.settings.db_url
    if _existing(container.engine, force=force):
        if not force:
            raise ConfigError(
                "A database already exists here; use --force to replace it (its data will be lost).",
                code="DB_EXISTS",
            )
        container.engine.dispose()
        path = sqlite_path(url)
        if path is not None:
            build_beside(path, fill)
        else:  # a database server has no file to build beside: drop, then build in place
            drop_database(url)
            fill(new_database_engine(container))
        engine = container.engine
    else:
        engine = new_database_engine(container)
        fill(engine)
    keys = bootstrap(container.settings, container.clock, engine).signing_keys
    if not keys.from_environment:
        ring = keys.ensure()
        console.print(f"Signing key in {keys.key_path} (fingerprint {key_fingerprint(ring.current)})")
    console.print(f"[green]Created[/] the database at {engine.url.render_as_string(hide_password=True)}")
    print_summary(read_summary(partial(SqlUnitOfWork, engine)))
    engine.dispose()  # close the pooled connections: nothing of the build stays open


def _fill(
    container: Container,
    engine: Engine,
    *,
    sample: bool,
    seed: int,
    as_of: date,
    creators_total: int | None = None,
) -> None:
    """Schema and send types, then the sample (scaled to `creators_total`) or the content-type dictionary."""
    create_schema(engine)
    if sample and creators_total is not None:
        build_scaled_sample(engine, creators_total=creators_total, seed=seed, as_of=as_of)
    elif sample:
        build_sample(engine, seed=seed, as_of=as_of)
    else:
        with SqlUnitOfWork(engine) as uow:
            seed_content_types(uow.connection)
            uow.commit()


@db_app.command("upgrade")
def upgrade_command() -> None:
    """Migrate the database schema to the newest version (Alembic), make its files owner-only, and
    move a signing key still kept in the database into the key file."""
    container = configured()
    engine = container.engine
    upgrade(engine)
    make_private(engine)
    if container.signing_keys.move_legacy_key():
        console.print(f"Moved the signing key out of the database into {container.signing_keys.key_path}.")
    console.print("[green]Schema is up to date.[/]")


@db_app.command("summary")
def summary() -> None:
    """Creators per tier and page type, and rows per table."""
    print_summary(read_summary(configured().uow))


def read_summary(uow: Callable[[], SqlUnitOfWork]) -> DatabaseSummary:
    with uow() as unit:
        return summarise(unit.connection)


def print_summary(summary: DatabaseSummary) -> None:
    """Two Rich tables: active creators by tier × page type, and the row count of every table."""
    grid = Counter(summary.active_creators.values())
    by_tier = Table(title=f"Active creators: {len(summary.active_creators)}")
    for column in ("tier", "paid", "free", "total"):
        by_tier.add_column(column, justify="left" if column == "tier" else "right")
    for tier in [t.value for t in TIER_ORDER] + ([NO_TIER] if any(k[0] == NO_TIER for k in grid) else []):
        paid, free = grid[(tier, "paid")], grid[(tier, "free")]
        by_tier.add_row(tier, str(paid), str(free), str(paid + free))
    rows = Table(title="Rows per table")
    rows.add_column("table")
    rows.add_column("rows", justify="right")
    for name in sorted(summary.row_counts):
        rows.add_row(name, str(summary.row_counts[name]))
    console.print(by_tier)
    console.print(rows)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
