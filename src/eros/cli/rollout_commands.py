"""`eros shadow report`, `eros rollout status|phases|advance|hold|abort|confirm|confirmations|report`,
`eros simulate rollout`.

Thin wrappers over the shadow, rollout and simulation services as `eros.bootstrap` wires
them. Exit codes: 0 ok,
1 the rehearsal ended short of full cutover or a sink refused the delivered shadow report,
2 bad input, refused advance or configuration (ErosError).
"""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from eros.bootstrap import (
    alert_manager,
    rehearsal,
    rehearsal_database,
    rehearsal_runners,
    rollout_manager,
)
from eros.cli.database import configured
from eros.cli.generate_commands import quiet_logging
from eros.cli.ops_commands import acting_user
from eros.control.cutover import ChecklistItem, V4Deprecation
from eros.control.phases import METRIC_DESCRIPTIONS, PHASES, Confirmation
from eros.control.shadow_diff import ShadowReport
from eros.rules.timing import checked_date
from eros.services.rollout import RolloutStatus, Transition
from eros.services.shadow import (
    ShadowDelivery,
    deliver_shadow_report,
    outcome_text,
    shadow_report,
)
from eros.services.simulation import (
    DEFAULT_DAYS,
    DaySummary,
    SimulationResult,
    parse_fault,
    rehearsal_roster,
    simulate_rollout,
)

console = Console()
err_console = Console(stderr=True)

ByOpt = Annotated[
    str | None, typer.Option("--by", help="Who acts (kept with the transition).", show_default=False)
]
JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]

shadow_app = typer.Typer(
    help="Shadow comparisons of v5 against v4 (rollout plan Phase 0).", no_args_is_help=True
)
rollout_app = typer.Typer(help="The phased rollout plan: phases 0–6, gated advances.", no_args_is_help=True)
simulate_app = typer.Typer(help="Rehearse the rollout plan in simulated time.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(shadow_app, name="shadow")
    app.add_typer(rollout_app, name="rollout")
    app.add_typer(simulate_app, name="simulate")


def _echo_json(document: Any) -> None:
    typer.echo(json.dumps(document, indent=2, default=str))


# --- shadow ------------------------------------------------------------------------------------


@shadow_app.command("report")
def shadow_report_command(
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            "--day",
            help="UTC day YYYY-MM-DD (default: today; with --deliver, yesterday).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
    deliver: Annotated[
        bool,
        typer.Option("--deliver", help="Send the finished day's report to the alert sinks (once per day)."),
    ] = False,
) -> None:
    """The daily comparison report: failures, quality and revenue differences, false positives."""
    when = checked_date(day, "--date") if day is not None else None
    container = configured()
    delivery: ShadowDelivery | None = None
    if deliver:
        alerts = alert_manager(container)
        delivery = asyncio.run(deliver_shadow_report(container.uow, container.clock, alerts, when))
    report = delivery.report if delivery is not None else shadow_report(container.uow, container.clock, when)
    if as_json:
        document = report.as_dict()
        if delivery is not None:
            document["delivery"] = {"status": delivery.status.value, "sinks": delivery.sinks}
        _echo_json(document)
    else:
        _print_shadow_report(report)
    if delivery is not None:
        # With --json the line goes to stderr, so stdout stays one document.
        (err_console if as_json else console).print(delivery.summary())
        if not all(delivery.sinks.values()):
            raise typer.Exit(1)


def _print_shadow_report(report: ShadowReport) -> None:
    s = report.summary
    table = Table(title=f"Shadow comparisons {report.day.isoformat()}", show_header=True)
    table.add_column("metric")
    table.add_column("v4", justify="right")
    table.add_column("v5", justify="right")
    table.add_row("comparisons", str(s.comparisons), "")
    rate = f"{s.v5_failure_rate:.1%}" if s.v5_failure_rate is not None else "n/a"
    table.add_row("v5 failures (timeouts)", "", f"{s.v5_failures} ({s.v5_timeouts}) = {rate}")
    table.add_row("structural mismatches", "", str(s.mismatched))
    table.add_row(
        "quality avg (diff v5−v4)",
        _num(s.v4_quality_avg),
        f"{_num(s.v5_quality_avg)} ({_num(s.quality_diff_avg, '+')})",
    )
    table.add_row("hard-gate violations", str(s.v4_hard_gate_violations), str(s.v5_hard_gate_violations))
    table.add_row(
        "hard-gate false positives / regressions",
        "",
        f"{s.hard_gate_false_positives} / {s.hard_gate_regressions}",
    )
    table.add_row("expected revenue diff (avg)", "", _num(s.revenue_diff_avg, "+"))
    table.add_row("duration ms (avg)", _num(s.v4_duration_ms_avg), _num(s.v5_duration_ms_avg))
    table.add_row("MCP calls (avg)", _num(s.v4_mcp_calls_avg), _num(s.v5_mcp_calls_avg))
    console.print(table)
    if report.per_creator:
        console.print(_creator_table(report))
    for failure in report.failures:
        console.print(
            f"[red]v5 {failure['outcome']}[/] {failure['creator_id']} {failure['week_start']}: "
            f"{failure['error']}"
        )
    for note in report.attention:
        console.print(f"[yellow]attention:[/] {note}")
    if not report.attention and s.comparisons:
        console.print("[green]Nothing needs attention.[/]")


def _creator_table(report: ShadowReport) -> Table:
    """One row per creator compared that day (the runs averaged when there were several)."""
    table = Table(title="Per creator", show_header=True)
    for column in ("creator", "outcome", "v4 q", "v5 q", "diff", "revenue diff", "gates v4/v5", "false +"):
        table.add_column(column, justify="left" if column in ("creator", "outcome") else "right")
    for c in report.per_creator:
        table.add_row(
            c["creator_id"],
            outcome_text(c["outcomes"]),
            _num(c["v4_quality_avg"]),
            _num(c["v5_quality_avg"]),
            _num(c["quality_diff_avg"], "+"),
            _num(c["revenue_diff_avg"], "+"),
            f"{c['v4_hard_gate_violations']}/{c['v5_hard_gate_violations']}",
            str(c["false_positives"]),
        )
    return table


def _num(value: float | None, sign: str = "") -> str:
    return "n/a" if value is None else f"{value:{sign}.1f}"


# --- rollout -------------------------------------------------------------------------------------


@rollout_app.command("phases")
def phases_command(as_json: JsonOpt = False) -> None:
    """The plan's phases: flags, minimum duration, exit criteria and rollback triggers."""
    if as_json:
        _echo_json(
            [
                {
                    "phase": p.number,
                    "name": p.name,
                    "flags": p.flags,
                    "min_duration_hours": p.min_duration.total_seconds() / 3600,
                    "min_samples": p.min_samples,
                    "success": [str(c) for c in p.success],
                    "entry": [str(c) for c in p.entry],
                    "rollback_triggers": [str(c) for c in p.rollback_triggers],
                    "plan": p.plan_reference,
                }
                for p in PHASES
            ]
        )
        return
    table = Table(title="Rollout plan")
    for column in ("#", "phase", "traffic", "min", "advance when", "roll back when"):
        table.add_column(column)
    for p in PHASES:
        traffic = (
            "shadow"
            if p.shadow_mode
            else f"{p.percentage}%" + (f" + {','.join(p.creators)}" if p.creators else "")
        )
        hours = p.min_duration.total_seconds() / 3600
        table.add_row(
            str(p.number),
            p.name,
            traffic,
            f"{hours / 24:g} d" if hours >= 48 else f"{hours:g} h",
            "\n".join(str(c) for c in (*p.success, *p.entry)),
            "\n".join(str(c) for c in p.rollback_triggers),
        )
    console.print(table)
    console.print("Metrics: " + "; ".join(f"{k} = {v}" for k, v in METRIC_DESCRIPTIONS.items()))


@rollout_app.command("status")
def status_command(as_json: JsonOpt = False) -> None:
    """Where the plan stands: phase, time in phase, flags, and the analysis (pass/fail/inconclusive)."""
    status = rollout_manager(configured()).status()
    if as_json:
        _echo_json(status.as_dict())
        return
    _print_status(status)


def _print_status(status: RolloutStatus) -> None:
    if status.phase is None:
        console.print("Rollout not started: v5 gets no traffic. Start with `eros rollout advance`.")
        return
    judged = status.criteria.name if status.criteria else status.phase.name
    hours = status.elapsed.total_seconds() / 3600
    console.print(
        f"[bold]Phase {status.phase.number}[/] ({judged}) for {hours:.1f} h · "
        f"rollback state {status.rollback_state}"
    )
    console.print("Flags: " + ", ".join(f"{k}={v!r}" for k, v in status.phase.flags.items()))
    if status.analysis is not None:
        colour = {"pass": "green", "fail": "red"}.get(status.analysis.outcome.value, "yellow")
        target = f" → phase {status.next_phase.number}" if status.next_phase else " (final phase)"
        console.print(f"Analysis: [{colour}]{status.analysis.outcome.value}[/]{target}")
        for check in status.analysis.checks:
            mark = {True: "[green]ok[/]", False: "[red]no[/]", None: "[yellow]?[/]"}[check.met]
            console.print(f"  {mark} {check.criterion} (value {_value(check.value)})")
        for trigger in status.analysis.triggers:
            if trigger.met:
                console.print(f"  [red]trigger fired[/] {trigger.criterion} (value {_value(trigger.value)})")
        for reason in status.analysis.reasons:
            console.print(f"  · {reason}")
    _print_checklist("Pre-cutover checklist (plan Phase 4)", status.pre_cutover)
    _print_checklist("Post-cutover checks (plan Phase 4)", status.post_cutover)
    console.print(_v4_line(status.v4))
    for t in status.transitions[:5]:
        console.print(
            f"  {t['at']} {t['outcome']}: {_phase_text(t['from_phase'])} → {t['to_phase']} by {t['actor']}"
            + (" (forced)" if t["forced"] else "")
            + (f" — {t['reason']}" if t["reason"] else "")
        )


def _print_checklist(title: str, items: tuple[ChecklistItem, ...]) -> None:
    if not items:
        return
    console.print(f"[bold]{title}[/]")
    for item in items:
        mark = {True: "[green]ok[/]", False: "[red]no[/]", None: "[yellow]…[/]"}[item.met]
        console.print(f"  {mark} {item.label}: {item.detail}", soft_wrap=True)


def _v4_line(v4: V4Deprecation) -> str:
    colour = "yellow" if v4.deprecated else "white"
    return f"[bold]v4[/] [{colour}]{v4.note()}[/]"


def _phase_text(number: int | None) -> str:
    return "-" if number is None else str(number)


def _value(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def _print_transition(transition: Transition) -> None:
    phase = PHASES[transition.to_phase]
    console.print(
        f"{transition.outcome}: phase {_phase_text(transition.from_phase)}"
        f" → {transition.to_phase} ({phase.name})" + (" [yellow](forced)[/]" if transition.forced else "")
    )
    console.print("Flags now: " + ", ".join(f"{k}={v!r}" for k, v in phase.flags.items()))


@rollout_app.command("advance")
def advance_command(
    by: ByOpt = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (required with --force).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Advance although the criteria are unmet.")] = False,
) -> None:
    """Move to the next phase when the current one passed (refused with every reason otherwise)."""
    manager = rollout_manager(configured())
    _print_transition(manager.advance(actor=acting_user(by), reason=reason, force=force))


@rollout_app.command("hold")
def hold_command(
    reason: Annotated[str, typer.Option("--reason", help="Why the phase is held.")],
    by: ByOpt = None,
) -> None:
    """Record a deliberate hold in the current phase."""
    transition = rollout_manager(configured()).hold(reason, actor=acting_user(by))
    console.print(f"held in phase {transition.to_phase}: {reason}")


@rollout_app.command("abort")
def abort_command(
    reason: Annotated[str, typer.Option("--reason", help="Why the phase is aborted.")],
    to: Annotated[
        int, typer.Option("--to", min=0, max=len(PHASES) - 1, help="Phase to return to (default 0, shadow).")
    ] = 0,
    by: ByOpt = None,
) -> None:
    """Leave the phase for an earlier one (shadow by default) and set its flags."""
    _print_transition(rollout_manager(configured()).abort(reason, actor=acting_user(by), to_phase=to))


@rollout_app.command("confirm")
def confirm_command(
    item: Annotated[
        Confirmation, typer.Argument(help="What is confirmed: briefed (on-call engineer) or rollback-tested.")
    ],
    by: ByOpt = None,
    note: Annotated[
        str | None, typer.Option("--note", help="What was done (kept with the confirmation).")
    ] = None,
) -> None:
    """Record a pre-cutover confirmation (who and when); it counts toward full cutover for 7 days."""
    row = rollout_manager(configured()).confirm(item.value, actor=acting_user(by), note=note)
    console.print(f"confirmed {row['item']} by {row['actor']} at {row['at']}")


@rollout_app.command("confirmations")
def confirmations_command(
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 20, as_json: JsonOpt = False
) -> None:
    """Every recorded pre-cutover confirmation, newest first (the audit trail)."""
    rows = rollout_manager(configured()).confirmations(limit)
    if as_json:
        _echo_json(rows)
        return
    table = Table(title="pre-cutover confirmations")
    for column in ("at", "item", "by", "note"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["at"], row["item"], row["actor"], row["note"] or "")
    console.print(table)


@rollout_app.command("report")
def report_command(as_json: JsonOpt = False) -> None:
    """The plan's Final Validation table (v4 baseline vs v5 actual) and when v4 may be removed."""
    manager = rollout_manager(configured())
    rows = manager.final_validation()
    v4 = manager.v4_status()
    if as_json:
        _echo_json({"final_validation": rows, "v4": v4.as_dict()})
        return
    console.print(_validation_table(rows))
    console.print(_v4_line(v4))


def _validation_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Final validation")
    for column in ("Metric", "v4 Baseline", "v5 Target", "v5 Actual", "met"):
        table.add_column(column)
    for row in rows:
        met = {True: "[green]yes[/]", False: "[red]no[/]", None: "TBD"}[row["met"]]
        table.add_row(row["metric"], row["v4_baseline"], row["v5_target"], row["v5_actual"], met)
    return table


# --- simulate -------------------------------------------------------------------------------------


@simulate_app.command("rollout")
def simulate_rollout_command(
    days: Annotated[int, typer.Option("--days", min=1, max=365, help="Simulated days.")] = DEFAULT_DAYS,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            "--fault",
            "--inject",
            help="Inject into v5: failure:0.2 | latency:200 | gates:0.3 | quality:60, "
            "optionally @phase=N or @day=N (default @phase=3). Repeatable.",
            show_default=False,
        ),
    ] = None,
    creators: Annotated[
        int | None,
        typer.Option(
            "--creators",
            min=1,
            help="Only the first N creators (plus the canary cohort).",
            show_default=False,
        ),
    ] = None,
    from_phase: Annotated[
        int, typer.Option("--from-phase", min=0, max=6, help="Rehearse from this phase (default 0).")
    ] = 0,
    as_json: JsonOpt = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="Also print every run's log lines.")] = False,
) -> None:
    """Run the whole plan on a copy of the database and print the timeline."""
    faults = [parse_fault(spec) for spec in fault or []]
    quiet_logging()
    # The timeline reports what the logs would; only errors and the rollbacks themselves stay loud.
    logging.getLogger("eros").setLevel(logging.INFO if verbose else logging.ERROR)
    container = configured()
    start = container.clock.now().date()
    with tempfile.TemporaryDirectory(prefix="eros-rehearsal-") as directory:
        engine = rehearsal_database(container, Path(directory))
        try:
            setup = rehearsal(engine, container.settings)
            result = asyncio.run(
                simulate_rollout(
                    setup,
                    start=start,
                    runners=rehearsal_runners(engine, container.settings, start),
                    days=days,
                    faults=faults,
                    roster=rehearsal_roster(setup.uow, creators),
                    from_phase=from_phase,
                    on_day=None if as_json else _print_day,
                )
            )
        finally:
            engine.dispose()
    if as_json:
        _echo_json(result.as_dict())
    else:
        _print_simulation(result)
    raise typer.Exit(0 if result.completed else 1)


def _print_day(day: DaySummary) -> None:
    routes = " ".join(f"{k}={v}" for k, v in sorted(day.routes.items()))
    failures = f" [red]{day.v5_failures} v5 failures served by v4[/]" if day.v5_failures else ""
    console.print(f"day {day.day:>2} {day.date} phase {day.phase} {routes}{failures} · {day.action}")


def _print_simulation(result: SimulationResult) -> None:
    table = Table(title="Timeline" + (f" (faults: {', '.join(result.faults)})" if result.faults else ""))
    for column in ("at", "event", "what"):
        table.add_column(column)
    colours = {"alert": "red", "rollback": "bold red", "restore": "green", "rollout": "cyan"}
    for event in result.timeline:
        table.add_row(event.at, f"[{colours.get(event.kind, 'white')}]{event.kind}[/]", event.text)
    console.print(table)
    console.print(_validation_table(result.final_validation))
    ending = "full cutover reached" if result.completed else f"ended in phase {result.final_phase}"
    console.print(
        f"{ending}; {result.rollbacks} rollback(s); alerts: "
        + (", ".join(f"{k}×{v}" for k, v in sorted(result.alerts.items())) or "none")
    )
