"""`eros reflect [--yes] | status | on | off | deprecate ID --reason TEXT` (the seed's `/reflect`).

    eros reflect                 # capture new signals, show the learnings they propose (writes nothing)
    eros reflect --yes           # write them to LEARNINGS.md, mark the signals processed, git commit
    eros reflect --yes --reject ID   # … without a proposal the reviewer judged wrong
    eros reflect --if-enabled --yes   # the same, only when auto-reflection is on (for cron / session end)
    eros reflect status          # runbook §9 statistics, pending signals, auto-reflection
    eros reflect on|off          # the auto-reflection switch (an audited flag override)
    eros reflect deprecate ID --reason TEXT
    eros reflect lint [FILE] [--json]   # every problem of LEARNINGS.md with its line

The file is EROS_LEARNINGS_PATH (default ./LEARNINGS.md). Exit codes: 0 ok, 2 an ErosError
(LEARNINGS_INVALID, LEARNING_NOT_FOUND, REFLECT_GIT_FAILED, REFLECT_BUSY, …); `lint` exits 1
when the file has problems.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from eros.bootstrap import bootstrap, learning_loop
from eros.cli.database import configured
from eros.cli.ops_commands import acting_user
from eros.db.faults import SQL_INT_MAX
from eros.learning.document import render_learning
from eros.services.reflect import outcome_document

console = Console()

reflect_app = typer.Typer(help="The learning loop: signals → proposed learnings → LEARNINGS.md (git).")

JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]
ByOpt = Annotated[str, typer.Option("--by", help="Who makes the change (kept in the flag audit trail).")]


@reflect_app.callback(invoke_without_command=True)
def reflect(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Write LEARNINGS.md and commit it.")] = False,
    if_enabled: Annotated[
        bool, typer.Option("--if-enabled", help="Do nothing unless auto-reflection is on.")
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, max=SQL_INT_MAX, help="Reflect on at most this many pending signals."),
    ] = None,
    reject: Annotated[
        list[str] | None,
        typer.Option("--reject", help="Drop this proposed learning (id or prefix); repeatable."),
    ] = None,
    as_json: JsonOpt = False,
    by: ByOpt = "",
) -> None:
    """Capture new signals and propose learnings from the pending ones; --yes writes and commits
    (the commit names who accepted them: --by, else the login name)."""
    if ctx.invoked_subcommand is not None:
        return
    loop = learning_loop(configured())
    if if_enabled and not loop.auto_enabled():
        console.print("auto-reflection is off; nothing done (eros reflect on)")
        return
    outcome = loop.run_reflect(write=yes, limit=limit, reject=reject or (), actor=acting_user(by))
    if as_json:
        typer.echo(json.dumps(outcome_document(outcome), indent=2, sort_keys=True))
        return
    r = outcome.reflection
    if not r.signal_ids:
        console.print("No signals found (run schedules with `eros run`, edit or complete weeks first).")
        return
    console.print(
        f"{len(r.signal_ids)} pending signal(s) ({outcome.captured} newly captured); "
        f"{len(r.proposals)} proposal(s), {len(r.confirmed)} confirmed, {len(r.suppressed)} suppressed "
        f"(deprecated), {r.unmapped} without a learnable rule"
        + (f", {len(r.rejected)} refused (text that cannot be written)." if r.rejected else ".")
    )
    for proposal in r.proposals:
        before = f" (was {proposal.previous.learning.confidence})" if proposal.previous else ""
        console.rule(f"{proposal.action.upper()} {proposal.entry.learning.confidence}{before}")
        console.print(render_learning(proposal.entry), markup=False, highlight=False)
    if not yes and not r.proposals:
        console.print("No learnings proposed; `eros reflect --yes` marks these signals processed.")
    elif not yes:
        console.print("Nothing written. Review, then `eros reflect --yes` to write and commit.")
    elif outcome.written:
        console.print(f"Wrote {outcome.path}; commit {outcome.commit or '(no change)'}.")
    else:
        console.print("Signals marked processed; LEARNINGS.md unchanged.")


@reflect_app.command("status")
def status(as_json: JsonOpt = False) -> None:
    """LEARNINGS.md statistics (by_confidence, by_source, last_7_days) and pending signals."""
    result = learning_loop(configured()).status()
    stats = result.statistics
    if as_json:
        document = result.as_dict()
        typer.echo(json.dumps(document, indent=2, sort_keys=True))
        return
    console.print(f"{result.path} Statistics:", markup=False)
    for line in stats.lines():
        console.print(f"  {line}", markup=False, highlight=False)
    pending = ", ".join(f"{k}: {v}" for k, v in sorted(result.pending.items())) or "none"
    console.print(f"  pending_signals: {{ {pending} }}", markup=False, highlight=False)
    console.print(f"  auto_reflect: {'on' if result.auto_reflect else 'off'}", markup=False)


@reflect_app.command("on")
def on(by: ByOpt = "", reason: Annotated[str | None, typer.Option("--reason")] = None) -> None:
    """Turn auto-reflection on (`eros reflect --if-enabled` then reflects)."""
    learning_loop(configured()).set_auto(True, actor=acting_user(by), reason=reason)
    console.print("auto-reflection: on")


@reflect_app.command("off")
def off(by: ByOpt = "", reason: Annotated[str | None, typer.Option("--reason")] = None) -> None:
    """Turn auto-reflection off (runbook rollback step 1)."""
    learning_loop(configured()).set_auto(False, actor=acting_user(by), reason=reason)
    console.print("auto-reflection: off")


@reflect_app.command("deprecate")
def deprecate(
    learning_id: Annotated[str, typer.Argument(help="The learning's id (or a unique prefix of it).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is withdrawn (one line).")],
    by: ByOpt = "",
) -> None:
    """Move a learning to Deprecated with its reason, and commit naming who did (runbook §9 Option A)."""
    entry, commit = learning_loop(bootstrap()).deprecate(learning_id, reason, actor=acting_user(by))
    console.print(f"Deprecated {entry.learning.id}; commit {commit or '(no change)'}.", markup=False)


@reflect_app.command("lint")
def lint(
    file: Annotated[
        Path | None,
        typer.Argument(help="The file to check (default: EROS_LEARNINGS_PATH).", show_default=False),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Every problem of LEARNINGS.md with its line: exit 0 clean, 1 with problems, 2 unreadable."""
    loop = learning_loop(bootstrap())
    path = file or loop.learnings_path
    reading = loop.lint(path)
    if as_json:
        document = {
            "path": str(path),
            "ok": reading.ok,
            "learnings": len(reading.document.entries),
            "skipped": [{"line": line, "heading": heading} for line, heading in reading.skipped],
            "problems": [p.as_dict() for p in reading.problems],
        }
        typer.echo(json.dumps(document, indent=2, sort_keys=True))
    else:
        for problem in reading.problems:
            where = f"{path}:{problem.line}" if problem.line else str(path)
            console.print(f"{where}: {problem.message}", markup=False, highlight=False)
        skipped = f", {len(reading.skipped)} learning(s) skipped for generation" if reading.skipped else ""
        verdict = "ok" if reading.ok else f"{len(reading.problems)} problem(s){skipped}"
        console.print(f"{path}: {len(reading.document.entries)} valid learning(s); {verdict}", markup=False)
    if not reading.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(reflect_app, name="reflect")
