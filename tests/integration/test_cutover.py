"""Rollout plan Phase 4 against a real database: the pre-cutover checklist measured from the rows,
confirmations recorded and audited, the post-cutover checks, and v4's DeprecationWarning."""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from eros.bootstrap import Container, pipeline_monitor, rollout_manager, v4_deprecation_notice
from eros.clock import FixedClock, iso_z
from eros.config import Settings
from eros.db.schema import cutover_confirmations, rollout_transitions
from eros.db.unit_of_work import SqlUnitOfWork
from eros.errors import ErosError
from eros.legacy.plugin import PluginRunner
from eros.services.pipeline_run import PipelineResult, phase_metrics
from eros.services.rollout import RolloutManager, RolloutRefused

CREATORS = ["test", "test_free", "test_premium"]
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def container(mini_db: Engine, clock: FixedClock) -> Container:
    return Container(settings=Settings(db_url=str(mini_db.url)), clock=clock, _engine=mini_db)


@pytest.fixture
def manager(container: Container) -> RolloutManager:
    return rollout_manager(container)


def _v5_run(container: Container, creator: str, *, quality: float = 88.0, status: str = "APPROVED") -> None:
    pipeline_monitor(container).record_execution(
        PipelineResult(
            success=True,
            creator_id=creator,
            week_start="2026-01-05",
            pipeline="v5",
            quality_score=quality,
            validation_status=status,
            metrics={"total": phase_metrics("total", 40_000.0, 4)},
        )
    )


def _at_75_percent_with_clean_runs(container: Container, clock: FixedClock, manager: RolloutManager) -> None:
    """Phase 5 entered now, scored v5 runs 8 days ago, and 48 h later two clean runs per creator."""
    start = clock.now()
    clock.set(start - 8 * DAY)
    _v5_run(container, "test")
    clock.set(start)
    manager.start(actor="lead", reason="earlier phases ran in staging", at_phase=5)
    clock.set(start + 2 * DAY)
    for creator in CREATORS * 2:
        _v5_run(container, creator)


def _rollback_event(container: Container, at: str, action: str = "rollback") -> None:
    with SqlUnitOfWork(container.engine) as uow:
        uow.ops.insert_rollback_event(
            {
                "at": at,
                "action": action,
                "reason": "test",
                "initiator": "oncall",
                "state_after": "rolled_back",
            }
        )
        uow.commit()


def test_advance_to_cutover_is_refused_until_both_confirmations_are_recorded(
    container: Container, clock: FixedClock, manager: RolloutManager
) -> None:
    _at_75_percent_with_clean_runs(container, clock, manager)

    with pytest.raises(RolloutRefused) as refused:
        manager.advance(actor="lead")
    assert refused.value.code == "ROLLOUT_CRITERIA_UNMET"
    message = refused.value.message
    assert "not met: oncall_briefed == 1 (value 0)" in message
    assert "not met: rollback_tested == 1 (value 0)" in message
    assert (
        "On-call engineer briefed: not confirmed in 7 days: `eros rollout confirm briefed --by NAME`"
        in message
    )
    assert "All creators verified" not in message and "No rollbacks" not in message
    checklist = refused.value.details["pre_cutover_checklist"]
    assert [item["met"] for item in checklist] == [True, True, True, False, False]

    manager.confirm("briefed", actor="alice", note="walked through runbook §7")
    with pytest.raises(RolloutRefused, match="Rollback procedure tested"):
        manager.advance(actor="lead")
    manager.confirm("rollback-tested", actor="bob")
    transition = manager.advance(actor="lead")
    assert (transition.to_phase, transition.outcome, transition.forced) == (6, "pass", False)


def test_a_creator_without_an_approved_v5_run_in_seven_days_blocks(
    container: Container, clock: FixedClock, manager: RolloutManager
) -> None:
    _at_75_percent_with_clean_runs(container, clock, manager)
    facts = manager.pre_cutover_facts()
    assert facts.unverified == [] and facts.metrics["quality_change_7d"] == 0.0

    clock.set(clock.now() + 7 * DAY - MINUTE)  # the clean runs are still inside the 7 days
    assert manager.pre_cutover_facts().unverified == []
    clock.set(clock.now() + 2 * MINUTE)
    _v5_run(container, "test_free", status="NEEDS_REVIEW")
    facts = manager.pre_cutover_facts()
    assert facts.unverified == CREATORS
    assert facts.details["creators_unverified"].startswith(
        "3 of 3 active creators without a validated v5 run in 7 days: test, test_free, test_premium"
    )


def test_quality_drop_beyond_five_points_blocks(
    container: Container, clock: FixedClock, manager: RolloutManager
) -> None:
    _at_75_percent_with_clean_runs(container, clock, manager)  # previous 7 days: one run at 88
    for _ in range(6):
        _v5_run(container, "test", quality=82.0)  # last 7 days: six at 88, six at 82 → 85
    assert manager.pre_cutover_facts().metrics["quality_change_7d"] == pytest.approx(-3.0)
    for _ in range(12):
        _v5_run(container, "test", quality=80.0)  # → 82.5: −5.5
    facts = manager.pre_cutover_facts()
    assert facts.metrics["quality_change_7d"] == pytest.approx(-5.5)
    assert (
        facts.details["quality_change_7d"]
        == "v5 quality 82.5 (last 7 d, 24 runs) vs 88.0 (7 d before, 1 runs): -5.5"
    )


@pytest.mark.parametrize(("ago", "blocks"), [(7 * DAY - timedelta(hours=1), True), (7 * DAY + MINUTE, False)])
def test_a_rollback_inside_the_previous_seven_days_blocks(
    container: Container, clock: FixedClock, manager: RolloutManager, ago: timedelta, blocks: bool
) -> None:
    _rollback_event(container, iso_z(clock.now() - ago))
    assert manager.pre_cutover_facts().metrics["rollbacks_7d"] == (1 if blocks else 0)


@pytest.mark.parametrize(("age", "counts"), [(7 * DAY, True), (7 * DAY + MINUTE, False)])
def test_a_confirmation_counts_for_seven_days(
    clock: FixedClock, manager: RolloutManager, age: timedelta, counts: bool
) -> None:
    now = clock.now()
    clock.set(now - age)
    manager.confirm("briefed", actor="alice")
    clock.set(now)
    facts = manager.pre_cutover_facts()
    assert facts.metrics["oncall_briefed"] == (1 if counts else 0)
    assert (facts.details["oncall_briefed"] == f"confirmed by alice at {iso_z(now - age)}") is counts


def test_confirmations_record_who_and_when_and_are_audited(
    container: Container, manager: RolloutManager, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="eros.rollout"):
        row = manager.confirm("rollback-tested", actor=" carol ", note="drill on staging")
    assert (row["item"], row["actor"], row["at"], row["note"]) == (
        "rollback-tested",
        "carol",
        "2026-01-04T12:00:00Z",
        "drill on staging",
    )
    assert "pre-cutover confirmation rollback-tested by carol at 2026-01-04T12:00:00Z" in caplog.text
    manager.confirm("briefed", actor="dave")
    with container.engine.connect() as conn:
        stored = [
            tuple(r)
            for r in conn.execute(select(cutover_confirmations.c.item, cutover_confirmations.c.actor))
        ]
    assert stored == [("rollback-tested", "carol"), ("briefed", "dave")]
    assert [r["actor"] for r in manager.confirmations()] == ["dave", "carol"]


@pytest.mark.parametrize(
    ("item", "actor", "note", "code"),
    [
        ("coffee", "alice", None, "UNKNOWN_CONFIRMATION"),
        ("briefed", "  ", None, "INVALID_ACTOR"),
        ("briefed", "alice", "x" * 501, "NOTE_TOO_LONG"),
    ],
)
def test_bad_confirmations_are_coded_errors_and_store_nothing(
    container: Container, manager: RolloutManager, item: str, actor: str, note: str | None, code: str
) -> None:
    with pytest.raises(ErosError) as error:
        manager.confirm(item, actor=actor, note=note)
    assert error.value.code == code
    assert manager.confirmations() == []


def test_a_forced_cutover_records_the_checklist_it_overrode(
    container: Container, clock: FixedClock, manager: RolloutManager
) -> None:
    manager.start(actor="lead", reason="staging", at_phase=5)
    transition = manager.advance(actor="lead", reason="incident review signed off", force=True)
    assert transition.forced and transition.to_phase == 6
    with container.engine.connect() as conn:
        analysis = conn.execute(
            select(rollout_transitions.c.analysis_json).order_by(rollout_transitions.c.id.desc())
        ).scalar()
    assert analysis is not None and "not met: oncall_briefed == 1 (value 0)" in analysis


def test_post_cutover_checks_appear_once_in_full_cutover(
    container: Container, clock: FixedClock, manager: RolloutManager
) -> None:
    manager.start(actor="lead", reason="staging", at_phase=5)
    assert manager.status().post_cutover == ()
    assert manager.status().pre_cutover[0].label == "All creators verified in v5"
    manager.advance(actor="lead", reason="drill", force=True)
    clock.set(clock.now() + timedelta(hours=23))
    status = manager.status()
    assert status.pre_cutover == ()
    assert [(i.label, i.met) for i in status.post_cutover] == [
        ("Monitor for 24 hours continuously", None),
        ("Verify all scheduled jobs execute", False),
        ("Compare week-over-week revenue", None),
    ]
    clock.set(clock.now() + timedelta(hours=1))
    assert manager.status().post_cutover[0].met is True
    _rollback_event(container, iso_z(clock.now() - timedelta(hours=2)))
    assert (
        manager.status().post_cutover[0].detail == "rollback at 2026-01-05 10:00 UTC, within 24 h of cutover"
    )


# --- v4 deprecation -----------------------------------------------------------------------------


def _plugin(container: Container) -> PluginRunner:
    def generator(creator_id: str, week_start: str) -> PipelineResult:
        return PipelineResult(success=True, creator_id=creator_id, week_start=week_start, pipeline="v4")

    return PluginRunner(
        "tests:generator",
        generator,
        lambda: pytest.fail("the plug-in returns a PipelineResult: no client needed"),
        b"k",
        container.clock,
        deprecation=v4_deprecation_notice(container),
    )


async def test_v4_warns_deprecated_after_cutover_and_not_before(
    container: Container, clock: FixedClock, manager: RolloutManager, caplog: pytest.LogCaptureFixture
) -> None:
    runner = _plugin(container)
    manager.start(actor="lead", reason="staging", at_phase=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (await runner("test", "2026-01-05")).success

    manager.advance(actor="lead", reason="drill", force=True)
    with (
        caplog.at_level(logging.WARNING, logger="eros.legacy"),
        pytest.warns(DeprecationWarning, match="may be removed from 2026-02-03 12:00 UTC") as record,
    ):
        assert (await runner("test", "2026-01-05")).success
        await runner("test", "2026-01-05")
    assert Path(record[0].filename) == Path(__file__), "the warning points at the caller of the v4 runner"
    assert [r.name for r in caplog.records if "deprecated" in r.getMessage()] == ["eros.legacy"]


def test_removal_date_in_status_is_cutover_plus_thirty_days(
    container: Container, clock: FixedClock, manager: RolloutManager
) -> None:
    assert not manager.status().v4.deprecated
    manager.start(actor="lead", reason="staging", at_phase=6)
    clock.set(clock.now() + timedelta(days=30) - MINUTE)
    v4 = manager.status().v4
    assert v4.as_dict()["removable_at"] == "2026-02-03T12:00:00Z" and v4.removable is False
    clock.set(clock.now() + MINUTE)
    assert manager.v4_status().removable is True
