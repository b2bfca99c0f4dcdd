"""`eros flags | route | run | status | rollback | restore | check | watch | alerts | metrics`.

The on-call engineer's commands (runbook §2, §5, §7): thin wrappers over the control-plane
services (routing, monitor, rollback, alerting) as `eros.bootstrap` wires them, and the
Prometheus exporter. Exit codes: 0 ok, 1 a run or check that found trouble, 2 bad input or
configuration (ErosError).
"""

from __future__ import annotations

import asyncio
import getpass
import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from eros.bootstrap import (
    Container,
    alert_manager,
    bootstrap,
    feature_flags,
    flag_reader,
    periodic_check,
    pipeline_monitor,
    pipeline_router,
    rollback_controller,
    rollout_manager,
)
from eros.cli.batch_runtime import BatchGC
from eros.cli.database import configured
from eros.cli.generate_commands import (
    JobsOpt,
    ReplaceOpt,
    progress_bar,
    quiet_logging,
    resolve_creator_id,
    resolve_week,
)
from eros.cli.jobs_commands import queue_container
from eros.cli.workers import map_in_processes
from eros.clock import iso_z
from eros.control.flags import (
    AUTO_FALLBACK,
    CREATORS,
    ENABLED,
    FLAG_DEFAULTS,
    PERCENTAGE,
    SHADOW_MODE,
    TIMEOUT,
    FlagValues,
)
from eros.control.phases import phase
from eros.control.windows import WindowStats
from eros.db.faults import SQL_INT_MAX
from eros.errors import ErosError
from eros.ports import UnitOfWorkFactory
from eros.services.alerting import acknowledge_alert
from eros.services.monitor import PipelineMonitor
from eros.services.rollback import RESTORE_CONFIRMATION, RollbackResult
from eros.services.routing import PipelineRouter, set_flag, unknown_creators, unset_flag
from eros.services.shadow import DeliveryStatus, deliver_shadow_report

console = Console()
err_console = Console(stderr=True)
#: The long-running commands' own lines (each check, the exporter's start and stop) in the log file.
logger = logging.getLogger("eros.monitoring")

#: `eros watch --interval` at most a day: a longer sleep is a typo (and past ~292 years, an overflow).
MAX_WATCH_INTERVAL_S = 86_400.0

ByOpt = Annotated[str, typer.Option("--by", help="Who makes the change (kept in the audit trail).")]
ReasonOpt = Annotated[str | None, typer.Option("--reason", help="Why (kept in the audit trail).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]

flags_app = typer.Typer(help="Show and set the v5 feature flags (persisted overrides).", no_args_is_help=True)
rollback_app = typer.Typer(help="Roll v5 back to v4 (pause, drain, disable), restore it, see history.")
alerts_app = typer.Typer(
    help="Alerts raised by the monitor and the rollback controller.", no_args_is_help=True
)
metrics_app = typer.Typer(help="Prometheus metrics from the database.")


def acting_user(by: str | None) -> str:
    """Who a change is recorded against: `--by`, else the login name, else "operator"."""
    try:
        return by or getpass.getuser()
    except (KeyError, OSError):
        return "operator"


# --- flags -------------------------------------------------------------------------------


@flags_app.command("show")
def flags_show(as_json: JsonOpt = False) -> None:
    """Each flag's effective value and where it comes from (override > environment > default)."""
    container = configured()
    flags = feature_flags(container)
    with container.uow() as uow:
        overrides = {row["key"]: row for row in uow.ops.flag_override_rows()}
        audit = uow.ops.flag_audit_rows(limit=5)
    values = flags.values
    effective = {
        ENABLED: values.v5_enabled,
        SHADOW_MODE: values.shadow_mode,
        PERCENTAGE: values.v5_percentage,
        CREATORS: ",".join(values.v5_creators),
        AUTO_FALLBACK: values.auto_fallback,
        TIMEOUT: values.v5_timeout_s,
    }
    if as_json:
        document = {
            "flags": {k: {"value": v, "source": values.sources.get(k)} for k, v in effective.items()},
            "v5_enabled_effective": flags.v5_enabled,
            "kill_switch": values.kill_switch,
            "rollback_state": values.rollback_state,
            "error": values.error,
        }
        console.print_json(json.dumps(document))
        return
    table = Table(title="v5 feature flags")
    for column in ("flag", "value", "source", "set by", "at"):
        table.add_column(column)
    for key, value in effective.items():
        row = overrides.get(key)
        table.add_row(
            key,
            str(value),
            values.sources.get(key, "-"),
            row["updated_by"] if row is not None else "",
            row["updated_at"] if row is not None else "",
        )
    console.print(table)
    if values.error:
        console.print(f"[bold red]flag state unreadable, failing closed to v4:[/] {values.error}")
    if values.kill_switch:
        console.print("[bold red]EROS_V5_ENABLED=false in this environment: every creator routes to v4[/]")
    console.print(
        f"rollback state: [bold]{values.rollback_state}[/]   v5 effectively enabled: {flags.v5_enabled}"
    )
    for entry in audit:
        change = f"{entry['key']} {entry['old_value']!r} → {entry['new_value']!r}"
        why = f" ({entry['reason']})" if entry["reason"] else ""
        console.print(f"  {entry['at']} {entry['actor']}: {change}{why}")


@flags_app.command("set")
def flags_set(
    key: Annotated[str, typer.Argument(help=f"One of {', '.join(FLAG_DEFAULTS)} (or v5_percentage …).")],
    value: Annotated[
        str, typer.Argument(help="true/false, 0-100, a comma-separated creator list, or seconds.")
    ],
    by: ByOpt = "",
    reason: ReasonOpt = None,
) -> None:
    """Persist an override every process sees at its next routing decision."""
    container = configured()
    actor = acting_user(by)
    change = set_flag(container.uow, container.clock.now(), key, value, actor=actor, reason=reason)
    console.print(f"{change.key}: {change.old!r} → {change.new!r} (by {actor})")


@flags_app.command("unset")
def flags_unset(key: Annotated[str, typer.Argument()], by: ByOpt = "", reason: ReasonOpt = None) -> None:
    """Remove an override: the environment, then the seed default, applies again."""
    container = configured()
    change = unset_flag(container.uow, container.clock.now(), key, actor=acting_user(by), reason=reason)
    console.print(
        f"{change.key}: override {change.old!r} removed"
        if change.old is not None
        else f"{change.key}: no override was set"
    )


# --- route / run ---------------------------------------------------------------------------


def route(
    creator: Annotated[str, typer.Argument(help="Creator id or page name.")], as_json: JsonOpt = False
) -> None:
    """Explain which pipeline the creator's next run takes, and why."""
    container = configured()
    creator_id = resolve_creator_id(container, creator)
    router = pipeline_router(container)
    decision = router.decide(creator_id)
    flags = feature_flags(container)
    if as_json:
        document = {
            "creator_id": creator_id,
            **asdict(decision),
            "pipeline": decision.pipeline.value,
            "unknown_allowlisted": list(router.unknown_allowlisted),
        }
        console.print_json(json.dumps(document))
        return
    console.print(f"[bold]{creator_id}[/] → [bold]{decision.pipeline.value}[/]  (reason: {decision.reason})")
    console.print(f"  bucket {decision.bucket} of 100 in group {router.group!r}; {decision.detail}")
    console.print(f"  {flags!r}")
    _note_unknown(router.unknown_allowlisted)


def _note_unknown(unknown: tuple[str, ...]) -> None:
    if unknown:
        console.print(
            f"[yellow]note:[/] EROS_V5_CREATORS names unknown creators (they route nowhere): "
            f"{', '.join(unknown)}"
        )


def run(
    creators_arg: Annotated[
        list[str] | None, typer.Argument(metavar="[CREATOR]...", show_default=False)
    ] = None,
    all_creators: Annotated[bool, typer.Option("--all", help="Every active creator.")] = False,
    week: Annotated[
        str | None, typer.Option("--week", help="Week start YYYY-MM-DD (default: next Monday).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Generate and validate, save nothing.")] = False,
    as_json: JsonOpt = False,
    replace: ReplaceOpt = False,
    enqueue: Annotated[
        bool,
        typer.Option("--enqueue", help="Queue one job per creator-week for `eros worker` (PostgreSQL)."),
    ] = False,
    jobs: JobsOpt = 1,
) -> None:
    """Generate weeks through the router (the production entry point): flags decide v4, v5 or shadow."""
    if all_creators == bool(creators_arg):
        raise ErosError("Name creators or pass --all (not both)", code="USAGE_ERROR")
    if enqueue and dry_run:
        raise ErosError("--enqueue queues real runs; --dry-run runs in this process", code="USAGE_ERROR")
    container = queue_container() if enqueue else configured()
    week_start = resolve_week(week, container).isoformat()
    if all_creators:
        with container.uow() as uow:
            targets = uow.creators.active_creator_ids(by_page_name=True)
    else:
        targets = [resolve_creator_id(container, c) for c in creators_arg or []]
    if enqueue:
        _enqueue(container, targets, week_start, replace=replace, as_json=as_json)
        return
    if jobs > 1:
        rows = _run_batch_parallel(replace, targets, week_start, dry_run, jobs, quiet=as_json)
    else:
        router = pipeline_router(container, replace_edited=replace)
        rows = asyncio.run(_run_batch(router, targets, week_start, dry_run, quiet=as_json))
    if as_json:
        console.print_json(json.dumps({"week_start": week_start, "results": rows}, default=str))
    else:
        table = Table(title=f"Week of {week_start} through the router{' · dry run' if dry_run else ''}")
        for column in ("creator", "pipeline", "ok", "items", "quality"):
            table.add_column(column, no_wrap=True)
        table.add_column("note", overflow="fold")  # wraps on a narrow terminal; ids never cut
        for row in rows:
            quality = row["quality_score"]
            table.add_row(
                row["creator_id"],
                row["pipeline"],
                "✓" if row["success"] else "✗",
                str(row["total_items"]),
                f"{quality:.1f}" if quality is not None else "-",
                row["errors"][0] if row["errors"] else "",
            )
        console.print(table)
    if not all(row["success"] for row in rows):
        raise typer.Exit(1)


def _enqueue(
    container: Container, targets: list[str], week_start: str, *, replace: bool, as_json: bool
) -> None:
    from eros.tasks.app import queue_app  # noqa: PLC0415 - the queue loads for --enqueue only
    from eros.tasks.planning import enqueue_weeks  # noqa: PLC0415 - the same
    from eros.tasks.queue import opened, require_schema  # noqa: PLC0415 - the same

    async def enqueue() -> Any:
        async with opened(queue_app(container.settings)) as app:
            await require_schema(app)
            return await enqueue_weeks(app, targets, week_start, replace=replace)

    outcome = asyncio.run(enqueue())
    if as_json:
        console.print_json(json.dumps(asdict(outcome)))
        return
    console.print(
        f"week of {week_start}: {len(outcome.queued)} job(s) queued, {len(outcome.already)} already "
        "queued, running or done; `eros worker` runs them, `eros jobs status` counts them"
    )


async def _run_batch(
    router: PipelineRouter, targets: list[str], week_start: str, dry_run: bool, *, quiet: bool
) -> list[dict[str, Any]]:
    """One creator after another in this process."""
    rows: list[dict[str, Any]] = []
    progress = progress_bar(disable=quiet or len(targets) < 2)
    with progress, BatchGC() as batch_gc:
        task = progress.add_task("routing", total=len(targets))
        for creator_id in targets:
            progress.update(task, description=f"generating {creator_id}")
            rows.append(await _route_row(router, creator_id, week_start, dry_run))
            batch_gc.settle()
            progress.advance(task)
    return rows


async def _route_row(
    router: PipelineRouter, creator_id: str, week_start: str, dry_run: bool
) -> dict[str, Any]:
    """One creator's row; a failure never stops the batch: it becomes a failed row."""
    try:
        result = await router.route(creator_id, week_start, dry_run=dry_run)
    except Exception as exc:  # reported per creator; a run's exception is already recorded
        why = f"[{exc.code}] {exc.message}" if isinstance(exc, ErosError) else f"{type(exc).__name__}: {exc}"
        return {
            "creator_id": creator_id,
            "pipeline": "-",
            "success": False,
            "total_items": 0,
            "quality_score": None,
            "schedule_id": None,
            "errors": [why],
        }
    return {
        "creator_id": creator_id,
        "pipeline": result.pipeline,
        "success": result.success,
        "total_items": result.total_items,
        "quality_score": result.quality_score,
        "schedule_id": result.schedule_id,
        "errors": list(result.errors),
    }


#: The router of a `run --jobs` worker process, built once per process by `_router_start`.
_worker_router: PipelineRouter | None = None


def _router_start(replace_edited: bool) -> None:
    global _worker_router  # noqa: PLW0603 - one router per worker process, built at its start
    quiet_logging()
    _worker_router = pipeline_router(bootstrap(), replace_edited=replace_edited)


def _router_run(week_start: str, dry_run: bool, creator_id: str) -> dict[str, Any]:
    assert _worker_router is not None, "worker started without _router_start"
    return asyncio.run(_route_row(_worker_router, creator_id, week_start, dry_run))


def _run_batch_parallel(
    replace_edited: bool, targets: list[str], week_start: str, dry_run: bool, jobs: int, *, quiet: bool
) -> list[dict[str, Any]]:
    """Creators through the router in `jobs` worker processes, each bootstrapped from the same
    environment; rows in roster order, one per creator."""
    with progress_bar(disable=quiet) as progress:
        task = progress.add_task(f"routing ({jobs} processes)", total=len(targets))
        return map_in_processes(
            partial(_router_run, week_start, dry_run),
            targets,
            jobs=jobs,
            initializer=_router_start,
            initargs=(replace_edited,),
            advance=lambda: progress.advance(task),
        )


# --- status -------------------------------------------------------------------------------


def _fmt(value: float | None, pattern: str) -> str:
    return pattern.format(value) if value is not None else "-"


def _sli_cells(label: str, stats: WindowStats) -> list[str]:
    return [
        label,
        str(stats.runs),
        _fmt(stats.success_rate, "{:.1%}"),
        _fmt(stats.p95_latency_s, "{:.1f}"),
        _fmt(stats.hard_gate_rate, "{:.1%}"),
        _fmt(stats.quality_avg, "{:.1f}"),
    ]


def status(
    as_json: JsonOpt = False,
    per_creator: Annotated[bool, typer.Option("--creators", help="Also v5 SLIs per creator.")] = False,
) -> None:
    """Flags, rollout phase, health, SLOs, rollback state and recent alerts on one screen."""
    container = configured()
    monitor = pipeline_monitor(container)
    flags = feature_flags(container)
    report = monitor.get_status()
    unknown = unknown_creators(container.uow, flags.v5_creators)
    with container.uow() as uow:
        rollout = uow.rollout.get_rollout_state()
        recent_alerts = uow.ops.alert_rows(limit=5)
    phase_name = (
        f"{rollout['phase']} {phase(rollout['phase']).name}" if rollout is not None else "not started"
    )
    v4 = rollout_manager(container, monitor=monitor).v4_status()
    if as_json:
        document = {
            "flags": repr(flags),
            "unknown_allowlisted": list(unknown),
            "phase": phase_name,
            "v4": v4.as_dict(),
            "status": report,
            "alerts": [dict(row) for row in recent_alerts],
        }
        console.print_json(json.dumps(document, default=str))
        return
    console.print(f"[bold]flags[/] {flags!r}")
    _note_unknown(unknown)
    console.print(f"[bold]rollout phase[/] {phase_name}")
    console.print(f"[bold]v4[/] {v4.note()}")
    colour = {"healthy": "green", "degraded": "yellow", "unhealthy": "red"}[report["health"]]
    console.print(
        f"[bold]v5 health[/] [{colour}]{report['health']}[/] over the last {report['window_minutes']} min "
        f"({report['runs']} runs) · rollback state [bold]{report['rollback_state']}[/] · "
        f"in flight v4 {report['in_flight']['v4']} / v5 {report['in_flight']['v5']} · "
        f"abandoned (lease expired) v4 {report['abandoned']['v4']} / v5 {report['abandoned']['v5']}"
    )
    table = Table(title="SLOs (status window)")
    for column in ("pipeline", "runs", "success", "p95 s", "hard-gate", "quality"):
        table.add_column(column)
    for name in ("v5", "v4"):
        table.add_row(*_sli_cells(name, monitor.stats(name)))
    console.print(table)
    if per_creator:
        by_creator = Table(title="v5 per creator (status window)")
        for column in ("creator", "runs", "success", "p95 s", "hard-gate", "quality"):
            by_creator.add_column(column)
        for creator_id, stats in monitor.creator_stats("v5").items():
            by_creator.add_row(*_sli_cells(creator_id, stats))
        console.print(by_creator)
    triggers = Table(title="automatic rollback triggers")
    for column in ("trigger", "value", "threshold", "window", "samples", "fired"):
        triggers.add_column(column)
    for trigger in report["rollback_triggers"].values():
        triggers.add_row(
            trigger["name"],
            _fmt(trigger["value"], "{:.3g}"),
            f"{trigger['threshold']:g}",
            trigger["window"],
            str(trigger["samples"]),
            "[red]yes[/]" if trigger["fired"] else "no",
        )
    console.print(triggers)
    for row in recent_alerts:
        state = "open" if row["resolved_at"] is None else f"resolved {row['resolved_at']}"
        console.print(f"  {row['raised_at']} [{row['severity']}] {row['code']} ({state}): {row['message']}")


# --- rollback / restore / check / watch ---------------------------------------------------------


def _print_rollback(result: RollbackResult) -> None:
    colour = "green" if result.success else "yellow"
    console.print(
        f"[{colour}]{result.action}[/] {result.state_before} → {result.state_after}: {result.message}"
    )
    if result.action == "rollback" and result.success:
        console.print(
            f"  drained {result.in_flight_at_start} in-flight v5 runs in {result.drain_ms:.0f} ms"
            f"{'' if result.drained else ' (timed out)'} · verified v4: {result.verified}"
        )


@rollback_app.callback(invoke_without_command=True)
def rollback(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option("--reason", help="Why v5 is being rolled back.")] = "manual rollback",
    by: ByOpt = "",
) -> None:
    """Roll v5 back now: pause, drain in-flight v5 runs, disable, alert, verify."""
    if ctx.invoked_subcommand is not None:
        return
    controller = rollback_controller(configured())
    result = asyncio.run(controller.execute_rollback(reason, initiator=acting_user(by)))
    _print_rollback(result)


@rollback_app.command("history")
def rollback_history(
    limit: Annotated[int, typer.Option("--limit", min=1, max=SQL_INT_MAX)] = 20, as_json: JsonOpt = False
) -> None:
    """Rollbacks and restores, newest first."""
    history = rollback_controller(configured()).get_history(limit)
    if as_json:
        console.print_json(json.dumps(history, default=str))
        return
    table = Table(title="rollback history")
    for column in ("at", "action", "by", "auto", "before → after", "drain ms", "verified", "reason"):
        table.add_column(column)
    for event in history:
        table.add_row(
            event["at"],
            event["action"],
            event["initiator"],
            "yes" if event["automatic"] else "no",
            f"{event['state_before']} → {event['state_after']}",
            _fmt(event["drain_ms"], "{:.0f}"),
            str(event["verified"]),
            event["reason"],
        )
    console.print(table)


ConfirmOpt = Annotated[
    str, typer.Option("--confirm", help=f"Must be exactly {RESTORE_CONFIRMATION}.", show_default=False)
]


def restore(confirm: ConfirmOpt = "", by: ByOpt = "", reason: ReasonOpt = None) -> None:
    """Re-enable v5 after a rollback (runbook §7): needs --confirm RESTORE_V5_CONFIRMED."""
    controller = rollback_controller(configured())
    result = asyncio.run(
        controller.restore_v5(confirm, initiator=acting_user(by), reason=reason or "v5 restored")
    )
    _print_rollback(result)
    if not result.success:
        raise typer.Exit(1)


rollback_app.command("restore")(restore)


def check() -> None:
    """One periodic check: evaluate the alerts and the automatic rollback triggers (exit 1 on rollback)."""
    container = configured()
    raised, result = asyncio.run(periodic_check(container)())
    for code in raised:
        console.print(f"[yellow]alert raised[/] {code}")
    if result is not None:
        _print_rollback(result)
        raise typer.Exit(1)
    console.print(f"checked at {iso_z(container.clock.now())}: no automatic rollback")


def _deliver_yesterdays_shadow_report(container: Container) -> None:
    """The plan's daily report, sent by the first check after midnight UTC (a no-op once sent)."""
    delivery = asyncio.run(deliver_shadow_report(container.uow, container.clock, alert_manager(container)))
    if delivery.status is DeliveryStatus.DELIVERED:
        console.print(delivery.summary())


def watch(
    interval: Annotated[
        float, typer.Option("--interval", min=1.0, max=MAX_WATCH_INTERVAL_S, help="Seconds between checks.")
    ] = 60.0,
    iterations: Annotated[
        int, typer.Option("--iterations", min=0, help="Stop after N checks (0: forever).")
    ] = 0,
) -> None:
    """Run `eros check` every --interval seconds (the periodic auto-rollback loop); the first check
    after midnight UTC also delivers yesterday's shadow report (`eros shadow report --deliver`)."""
    done = 0
    while iterations == 0 or done < iterations:
        container = configured()
        raised, result = asyncio.run(periodic_check(container)())
        stamp = iso_z(container.clock.now())
        console.print(
            f"{stamp} check: alerts raised {raised or 'none'}; rollback {'yes' if result else 'no'}"
        )
        logger.info(
            "watch check alerts_raised=%s rollback=%s", ",".join(raised) or "none", result is not None
        )
        if result is not None:
            _print_rollback(result)
        _deliver_yesterdays_shadow_report(container)
        done += 1
        if iterations == 0 or done < iterations:
            time.sleep(interval)


# --- alerts / metrics ---------------------------------------------------------------------------


@alerts_app.command("list")
def alerts_list(
    open_only: Annotated[bool, typer.Option("--open", help="Only unresolved episodes.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=SQL_INT_MAX)] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Alerts newest first, with how each sink delivery went."""
    container = configured()
    with container.uow() as uow:
        rows = uow.ops.alert_rows(limit=limit, open_only=open_only)
        deliveries: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
        for delivery in uow.ops.delivery_rows(list(deliveries)):
            deliveries[delivery["alert_id"]].append(dict(delivery))
    if as_json:
        document = [{**dict(row), "deliveries": deliveries[row["id"]]} for row in rows]
        console.print_json(json.dumps(document, default=str))
        return
    table = Table(title="alerts")
    for column in ("id", "raised", "code", "severity", "state", "acknowledged", "deliveries", "message"):
        table.add_column(column)
    for row in rows:
        sent = ", ".join(
            f"{d['sink']}:{'ok' if d['delivered'] else 'FAILED'}×{d['attempts']}"
            for d in deliveries[row["id"]]
        )
        table.add_row(
            str(row["id"]),
            row["raised_at"],
            row["code"],
            row["severity"],
            "open" if row["resolved_at"] is None else "resolved",
            f"{row['acknowledged_by']} {row['acknowledged_at']}" if row["acknowledged_at"] else "–",
            sent,
            row["message"],
        )
    console.print(table)


@alerts_app.command("ack")
def alerts_ack(
    alert_id: Annotated[
        int, typer.Argument(min=1, max=SQL_INT_MAX, help="The alert's id (eros alerts list).")
    ],
    by: ByOpt = "",
) -> None:
    """Acknowledge an alert (on call has seen it); a second acknowledgement keeps the first."""
    container = configured()
    alert = acknowledge_alert(container.uow, container.clock, alert_id, by=acting_user(by))
    console.print(
        f"alert {alert.id} ({alert.code}) acknowledged by {alert.acknowledged_by} at {alert.acknowledged_at}",
        markup=False,
    )


@metrics_app.callback(invoke_without_command=True)
def metrics(
    ctx: typer.Context,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
    ] = None,
) -> None:
    """Write the Prometheus text format (or `eros metrics serve` for an HTTP endpoint)."""
    if ctx.invoked_subcommand is not None:
        return
    from eros.infra import prometheus  # noqa: PLC0415 - prometheus_client only for the metrics commands

    text = prometheus.render(prometheus.build_registry(*_metrics_sources()))
    if output is not None:
        output.write_bytes(text)
    else:
        sys.stdout.write(text.decode())


@metrics_app.command("serve")
def metrics_serve(
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 9108,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
) -> None:
    """Serve /metrics over HTTP until interrupted."""
    from eros.infra import prometheus  # noqa: PLC0415 - prometheus_client only for the metrics commands

    err_console.print(f"serving Prometheus metrics on http://{host}:{port}/metrics")
    logger.info("metrics server start host=%s port=%d", host, port)
    try:
        prometheus.serve(prometheus.build_registry(*_metrics_sources()), host, port)
    except KeyboardInterrupt:
        err_console.print("stopped")
    logger.info("metrics server stop host=%s port=%d", host, port)


def _metrics_sources() -> tuple[PipelineMonitor, UnitOfWorkFactory, Callable[[], FlagValues]]:
    """What the exporter reads at each scrape: the monitor, the database, the flag state."""
    container = configured()
    return pipeline_monitor(container), container.uow, flag_reader(container)


def register(app: typer.Typer) -> None:
    app.add_typer(flags_app, name="flags")
    app.command("route")(route)
    app.command("run")(run)
    app.command("status")(status)
    app.add_typer(rollback_app, name="rollback")
    app.command("restore")(restore)
    app.command("check")(check)
    app.command("watch")(watch)
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(metrics_app, name="metrics")
