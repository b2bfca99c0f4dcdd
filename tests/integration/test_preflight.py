"""Preflight against the real tools over the sample database: ≤ 4 calls, degradation, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from eros import preflight as runbook
from eros.clock import FixedClock
from eros.db.engine import make_engine
from eros.db.schema import creators
from eros.errors import CreatorNotFound, ErosError, InvalidDate, TransportError
from eros.infra.mcp_clients import InProcessClient
from eros.preflight import MockMCP
from eros.rules.tiers import Tier
from eros.services.preflight import PREFLIGHT_TOOLS, PreflightEngine
from support import FailingTool, tool_env

WEEK = "2026-01-05"
NOW = "2026-01-04T12:00:00Z"
SIGNING_KEY = b"preflight-test-key"


@pytest.fixture
def sample_engine(sample_db_path: Path) -> Iterator[Engine]:
    """The shared sample, read-only (preflight never writes)."""
    engine = make_engine(f"sqlite:///{sample_db_path}")
    yield engine
    engine.dispose()


def _client(engine: Engine, clock: FixedClock) -> InProcessClient:
    return InProcessClient(tool_env(engine, clock, SIGNING_KEY))


async def test_preflight_builds_the_context_in_at_most_four_calls(
    sample_engine: Engine, clock: FixedClock
) -> None:
    client = _client(sample_engine, clock)
    context = await PreflightEngine(client, clock=clock).execute("alexia", WEEK)
    assert client.calls <= 4
    assert context.mcp_calls_made == client.calls
    assert context.page_name == "alexia"
    assert context.volume_config["tier"] == Tier.STANDARD.value
    assert context.volume_config["days"][0]["date"] == WEEK
    assert len(context.volume_config["days"]) == 7
    assert context.vault_types and context.avoid_types
    assert context.captions
    assert context.degraded == ()


async def test_captions_only_show_usable_content(sample_engine: Engine, clock: FixedClock) -> None:
    context = await PreflightEngine(_client(sample_engine, clock), clock=clock).execute("grace_bennett", WEEK)
    shown = {c.content_type for c in context.captions if c.content_type}
    assert shown, "PPV captions carry their content type"
    assert shown <= set(context.vault_types) - set(context.avoid_types)


async def test_volume_config_matches_the_get_volume_config_tool(
    sample_engine: Engine, clock: FixedClock
) -> None:
    client = _client(sample_engine, clock)
    context = await PreflightEngine(client, clock=clock).execute("maya_hill", WEEK)
    tool = await client.call_tool("get_volume_config", {"creator_id": "maya_hill", "week_start": WEEK})
    ours = context.volume_config
    assert ours["tier"] == tool["tier"]
    assert ours["trigger_multiplier"] == tool["trigger_multiplier"]
    assert [(d["revenue"], d["engagement"], d["retention"]) for d in ours["days"]] == [
        (d["revenue"], d["engagement"], d["retention"]) for d in tool["days"]
    ]


@pytest.mark.parametrize("failing", ["get_active_volume_triggers", "get_performance_trends"])
async def test_a_failing_triggers_or_trends_call_degrades_instead_of_failing(
    sample_engine: Engine, clock: FixedClock, failing: str
) -> None:
    client = FailingTool(_client(sample_engine, clock), failing)
    context = await PreflightEngine(client, clock=clock).execute("alexia", WEEK)
    assert len(context.degraded) == 1
    assert failing in context.degraded[0] and "MCP_UNAVAILABLE" in context.degraded[0]
    assert context.volume_config["days"]
    assert context.health.get("status")
    if failing == "get_active_volume_triggers":
        assert context.triggers == ()
        assert context.volume_config["trigger_multiplier"] == 1.0
    else:
        assert context.trends == {}


async def test_a_failing_profile_call_fails_the_preflight(sample_engine: Engine, clock: FixedClock) -> None:
    client = FailingTool(_client(sample_engine, clock), "get_creator_profile")
    with pytest.raises(TransportError):
        await PreflightEngine(client, clock=clock).execute("alexia", WEEK)


async def test_unknown_creator_is_creator_not_found(sample_engine: Engine, clock: FixedClock) -> None:
    client = _client(sample_engine, clock)
    with pytest.raises(CreatorNotFound) as caught:
        await PreflightEngine(client, clock=clock).execute("nobody_by_that_name", WEEK)
    assert caught.value.code == "CREATOR_NOT_FOUND"
    assert client.calls <= len(PREFLIGHT_TOOLS)


async def test_inactive_creator_is_refused(sample_db: Engine, clock: FixedClock) -> None:
    with sample_db.begin() as conn:
        conn.execute(update(creators).where(creators.c.page_name == "alexia").values(is_active=False))
    client = _client(sample_db, clock)
    with pytest.raises(ErosError) as caught:
        await PreflightEngine(client, clock=clock).execute("alexia", WEEK)
    assert caught.value.code == "CREATOR_INACTIVE"
    assert client.calls <= len(PREFLIGHT_TOOLS)


@pytest.mark.parametrize("week", ["2026-1-5", "2026-02-30", "next week", ""])
async def test_a_week_that_is_not_a_strict_date_is_invalid_before_any_call(
    sample_engine: Engine, clock: FixedClock, week: str
) -> None:
    client = _client(sample_engine, clock)
    with pytest.raises(InvalidDate):
        await PreflightEngine(client, clock=clock).execute("alexia", week)
    assert client.calls == 0


async def test_any_weekday_may_start_the_week(sample_engine: Engine, clock: FixedClock) -> None:
    engine = PreflightEngine(_client(sample_engine, clock), clock=clock)
    context = await engine.execute("alexia", "2026-01-06")
    assert context.week_start.isoformat() == "2026-01-06"
    assert context.volume_config["days"][-1]["date"] == "2026-01-12"


async def test_the_runbook_mock_mcp_snippet() -> None:
    mock = MockMCP()
    ctx = await runbook.PreflightEngine(mock).execute("test", "2026-01-06")
    assert ctx.creator_id
    assert ctx.volume_config["tier"] in {t.value for t in Tier}
    assert mock.calls == len(PREFLIGHT_TOOLS)


def test_python_m_eros_preflight_prints_the_context(sample_db_path: Path) -> None:
    env = {**os.environ, "EROS_DB_PATH": str(sample_db_path), "EROS_NOW": NOW}
    env.pop("EROS_DB_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "eros.preflight", "--creator", "alexia", "--week", "2026-01-06"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    context = json.loads(done.stdout)
    assert context["page_name"] == "alexia"
    assert context["week_start"] == "2026-01-06"
    assert context["mcp_calls_made"] <= 4


LEARNINGS = """# LEARNINGS

## HIGH Confidence

### [2026-01-02] No sends at 2 am for alexia
**Pattern**: sends at 02:00 | **Issue**: nobody reads them
**Correction**: keep 02:00 free
**Source**: user | **Violation Code**: USER_CORRECTION
**Applies To**: creator:alexia
**Directive**: {"avoid_hours": [2]}

### [2026-01-02] No sends at 1 am for grace
**Pattern**: sends at 01:00 | **Issue**: nobody reads them
**Correction**: keep 01:00 free
**Source**: user | **Violation Code**: USER_CORRECTION
**Applies To**: creator:grace_bennett
**Directive**: {"avoid_hours": [1]}
"""


async def test_the_learnings_that_apply_to_the_creator_travel_in_the_context(
    sample_engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    path = tmp_path / "LEARNINGS.md"
    path.write_text(LEARNINGS, encoding="utf-8")
    engine = PreflightEngine(_client(sample_engine, clock), learnings_path=path, clock=clock)
    context = await engine.execute("alexia", WEEK)
    assert [learning.title for learning in context.learnings] == ["No sends at 2 am for alexia"]
    assert context.learnings[0].directive == {"avoid_hours": [2]}


async def test_a_bad_learnings_entry_degrades_preflight_and_the_good_ones_still_apply(
    tmp_path: Path, clock: FixedClock
) -> None:
    """Issue 11: one malformed entry (here a merge-conflict marker) must not fail every v5 preflight."""
    learnings = tmp_path / "LEARNINGS.md"
    learnings.write_text(
        "# LEARNINGS\n\n## HIGH Confidence\n\n"
        "### [2026-01-02] No sends at 2 AM\n**Pattern**: sends at 2 AM\n**Issue**: nobody is awake\n"
        "**Correction**: avoid 2 AM\n**Source**: user | **Violation Code**: TIMING\n**Applies To**: all\n"
        '**Directive**: {"avoid_hours": [2]}\n\n<<<<<<< HEAD\n',
        encoding="utf-8",
    )
    engine = PreflightEngine(MockMCP(), learnings_path=learnings, clock=clock)
    context = await engine.execute("test", "2026-01-06")
    assert [learning.title for learning in context.learnings] == ["No sends at 2 AM"]
    assert any("[LEARNINGS_INVALID]" in note for note in context.degraded), context.degraded
