"""`eros validate`: judge any schedule — a JSON file or a saved schedule — with the rule engine.

    eros validate week.json --creator alexia --week 2026-01-05 [--json]
    eros validate 42                                    # a saved schedule, by id

FILE may be what `eros generate --json` prints (items under `schedule.items`), an object with
`items`, or a bare list of items; `creator_id` / `week_start` in the document stand in for the
options. The creator's context comes from preflight (the same tools a generator sees); the
validator then re-reads vault and rankings itself (two calls). Caption ids are checked against
the caption bank of the configured database.

Exit codes: 0 APPROVED or NEEDS_REVIEW, 1 REJECTED, 2 bad input or configuration (an error
code such as INVALID_JSON, FILE_NOT_FOUND, SCHEDULE_NOT_FOUND, CREATOR_NOT_FOUND, INVALID_DATE).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from eros.bootstrap import Container, connect_client
from eros.cli.database import configured
from eros.errors import ErosError
from eros.models import ValidationResult, ValidationStatus
from eros.ports import ToolClient
from eros.services.preflight import PreflightEngine, client_session, parse_week_start
from eros.services.validator import ScheduleValidator, known_caption_ids

console = Console()

#: Non-zero exactly when rejected: a week that needs review breaks no rule (its status says so).
EXIT_CODES = {ValidationStatus.APPROVED: 0, ValidationStatus.NEEDS_REVIEW: 0, ValidationStatus.REJECTED: 1}
INVALID_JSON = "INVALID_JSON"


@dataclass(frozen=True, slots=True)
class Submission:
    """A schedule to judge: where it came from, whose week it is, and its raw items."""

    source: str
    creator_id: str
    week_start: str
    items: list[Any]


def read_document(path: Path) -> Any:
    if not path.is_file():
        raise ErosError(f"No schedule file at {path}", code="FILE_NOT_FOUND", details={"path": str(path)})
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ErosError(f"{path} is not UTF-8 text: {exc}", code=INVALID_JSON) from exc
    except json.JSONDecodeError as exc:
        raise ErosError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", code=INVALID_JSON
        ) from exc


def submission_from_document(document: Any, source: str, creator: str | None, week: str | None) -> Submission:
    """Items and defaults from a bare list, `{"items": …}` or `eros generate --json` output."""
    fields: dict[str, Any] = {}
    if isinstance(document, list):
        items: Any = document
    elif isinstance(document, dict):
        nested = document.get("schedule")
        schedule: dict[str, Any] = nested if isinstance(nested, dict) else {}
        fields = {**schedule, **{k: v for k, v in document.items() if v is not None}}
        items = document["items"] if "items" in document else schedule.get("items")
    else:
        items = None
    if not isinstance(items, list):
        raise ErosError(
            f"{source} holds no list of items: expected a list, an object with 'items', "
            "or the output of `eros generate --json`",
            code=INVALID_JSON,
        )
    creator_id = creator or fields.get("creator_id")
    week_start = week or fields.get("week_start")
    if not creator_id or not week_start:
        missing = " and ".join(
            name for name, v in (("--creator", creator_id), ("--week", week_start)) if not v
        )
        raise ErosError(f"{source} does not say whose week it is: pass {missing}", code="MISSING_OPTION")
    return Submission(source, str(creator_id), str(week_start), items)


async def saved_submission(client: ToolClient, schedule_id: int) -> Submission:
    answer = await client.call_tool("get_schedules", {"schedule_id": schedule_id, "include_items": True})
    schedules = answer.get("schedules") or []
    if not schedules:
        raise ErosError(f"No saved schedule {schedule_id}", code="SCHEDULE_NOT_FOUND")
    saved = schedules[0]
    return Submission(
        f"schedule {schedule_id}",
        str(saved["creator_id"]),
        str(saved["week_start"]),
        list(saved["items"] or []),
    )


async def judge(
    container: Container, target: str, creator: str | None, week: str | None
) -> tuple[Submission, ValidationResult, dict[str, int]]:
    client = connect_client(container)
    async with client_session(client):
        path = Path(target)
        if target.isdigit() and not path.exists():
            submission = await saved_submission(client, int(target))
        else:
            submission = submission_from_document(read_document(path), str(path), creator, week)
        week_start = parse_week_start(submission.week_start)
        before = client.calls
        context = await PreflightEngine(
            client, learnings_path=container.settings.learnings_path, clock=container.clock
        ).execute(submission.creator_id, week_start)
        after_context = client.calls
        result = await ScheduleValidator(client, container.signing_key, container.clock).validate(
            submission.items, context, known_caption_ids=known_caption_ids(container.uow, submission.items)
        )
    resolved = Submission(submission.source, context.creator_id, week_start.isoformat(), submission.items)
    calls = {"context": after_context - before, "validation": client.calls - after_context}
    return resolved, result, calls


def render(submission: Submission, result: ValidationResult) -> None:
    colour = {"APPROVED": "green", "NEEDS_REVIEW": "yellow", "REJECTED": "red"}[result.status.value]
    console.print(
        f"[bold {colour}]{result.status.value}[/]  score {result.quality_score:.1f}/100  "
        f"{len(submission.items)} items  {submission.creator_id} week of {submission.week_start}  "
        f"({submission.source})"
    )
    if result.violations:
        table = Table(title=f"{len(result.violations)} hard-gate violation(s)")
        for column in ("code", "rule", "items", "why"):
            table.add_column(column, overflow="fold")
        for v in result.violations:
            table.add_row(v.code, v.rule, ", ".join(map(str, v.items)) or "week", v.message)
        console.print(table)
    table = Table(title="quality score")
    for column in ("component", "points", "lost points because"):
        table.add_column(column, overflow="fold")
    for c in result.components:
        table.add_row(c.name, f"{c.points:g}/{c.max_points:g}", "; ".join(c.reasons[:3]))
    console.print(table)
    for recommendation in result.recommendations[:10]:
        console.print(f"• {recommendation}")


def validate(
    target: Annotated[str, typer.Argument(help="A schedule JSON file, or a saved schedule's id.")],
    creator: Annotated[
        str | None,
        typer.Option("--creator", help="Creator id or page name (for a file).", show_default=False),
    ] = None,
    week: Annotated[
        str | None, typer.Option("--week", help="Week start YYYY-MM-DD (for a file).", show_default=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
) -> None:
    """Check a schedule against every hard gate, score it and say APPROVED / NEEDS_REVIEW / REJECTED."""
    container = configured()
    submission, result, calls = asyncio.run(judge(container, target, creator, week))
    if as_json:
        document = {
            "source": submission.source,
            "creator_id": submission.creator_id,
            "week_start": submission.week_start,
            "items": len(submission.items),
            "mcp_calls": calls,
            **result.model_dump(mode="json"),
        }
        typer.echo(json.dumps(document, indent=2))
    else:
        render(submission, result)
    raise typer.Exit(EXIT_CODES[result.status])


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
