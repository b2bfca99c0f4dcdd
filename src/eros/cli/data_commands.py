"""`eros analyze | import | demo`: bring data in and derive what the scheduler reads from it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from eros.bootstrap import bootstrap, new_database_engine
from eros.cli.database import configured
from eros.cli.db_commands import print_summary, read_summary
from eros.cli.generate_commands import MAX_JOBS, generate
from eros.db.analyze import CreatorAnalysis, analyze_all, analyze_creator
from eros.db.importer import ImportKind, import_path
from eros.db.sample import ensure_sample_database
from eros.errors import InvalidInput

console = Console()


def _print_analyses(analyses: list[CreatorAnalysis]) -> None:
    table = Table(title=f"Analysed {len(analyses)} creator(s)")
    for column in (
        "creator",
        "tier",
        "MM revenue",
        "source",
        "top types",
        "avoid types",
        "triggers new/updated",
    ):
        table.add_column(column)
    for a in analyses:
        table.add_row(
            a.page_name,
            a.tier.value,
            f"${a.mm_revenue.amount:,.2f}",
            a.mm_revenue.source.value,
            ", ".join(a.top_types) or "—",
            ", ".join(a.avoid_types) or "—",
            f"{len(a.triggers.created_ids)}/{len(a.triggers.updated_ids)}",
        )
    console.print(table)


def analyze(
    creator: Annotated[
        str | None, typer.Argument(help="Creator id or page name.", show_default=False)
    ] = None,
    all_creators: Annotated[bool, typer.Option("--all", help="Every active creator.")] = False,
) -> None:
    """Recompute rankings, tier (with hysteresis) and volume triggers from the last 90 days of history."""
    if (creator is None) == (not all_creators):
        raise InvalidInput("Give one creator or --all (not both).")
    container = configured()
    now = container.clock.now()
    with container.uow() as uow:
        conn = uow.connection
        analyses = analyze_all(conn, now) if all_creators else [analyze_creator(conn, str(creator), now)]
        uow.commit()
    _print_analyses(analyses)


def import_command(
    source: Annotated[
        str,
        typer.Argument(
            help="A directory of CSV files, one CSV file, or a kind (creators, vault, captions, history, "
            "content_types) followed by the file.",
            show_default=False,
        ),
    ],
    file: Annotated[
        Path | None, typer.Argument(help="The CSV file when SOURCE is a kind.", show_default=False)
    ] = None,
    analyze_after: Annotated[
        bool,
        typer.Option("--analyze/--no-analyze", help="Recompute rankings, tiers and triggers after history."),
    ] = True,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Replace an existing creator's whole row (columns the file lacks go back to their "
            "defaults); without it only the columns the file has values for are updated.",
        ),
    ] = False,
) -> None:
    """Import an agency's CSV files in one transaction; a bad row is named by row and nothing is written.

    Files may be UTF-8 (with or without a byte-order mark) or UTF-16 (Excel's "Unicode text"),
    comma- or tab-separated."""
    kinds = {k.value: k for k in ImportKind}
    if source in kinds or source == "mass_messages":
        if file is None:
            raise InvalidInput(f"Give the CSV file: eros import {source} FILE.csv")
        kind: ImportKind | None = kinds.get(source, ImportKind.HISTORY)
        path = file
    else:
        if file is not None:
            raise InvalidInput(f"{source!r} is not a kind ({', '.join(kinds)}); give one directory or file")
        kind, path = None, Path(source)
    container = configured()
    if not path.exists():
        raise InvalidInput(f"{path} does not exist", code="IMPORT_FILE_UNREADABLE")
    report = import_path(
        container.engine, path, container.clock.now(), kind=kind, analyze=analyze_after, replace=replace
    )
    table = Table(title="Imported")
    for column in ("file", "kind", "inserted", "updated", "skipped (duplicates)"):
        table.add_column(column)
    for f in report.files:
        table.add_row(f.path.name, f.kind.value, str(f.inserted), str(f.updated), str(f.skipped))
    console.print(table)
    if report.analyzed:
        _print_analyses(report.analyzed)


def demo(
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, max=MAX_JOBS, help="Creators generated at once.")
    ] = 2,
) -> None:
    """The README's main job: build the sample if there is none (EROS_DB_PATH, default ./eros.db),
    summarise it, then generate next week for every active creator."""
    container = bootstrap()
    engine = new_database_engine(container)
    if ensure_sample_database(engine, container.clock):
        console.print(f"[green]Built the sample agency[/] as of {container.clock.now().date().isoformat()}.")
    else:
        console.print("Using the existing database.")
    print_summary(read_summary(container.uow))
    generate(all_creators=True, jobs=jobs)


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
    app.command("import")(import_command)
    app.command("demo")(demo)
