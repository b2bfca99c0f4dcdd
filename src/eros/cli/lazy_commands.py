"""The `eros` command table: `eros --help` lists every command without importing any of them.

A command module imports what its commands need (the MCP SDK, OR-Tools, Alembic, SQLAlchemy):
about a second before the first line of output. `LazyCommands` is the app's Click group: it
lists the commands from `COMMANDS` (name, module, the one-line help `eros --help` shows) and
imports a command's module only when that command is resolved to run or to show its own help.
tests/unit/cli/test_lazy_commands.py keeps the table equal to what the modules register.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer._click import Command, Context
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    module: str
    help: str


#: Every top-level command in `eros --help` order (commands, then command groups). A new
#: command module's `register(app)` commands go here too.
COMMANDS: tuple[Entry, ...] = tuple(
    Entry(name, f"eros.cli.{module}", text)
    for name, module, text in (
        (
            "analyze",
            "data_commands",
            "Recompute rankings, tier (with hysteresis) and volume triggers from "
            "the last 90 days of history.",
        ),
        (
            "import",
            "data_commands",
            "Import an agency's CSV files in one transaction; a bad row is named "
            "by row and nothing is written.",
        ),
        (
            "demo",
            "data_commands",
            "The README's main job: build the sample if there is none (EROS_DB_PATH, default ./eros.db),\n"
            "summarise it, then generate next week for every active creator.",
        ),
        (
            "generate",
            "generate_commands",
            "Generate a creator's week (or every active creator's with --all), validate it and save it.",
        ),
        (
            "show",
            "generate_commands",
            "Show a saved week as a day-by-day calendar (a creator's newest week unless --week is given).",
        ),
        (
            "export",
            "generate_commands",
            "Export a saved week as CSV, JSON or an iCalendar file a calendar app opens.",
        ),
        ("route", "ops_commands", "Explain which pipeline the creator's next run takes, and why."),
        (
            "run",
            "ops_commands",
            "Generate weeks through the router (the production entry point): flags decide v4, v5 or shadow.",
        ),
        (
            "status",
            "ops_commands",
            "Flags, rollout phase, health, SLOs, rollback state and recent alerts on one screen.",
        ),
        (
            "restore",
            "ops_commands",
            "Re-enable v5 after a rollback (runbook §7): needs --confirm RESTORE_V5_CONFIRMED.",
        ),
        (
            "check",
            "ops_commands",
            "One periodic check: evaluate the alerts and the automatic rollback "
            "triggers (exit 1 on rollback).",
        ),
        (
            "watch",
            "ops_commands",
            "Run `eros check` every --interval seconds (the periodic auto-rollback loop); the first check\n"
            "after midnight UTC also delivers yesterday's shadow report (`eros shadow report --deliver`).",
        ),
        (
            "validate",
            "validate_commands",
            "Check a schedule against every hard gate, score it and say APPROVED / NEEDS_REVIEW / REJECTED.",
        ),
        ("serve", "web_commands", "Serve the web app until interrupted."),
        (
            "worker",
            "worker_commands",
            "Run a worker: creator-week jobs and the periodic tasks, until SIGINT/SIGTERM.",
        ),
        ("db", "db_commands", "Create, migrate and inspect the database."),
        ("flags", "ops_commands", "Show and set the v5 feature flags (persisted overrides)."),
        ("rollback", "ops_commands", "Roll v5 back to v4 (pause, drain, disable), restore it, see history."),
        ("alerts", "ops_commands", "Alerts raised by the monitor and the rollback controller."),
        ("metrics", "ops_commands", "Prometheus metrics from the database."),
        ("mcp", "mcp_commands", "The eros-db MCP server: serve it, list its tools, call one."),
        (
            "schedules",
            "schedule_commands",
            "Saved schedules: list, show, revisions and restore, queue for sending, mark completed.",
        ),
        ("shadow", "rollout_commands", "Shadow comparisons of v5 against v4 (rollout plan Phase 0)."),
        ("rollout", "rollout_commands", "The phased rollout plan: phases 0–6, gated advances."),
        ("simulate", "rollout_commands", "Rehearse the rollout plan in simulated time."),
        (
            "reflect",
            "reflect_commands",
            "The learning loop: signals → proposed learnings → LEARNINGS.md (git).",
        ),
        ("keys", "keys_commands", "The signing key: show its fingerprint, rotate it."),
        ("users", "users_commands", "People who log in to the web app, and their roles."),
        ("tokens", "users_commands", "API tokens for the JSON API and /mcp (shown once, stored hashed)."),
        ("jobs", "jobs_commands", "The task queue's jobs (PostgreSQL installations)."),
    )
)
BY_NAME = {entry.name: entry for entry in COMMANDS}
#: The command modules in the order that registers them as `eros --help` lists them (Typer
#: lists commands before groups, each in registration order).
MODULES = tuple(
    f"eros.cli.{name}"
    for name in (
        "db_commands",
        "data_commands",
        "generate_commands",
        "ops_commands",
        "mcp_commands",
        "schedule_commands",
        "validate_commands",
        "rollout_commands",
        "reflect_commands",
        "keys_commands",
        "users_commands",
        "web_commands",
        "worker_commands",
        "jobs_commands",
    )
)


def register_module(app: typer.Typer, module: str) -> None:
    """Attach one command module's commands to `app` (its `register(app)`)."""
    importlib.import_module(module).register(app)


def loaded_commands(module: str) -> dict[str, Command]:
    """The Click commands one module registers, built as the app would build them."""
    scratch = typer.Typer()
    register_module(scratch, module)
    return dict(typer.main.get_group(scratch).commands)


class Unloaded(TyperCommand):
    """A command whose module is not imported yet: its name and help line, nothing to run."""


class LazyCommands(TyperGroup):
    """The app's group: every command of `COMMANDS` is an `Unloaded` stand-in until a command
    line resolves to it; then its module's real commands replace the stand-ins, in place."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for entry in COMMANDS:
            self.commands.setdefault(entry.name, Unloaded(entry.name, short_help=entry.help))

    def resolve_command(self, ctx: Context, args: list[str]) -> tuple[str | None, Command | None, list[str]]:
        if args and isinstance(self.commands.get(args[0]), Unloaded):
            self.commands.update(loaded_commands(BY_NAME[args[0]].module))
        return super().resolve_command(ctx, args)
