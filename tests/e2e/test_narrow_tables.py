"""80-column terminals (issue 12 item 9): the demo/`generate --all` summary, `eros run` and the
calendar keep full creator ids, tiers, revenues and dates; notes wrap instead of being cut."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from sqlalchemy import Engine

from eros.cli import generate_commands, ops_commands, render
from eros.cli.app import run
from support import clear_flag_variables

NARROW = 80
NOTE = "v5 failed, served by v4: generator: [RUN_TIMEOUT] v5 run exceeded 180s; and a long tail to wrap"


def _row(creator_id: str, tier: str, status: str, revenue: float) -> dict[str, object]:
    return {
        "creator_id": creator_id,
        "tier": tier,
        "items": 205,
        "status": status,
        "score": 93.0,
        "expected_revenue": revenue,
        "ms": 2716.0,
        "mcp_calls": 7,
        "success": status == "APPROVED",
    }


def _render(table: object, width: int) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(table)
    return out.getvalue()


@pytest.mark.parametrize("width", [NARROW, render.SUMMARY_FULL_WIDTH - 1, render.SUMMARY_FULL_WIDTH])
def test_the_summary_never_cuts_ids_tiers_statuses_or_revenues(width: int) -> None:
    rows = [
        _row("camila_cruz_free_xx", "HIGH_VALUE", "APPROVED", 33476.12),
        _row("valentina_cruz", "PREMIUM", "NEEDS_REVIEW", 114381.5),
    ]
    text = _render(render.summary_table(rows, "Week of 2026-12-07 · pipeline v5", width), width)
    assert max(len(line) for line in text.splitlines()) <= width and "…" not in text
    for cell in ("camila_cruz_free_xx", "valentina_cruz", "HIGH_VALUE", "NEEDS_REVIEW", "$33,476.12"):
        assert cell in text
    assert "$114,381.50" in text and "2026-12-07" in text
    wide = width >= render.SUMMARY_FULL_WIDTH
    assert ("┃ MCP calls ┃" in text) is wide and ("· 5.4 s · 14 MCP calls" in text) is not wide


@pytest.fixture
def narrow_cli(sample_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    clear_flag_variables(monkeypatch)
    monkeypatch.setenv("COLUMNS", str(NARROW))
    for key, value in {
        "EROS_DB_PATH": str(sample_db.url.database),
        "EROS_NOW": "2026-01-04T12:00:00Z",
        "EROS_MCP_TRANSPORT": "inprocess",
    }.items():
        monkeypatch.setenv(key, value)
    # Rich reads COLUMNS when a console is made (at import, under conftest's 200): narrow them now.
    for module in (generate_commands, ops_commands):
        monkeypatch.setattr(module.console, "width", NARROW)


def test_the_router_table_keeps_ids_and_wraps_its_notes(
    narrow_cli: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def batch(*args: object, **kwargs: object) -> list[dict[str, object]]:
        row = {"pipeline": "v4", "success": True, "total_items": 139, "quality_score": 94.6}
        return [{**row, "creator_id": cid, "schedule_id": 1, "errors": [NOTE]} for cid in args[1]]  # type: ignore[attr-defined]

    monkeypatch.setattr(ops_commands, "_run_batch", batch)
    assert run(["run", "aria_vale", "camila_cruz_free", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= NARROW and "…" not in out
    assert "aria_vale" in out and "camila_cruz_free" in out
    assert "a long tail to wrap" in " ".join(line.strip("│ ") for line in out.splitlines())


def test_the_calendar_keeps_every_date(narrow_cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["generate", "aria_vale", "--week", "2026-01-05"]) == 0
    capsys.readouterr()
    assert run(["show", "aria_vale"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= NARROW
    assert "aria_vale" in out and "2026-01-05" in out
    for day in (
        "Mon 05 Jan",
        "Tue 06 Jan",
        "Wed 07 Jan",
        "Thu 08 Jan",
        "Fri 09 Jan",
        "Sat 10 Jan",
        "Sun 11 Jan",
    ):
        assert day in out
