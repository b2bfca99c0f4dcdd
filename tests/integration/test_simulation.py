"""The rollout rehearsal (ARCHITECTURE D9): the plan's timeline without faults, and with them
alerts fire, the automatic rollback triggers and traffic returns to v4 (seed 000, runbook §5/§7)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest
from sqlalchemy import Engine, select

from eros.bootstrap import rehearsal
from eros.config import load_settings
from eros.db.schema import pipeline_runs, rollback_events
from eros.db.unit_of_work import SqlUnitOfWork
from eros.errors import InvalidInput
from eros.services.pipeline_run import PipelineResult, PipelineRunner, phase_metrics
from eros.services.simulation import (
    Fault,
    Replay,
    SimulationResult,
    active_creators,
    parse_fault,
    rehearsal_settings,
    simulate_rollout,
)

START = date(2026, 1, 4)


def fake(pipeline: str, seconds: float, quality: float, mcp_calls: int) -> PipelineRunner:
    """A deterministic stand-in for a pipeline: always succeeds, takes `seconds` of simulated time."""

    async def run(creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        return PipelineResult(
            success=True,
            creator_id=creator_id,
            week_start=week_start,
            pipeline=pipeline,
            quality_score=quality,
            validation_status="APPROVED",
            expected_revenue=1000.0,
            metrics={"total": phase_metrics("total", seconds * 1000, mcp_calls)},
            dry_run=dry_run,
        )

    return run


RUNNERS = {"v4": fake("v4", 20, 80.0, 50), "v5": fake("v5", 15, 88.0, 4)}


def roster(engine: Engine, size: int) -> list[str]:
    names = active_creators(lambda: SqlUnitOfWork(engine))
    return sorted({"alexia", "grace_bennett", "luna_free", *names[:size]})


async def rehearse(
    engine: Engine, *, days: int, faults: Sequence[Fault] = (), from_phase: int = 0, size: int = 5
) -> SimulationResult:
    return await simulate_rollout(
        rehearsal(engine),
        start=START,
        days=days,
        faults=faults,
        roster=roster(engine, size),
        runners=RUNNERS,
        from_phase=from_phase,
    )


def _advances(result: SimulationResult) -> list[tuple[str, str]]:
    return [(e.at[:10], e.text.split(" — ")[0]) for e in result.timeline if e.kind == "rollout"]


async def test_clean_rehearsal_follows_the_plan_to_full_cutover(sample_db: Engine) -> None:
    result = await rehearse(sample_db, days=35)

    assert result.completed and result.final_phase == 6
    assert result.rollbacks == 0 and not result.alerts
    assert _advances(result) == [
        ("2026-01-04", "start: phase - → 0"),
        ("2026-01-11", "pass: phase 0 → 1"),  # shadow: 7 days and >= 50 comparisons
        ("2026-01-18", "pass: phase 1 → 2"),  # canary: 7 days stable
        ("2026-01-25", "pass: phase 2 → 3"),  # early adopters: 7 days all stable
        ("2026-01-27", "pass: phase 3 → 4"),  # 25 %: 48 h
        ("2026-01-29", "pass: phase 4 → 5"),  # 50 %: 48 h
        ("2026-01-31", "pass: phase 5 → 6"),  # 75 %: 48 h, then full cutover
    ]
    assert [d.routes for d in result.days[:1]] == [{"shadow": len(roster(sample_db, 5))}]
    assert result.days[-1].routes == {"v5": len(roster(sample_db, 5))}
    assert [d.action for d in result.days[-2:]] == ["waiting", "full cutover stable (plan complete)"]
    rows = {row["metric"]: row for row in result.final_validation}
    assert rows["MCP calls"]["v5_measured"] == 4.0 and rows["MCP calls"]["v4_measured"] == 50.0
    assert all(row["met"] for row in rows.values())


async def test_failure_fault_alerts_rolls_back_and_returns_traffic_to_v4(sample_db: Engine) -> None:
    result = await rehearse(sample_db, days=2, faults=[parse_fault("failure:50%")], from_phase=3, size=12)

    assert result.alerts["V5_SUCCESS_CRITICAL"] == 1
    assert result.alerts["V5_AUTO_ROLLBACK"] == 1
    assert result.rollbacks == 1
    with sample_db.connect() as conn:
        event = (
            conn.execute(select(rollback_events).where(rollback_events.c.action == "rollback"))
            .mappings()
            .one()
        )
        after = list(
            conn.execute(
                select(pipeline_runs.c.pipeline, pipeline_runs.c.route_reason).where(
                    pipeline_runs.c.started_at > event["at"], pipeline_runs.c.started_at < "2026-01-05"
                )
            )
        )
    assert event["automatic"] and event["initiator"] == "auto" and "success_rate" in event["reason"]
    assert after, "the batch goes on after the rollback"
    assert {pipeline for pipeline, _ in after} == {"v4"}
    assert {reason for _, reason in after} == {"rolled_back"}
    kinds = [e.kind for e in result.timeline]
    assert kinds.index("alert") < kinds.index("rollback") < kinds.index("restore")
    assert _advances(result)[-1] == ("2026-01-05", "abort: phase 3 → 0")
    assert result.days[1].routes == {"shadow": len(roster(sample_db, 12))}, (
        "fixed and re-validating in shadow"
    )


async def test_latency_fault_rolls_back_after_three_slow_runs(sample_db: Engine) -> None:
    result = await rehearse(
        sample_db, days=1, faults=[parse_fault("latency:200@day=0")], from_phase=3, size=12
    )

    assert result.rollbacks == 1
    assert result.alerts["V5_AUTO_ROLLBACK"] == 1
    rollback = next(e for e in result.timeline if e.kind == "rollback")
    assert "p95_latency" in rollback.text and "3 consecutive runs" in rollback.text
    assert result.days[0].v5_failures == 0, "slow runs still serve their schedules"


async def test_rehearsal_without_fault_at_the_same_phase_stays_up(sample_db: Engine) -> None:
    result = await rehearse(sample_db, days=1, from_phase=3, size=12)
    assert result.rollbacks == 0 and not result.alerts
    assert result.days[0].routes["v5"] >= 5


def test_fault_specs() -> None:
    assert parse_fault("failure:0.2") == Fault("failure", 0.2)
    assert parse_fault("FAILURE:20%@phase=1") == Fault("failure", 0.2, from_phase=1)
    assert parse_fault("latency:200@day=3") == Fault("latency", 200.0, from_phase=None, from_day=3)
    for bad in ("boom:1", "failure", "failure:x", "failure:1.5", "gates:0.1@week=2"):
        with pytest.raises(InvalidInput):
            parse_fault(bad)


async def test_replay_runs_each_creator_week_once_and_hands_out_copies() -> None:
    calls: list[tuple[str, bool]] = []
    base = fake("v5", 15, 88.0, 4)

    async def counted(creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        calls.append((creator_id, dry_run))
        return await base(creator_id, week_start, dry_run=dry_run)

    replay = Replay(counted)
    first = await replay("alexia", "2026-01-05", dry_run=True)
    first.quality_score = 1.0
    second = await replay("alexia", "2026-01-05")
    await replay("grace_bennett", "2026-01-05")
    assert calls == [("alexia", True), ("grace_bennett", False)]
    assert second.quality_score == 88.0


def test_rehearsal_settings_reach_nothing_real(sample_db: Engine) -> None:
    operator = load_settings(
        {
            "EROS_DB_PATH": "/srv/eros/prod.db",
            "EROS_V5_ENABLED": "false",
            "EROS_MCP_TRANSPORT": "stdio",
            "EROS_SLACK_WEBHOOK_URL": "https://hooks.example/x",
            "EROS_PAGERDUTY_ROUTING_KEY": "key",
            "EROS_LEARNINGS_PATH": "/srv/eros/LEARNINGS.md",
        }
    )
    safe = rehearsal_settings(operator, str(sample_db.url))
    assert safe.db_url == str(sample_db.url)
    assert safe.mcp_transport == "inprocess"
    assert safe.slack_webhook_url is None and safe.pagerduty_routing_key is None
    assert not any(k.startswith("EROS_V5_") or k == "EROS_DB_PATH" for k in safe.environ)
    assert str(safe.learnings_path) == "/srv/eros/LEARNINGS.md"
