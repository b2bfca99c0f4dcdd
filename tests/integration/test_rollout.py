"""RolloutManager against a real SQLite file: phase persisted, flags set, advancing gated and recorded."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from eros.bootstrap import Container, feature_flags, pipeline_monitor, pipeline_router, rollout_manager
from eros.clock import FixedClock
from eros.config import Settings
from eros.db.rollout_repo import RolloutRepository
from eros.db.schema import flag_audit, rollout_transitions
from eros.errors import ErosError
from eros.services.pipeline_run import PipelineResult, phase_metrics
from eros.services.rollout import RolloutRefused


@pytest.fixture
def container(empty_db: Engine, clock: FixedClock) -> Container:
    return Container(settings=Settings(db_url=str(empty_db.url)), clock=clock, _engine=empty_db)


def _comparisons(container: Container, n: int, *, failed: int = 0, quality_diff: float = 1.0) -> None:
    at = container.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    with container.engine.begin() as conn:
        for i in range(n):
            RolloutRepository(conn).insert_comparison(
                {
                    "creator_id": f"c{i}",
                    "week_start": "2026-01-05",
                    "created_at": at,
                    "outcome": "v5_error" if i < failed else "mismatched",
                    "v4_quality": 80.0,
                    "v5_quality": None if i < failed else 80.0 + quality_diff,
                    "quality_diff": None if i < failed else quality_diff,
                    "hard_gate_false_positives": 0,
                },
            )


def _v5_runs(
    container: Container, creator: str, n: int, *, success: bool = True, quality: float = 88.0
) -> None:
    monitor = pipeline_monitor(container)
    for _ in range(n):
        monitor.record_execution(
            PipelineResult(
                success=success,
                creator_id=creator,
                week_start="2026-01-05",
                pipeline="v5",
                quality_score=quality,
                metrics={"total": phase_metrics("total", 40_000.0, 4)},
            )
        )


def test_start_enters_shadow_and_sets_its_flags(container: Container) -> None:
    manager = rollout_manager(container)
    assert manager.status().phase is None
    transition = manager.start(actor="ops", reason="week 1")
    assert (transition.from_phase, transition.to_phase, transition.outcome) == (None, 0, "start")
    flags = feature_flags(container)
    assert flags.v5_enabled and flags.shadow_mode and flags.v5_percentage == 0
    assert pipeline_router(container).decide("alexia").pipeline.value == "shadow"
    with container.engine.connect() as conn:
        audit = list(conn.execute(select(flag_audit.c.key, flag_audit.c.actor, flag_audit.c.reason)))
    assert ("EROS_V5_SHADOW_MODE", "ops", "rollout phase 0 (shadow)") in audit


def test_advance_is_refused_with_reasons_until_shadow_criteria_hold(container: Container) -> None:
    manager = rollout_manager(container)
    manager.start(actor="ops")
    _comparisons(container, 49)
    with pytest.raises(RolloutRefused) as refused:
        manager.advance(actor="ops")
    assert refused.value.details["outcome"] == "inconclusive"
    assert any("comparisons" in r for r in refused.value.details["reasons"])
    assert any("minimum duration" in r for r in refused.value.details["reasons"])

    container.clock.advance(timedelta(days=7))  # type: ignore[attr-defined]
    _comparisons(container, 1)
    transition = manager.advance(actor="ops", reason="shadow clean")
    assert (transition.to_phase, transition.outcome, transition.forced) == (1, "pass", False)
    assert pipeline_router(container).decide("alexia").reason == "allowlisted"
    assert pipeline_router(container).decide("grace_bennett").pipeline.value == "v4"


def test_failed_shadow_analysis_says_fail(container: Container) -> None:
    manager = rollout_manager(container)
    manager.start(actor="ops")
    _comparisons(container, 50, failed=11)
    analysis = manager.analyse()
    assert analysis is not None and analysis.outcome.value == "fail"


def test_forced_advance_needs_a_reason_and_is_recorded(container: Container) -> None:
    manager = rollout_manager(container)
    manager.start(actor="ops")
    with pytest.raises(Exception, match="reason"):
        manager.advance(actor="ops", force=True)
    manager.advance(actor="lead", force=True, reason="shadow data from staging")
    with container.engine.connect() as conn:
        last = (
            conn.execute(select(rollout_transitions).order_by(rollout_transitions.c.id.desc()))
            .mappings()
            .first()
        )
    assert last is not None
    assert (last["forced"], last["actor"], last["reason"]) == (True, "lead", "shadow data from staging")
    assert json.loads(last["analysis_json"])["outcome"] == "inconclusive"


def test_canary_judges_v5_runs_since_the_phase_began(container: Container) -> None:
    manager = rollout_manager(container)
    manager.start(actor="ops")
    manager.advance(actor="ops", force=True, reason="skip shadow in test")
    _v5_runs(container, "alexia", 6)
    _v5_runs(container, "alexia", 1, success=False)
    container.clock.advance(timedelta(days=7))  # type: ignore[attr-defined]
    analysis = manager.analyse()
    assert analysis is not None
    assert analysis.metrics["success_rate"] == pytest.approx(6 / 7)
    assert analysis.outcome.value == "fail"  # 85.7 % < the canary's 90 % trigger


def test_hold_and_abort_are_recorded_and_abort_returns_to_shadow(container: Container) -> None:
    manager = rollout_manager(container)
    manager.start(actor="ops")
    manager.advance(actor="ops", force=True, reason="test")
    manager.hold("waiting for the weekend", actor="ops")
    manager.abort("quality regression on alexia", actor="oncall")
    status = manager.status()
    assert status.phase is not None and status.phase.number == 0
    assert [t["outcome"] for t in status.transitions] == ["abort", "hold", "inconclusive", "start"]
    assert status.transitions[0]["actor"] == "oncall"
    assert pipeline_router(container).decide("alexia").pipeline.value == "shadow"


def test_final_validation_table_from_measured_runs(container: Container) -> None:
    _v5_runs(container, "alexia", 4, quality=90.0)
    rows = {row["metric"]: row for row in rollout_manager(container).final_validation()}
    assert rows["Execution time"]["v5_actual"] == "40.0s" and rows["Execution time"]["met"] is True
    assert rows["MCP calls"]["v5_measured"] == 4.0
    assert rows["Success rate"]["v5_actual"] == "100.0%"
    assert rows["Quality score"]["met"] is True
    assert rows["Quality score"]["v4_baseline"] == "~80 (measured TBD)"


def test_after_an_abort_a_clean_day_in_shadow_resumes_at_the_last_stable_phase(container: Container) -> None:
    manager = rollout_manager(container)
    manager.start(actor="ops")
    for _ in range(3):
        manager.advance(actor="ops", force=True, reason="test")
    manager.abort("success rate below 85 % at 25 %", actor="oncall")
    status = manager.status()
    assert status.criteria is not None and status.criteria.name == "shadow_revalidation"
    assert status.next_phase is not None and status.next_phase.name == "early_adopters"
    _comparisons(container, 3)
    with pytest.raises(RolloutRefused, match="minimum duration"):
        manager.advance(actor="ops")
    container.clock.advance(timedelta(hours=24))  # type: ignore[attr-defined]
    transition = manager.advance(actor="ops", reason="fix validated in shadow")
    assert (transition.from_phase, transition.to_phase, transition.outcome) == (0, 2, "pass")
    assert feature_flags(container).v5_creators == ("alexia", "grace_bennett", "luna_free")


def test_abort_only_goes_back(container: Container) -> None:
    manager = rollout_manager(container)
    manager.start(actor="ops")
    with pytest.raises(ErosError, match="goes back"):
        manager.abort("typo", actor="ops", to_phase=3)
    manager.abort("restart the shadow week", actor="ops")  # shadow → shadow restarts its clock
    manager.advance(actor="ops", force=True, reason="test")
    with pytest.raises(ErosError, match="goes back"):
        manager.abort("same phase", actor="ops", to_phase=1)
