"""How a schedule looks to a person at a terminal: Rich tables (files for other tools: infra.exports).

Shared by `eros generate`, `eros show` and `eros export` (and any command that prints a week).
Rendering only: nothing here reads the database or the clock.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from eros.models import ScheduleItem
from eros.rules.calendar import week_dates
from eros.rules.send_types import SEND_TYPES, Category
from eros.rules.timing import parse_date
from eros.services.pipeline_run import PipelineResult
from eros.validation.gates import GATE_CODES
from eros.validation.items import require_items

CATEGORY_STYLE = {Category.REVENUE: "green", Category.ENGAGEMENT: "cyan", Category.RETENTION: "magenta"}
STATUS_STYLE = {"APPROVED": "bold green", "NEEDS_REVIEW": "bold yellow", "REJECTED": "bold red"}


def _label(item: ScheduleItem) -> Text:
    spec = SEND_TYPES.get(item.send_type_key)
    style = CATEGORY_STYLE.get(spec.category, "") if spec else "red"
    text = Text(f"{item.scheduled_time} ", style="bold")
    name = "↳ follow-up" if item.is_follow_up else item.send_type_key
    text.append(name, style=style)
    if item.content_type:
        text.append(f" · {item.content_type}")
    if item.price:
        price = f"{item.price:.0f}" if float(item.price).is_integer() else f"{item.price:.2f}"
        text.append(f" · ${price}", style="yellow")
    return text


#: Below this console width the calendar grid gets too narrow to read; the week is listed instead.
GRID_MIN_WIDTH = 7 * 24


def _by_day(items: Sequence[ScheduleItem]) -> dict[str, list[ScheduleItem]]:
    by_day: dict[str, list[ScheduleItem]] = defaultdict(list)
    for item in items:
        by_day[item.scheduled_date].append(item)
    for sends in by_day.values():
        sends.sort(key=lambda i: i.scheduled_time)
    return by_day


def week_table(items: Sequence[ScheduleItem], week_start: date, title: str = "", width: int = 0) -> Table:
    """The week as a calendar: a column per day when the console is wide enough, else day by day.

    Each send reads `time type · content · $price`; follow-ups read `↳ follow-up`.
    """
    by_day = _by_day(items)
    days = week_dates(week_start)
    if width and width < GRID_MIN_WIDTH:
        return _day_list(by_day, days, title)
    table = Table(title=title or None, expand=True, padding=(0, 1))
    for day in days:
        table.add_column(f"{day:%a %d %b}\n{len(by_day[day.isoformat()])} sends", overflow="fold", ratio=1)
    table.add_row(*(Group(*(_label(item) for item in by_day[day.isoformat()])) for day in days))
    return table


def _day_list(by_day: Mapping[str, list[ScheduleItem]], days: Sequence[date], title: str) -> Table:
    table = Table(title=title or None, padding=(0, 1))
    table.add_column("day", no_wrap=True)
    table.add_column("sends", overflow="fold")
    for day in days:
        sends = by_day.get(day.isoformat(), [])
        table.add_row(
            f"{day:%a %d %b}\n{len(sends)} sends", Group(*(_label(item) for item in sends)), end_section=True
        )
    return table


def gates_table(validation: Mapping[str, Any]) -> Table:
    """Every hard gate with PASS/FAIL and the count of violations (DOMAIN §3 order)."""
    counts: dict[str, int] = defaultdict(int)
    for violation in validation.get("violations") or []:
        counts[str(violation.get("code"))] += 1
    table = Table(title="Hard gates", show_header=True)
    table.add_column("gate")
    table.add_column("result")
    table.add_column("violations", justify="right")
    for code in GATE_CODES:
        failed = counts.get(code, 0)
        table.add_row(code, "[red]FAIL[/]" if failed else "[green]PASS[/]", str(failed))
    return table


def violations_table(validation: Mapping[str, Any], limit: int = 20) -> Table | None:
    violations = list(validation.get("violations") or [])
    if not violations:
        return None
    table = Table(title=f"Violations ({len(violations)})")
    table.add_column("gate")
    table.add_column("items")
    table.add_column("what is wrong", overflow="fold")
    for violation in violations[:limit]:
        items = ", ".join(str(i) for i in violation.get("items") or [])
        table.add_row(str(violation.get("code")), items, str(violation.get("message")))
    return table


def score_table(validation: Mapping[str, Any]) -> Table:
    """The quality score and why: each component's points against its maximum, with its reasons."""
    status = str(validation.get("status", ""))
    score = validation.get("quality_score")
    title = (
        f"Quality {score:.1f} / 100 · [{STATUS_STYLE.get(status, '')}]{status}[/]"
        if score is not None
        else status
    )
    table = Table(title=title)
    table.add_column("component")
    table.add_column("points", justify="right")
    table.add_column("why", overflow="fold")
    for component in validation.get("components") or []:
        reasons = "; ".join(str(r) for r in component.get("reasons") or [])
        table.add_row(
            str(component.get("name")),
            f"{float(component.get('points', 0)):.1f} / {float(component.get('max_points', 0)):.0f}",
            reasons,
        )
    return table


def metrics_table(metrics: Mapping[str, Mapping[str, Any]]) -> Table:
    table = Table(title="Run")
    for column, justify in (("phase", "left"), ("status", "left"), ("ms", "right"), ("MCP calls", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for name, entry in metrics.items():
        table.add_row(
            name,
            str(entry.get("status")),
            f"{float(entry.get('duration_ms') or 0):.1f}",
            str(entry.get("mcp_calls", 0)),
        )
    return table


def print_result(console: Console, result: PipelineResult) -> None:
    """A generated week: the calendar, the gates, the score, the expected revenue and the run."""
    schedule = result.schedule or {}
    items = require_items(schedule.get("items") or [])
    if items:
        title = f"{schedule.get('page_name', result.creator_id)} · week of {result.week_start}"
        if schedule.get("tier"):
            title += f" · {schedule['tier']}"
        console.print(week_table(items, parse_date(result.week_start), title, console.width))
    if result.validation:
        console.print(gates_table(result.validation))
        table = violations_table(result.validation)
        if table is not None:
            console.print(table)
        console.print(score_table(result.validation))
        for recommendation in result.validation.get("recommendations") or []:
            console.print(f"  • {recommendation}")
    if result.expected_revenue is not None:
        line = f"Expected revenue: [bold]${result.expected_revenue:,.2f}[/]"
        if schedule.get("gap") is not None:
            line += f" (solver {schedule.get('solver')}, gap {float(schedule['gap']):.2%})"
        console.print(line)
    console.print(metrics_table(result.metrics))
    if result.success:
        saved = (
            "not saved (dry run)"
            if result.dry_run
            else f"saved as schedule {result.schedule_id} ({schedule.get('saved_status')})"
        )
        console.print(f"[green]✓[/] {result.total_items} items, {saved}")
    for error in result.errors:
        console.print(f"[red]✗[/] {error}")


def result_document(result: PipelineResult) -> dict[str, Any]:
    """One JSON document for `--json`: the schedule (items incl. follow-ups), validation and metrics."""
    document = dataclasses.asdict(result)
    document["total_duration_ms"] = result.total_duration_ms
    document["mcp_calls_total"] = result.mcp_calls_total
    return document


def summary_row(result: PipelineResult, tier: str | None) -> dict[str, Any]:
    return {
        "creator_id": result.creator_id,
        "tier": (result.schedule or {}).get("tier") or tier,
        "items": result.total_items,
        "status": result.validation_status or "ERROR",
        "score": result.quality_score,
        "expected_revenue": result.expected_revenue,
        "ms": round(result.total_duration_ms, 1),
        "mcp_calls": result.mcp_calls_total,
        "schedule_id": result.schedule_id,
        "success": result.success,
        "errors": result.errors,
    }


#: Below this console width `summary_table` leaves out ms and MCP calls (they go to the caption)
#: and its vertical lines, so creator ids, tiers, statuses and revenues are never cut.
SUMMARY_FULL_WIDTH = 110


def summary_table(rows: Sequence[Mapping[str, Any]], title: str, width: int = 0) -> Table:
    """`eros generate --all` and `eros demo`: one line per creator, totals in the caption."""
    narrow = bool(width) and width < SUMMARY_FULL_WIDTH
    table = Table(title=title, box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD, pad_edge=not narrow)
    for column, justify in (
        ("creator", "left"),
        ("tier", "left"),
        ("items", "right"),
        ("status", "left"),
        ("score", "right"),
        ("revenue" if narrow else "expected revenue", "right"),
    ):
        wraps = column == "status"  # the one that may fold (SCHEDULE_EDITED) before any is cut
        table.add_column(column, justify=justify, no_wrap=not wraps, overflow="fold")  # type: ignore[arg-type]
    if not narrow:
        table.add_column("ms", justify="right")
        table.add_column("MCP calls", justify="right")
    for row in rows:
        status = str(row["status"])
        score = row.get("score")
        revenue = row.get("expected_revenue")
        cells = [
            str(row["creator_id"]),
            str(row.get("tier") or ""),
            str(row["items"]),
            f"[{STATUS_STYLE.get(status, 'red')}]{status}[/]",
            f"{score:.1f}" if score is not None else "",
            f"${revenue:,.2f}" if revenue is not None else "",
        ]
        if not narrow:
            cells += [f"{row['ms']:.0f}", str(row["mcp_calls"])]
        table.add_row(*cells)
    ok = sum(1 for row in rows if row["success"])
    total_revenue = sum(float(row.get("expected_revenue") or 0) for row in rows)
    table.caption = f"{ok}/{len(rows)} succeeded · expected revenue ${total_revenue:,.2f}"
    if narrow:
        total_ms = sum(float(row["ms"]) for row in rows)
        calls = sum(int(row["mcp_calls"]) for row in rows)
        table.caption += f" · {total_ms / 1000:.1f} s · {calls} MCP calls"
    return table


def saved_schedule_table(schedule: Mapping[str, Any]) -> Table:
    """The header facts of a saved schedule (`eros show`)."""
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    for key in ("schedule_id", "creator_id", "week_start", "status", "revision", "quality_score"):
        if schedule.get(key) is not None:
            table.add_row(key, str(schedule[key]))
    if schedule.get("expected_revenue") is not None:
        table.add_row("expected_revenue", f"${float(schedule['expected_revenue']):,.2f}")
    return table


# --- exports ----------------------------------------------------------------------------------


#: OWASP "CSV Injection": a spreadsheet runs a cell starting with one of these as a formula.
