"""Rollout plan Phase 4, pure: the pre-cutover checklist gates, the post-cutover checks and the
v4 deprecation window, each pinned at its boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from eros.control.cutover import (
    monitor_24h,
    pre_cutover_checklist,
    quality_change,
    scheduled_jobs,
    unverified_creators,
    v4_deprecation,
    week_over_week_revenue,
)
from eros.control.phases import PHASES, QUALITY_STABLE_TOLERANCE, V4_RETENTION, Outcome, analyse_phase

CUTOVER = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
LIVE_OK = {
    "runs": 20,
    "success_rate": 0.97,
    "p95_latency_s": 90.0,
    "quality_avg": 86.0,
    "hard_gate_violations": 0,
    "hard_gate_rate": 0.0,
}
CHECKLIST_OK = {
    "creators_unverified": 0,
    "rollbacks_7d": 0,
    "quality_change_7d": 0.0,
    "oncall_briefed": 1,
    "rollback_tested": 1,
}


def test_the_75_percent_phase_passes_to_cutover_only_with_the_whole_checklist() -> None:
    assert analyse_phase(PHASES[5], {**LIVE_OK, **CHECKLIST_OK}, timedelta(hours=48)).outcome is Outcome.PASS


@pytest.mark.parametrize(
    ("metric", "failing", "reason"),
    [
        ("creators_unverified", 1, "not met: creators_unverified == 0 (value 1)"),
        ("rollbacks_7d", 1, "not met: rollbacks_7d == 0 (value 1)"),
        ("quality_change_7d", -5.01, "not met: quality_change_7d >= -5 (value -5.01)"),
        ("oncall_briefed", 0, "not met: oncall_briefed == 1 (value 0)"),
        ("rollback_tested", 0, "not met: rollback_tested == 1 (value 0)"),
    ],
)
def test_each_checklist_item_alone_blocks_the_advance_to_cutover(
    metric: str, failing: float, reason: str
) -> None:
    analysis = analyse_phase(PHASES[5], {**LIVE_OK, **CHECKLIST_OK, metric: failing}, timedelta(hours=48))
    assert analysis.outcome is Outcome.INCONCLUSIVE
    assert analysis.reasons == (reason,)


def test_quality_is_stable_down_to_the_tolerance_and_unmeasured_quality_blocks() -> None:
    assert QUALITY_STABLE_TOLERANCE == 5.0
    at_edge = {**LIVE_OK, **CHECKLIST_OK, "quality_change_7d": -5.0}
    assert analyse_phase(PHASES[5], at_edge, timedelta(hours=48)).outcome is Outcome.PASS
    assert quality_change([80.0, 84.0], [87.0]) == pytest.approx(-5.0)
    assert quality_change([], [87.0]) is None
    unmeasured = analyse_phase(PHASES[5], {**at_edge, "quality_change_7d": None}, timedelta(hours=48))
    assert unmeasured.reasons == ("no data for quality_change_7d >= -5",)


def test_only_a_successful_approved_gate_clean_run_verifies_a_creator() -> None:
    def run(
        creator: str, success: bool = True, status: str | None = "APPROVED", gates: int = 0
    ) -> dict[str, object]:
        return {
            "creator_id": creator,
            "success": success,
            "validation_status": status,
            "hard_gate_violations": gates,
        }

    runs = [
        run("a"),
        run("b", success=False),
        run("c", status="NEEDS_REVIEW"),
        run("d", gates=1),
        run("e", status=None),
    ]
    assert unverified_creators(["a", "b", "c", "d", "e", "f"], runs) == ["b", "c", "d", "e", "f"]


def test_checklist_items_carry_the_plans_words_and_the_measured_detail() -> None:
    items = pre_cutover_checklist(
        {**CHECKLIST_OK, "oncall_briefed": 0}, {"rollbacks_7d": "no rollback in 7 days"}
    )
    assert [(i.label, i.met) for i in items] == [
        ("All creators verified in v5", True),
        ("No rollbacks in previous 7 days", True),
        ("Quality metrics stable or improved", True),
        ("On-call engineer briefed", False),
        ("Rollback procedure tested", True),
    ]
    assert items[1].detail == "no rollback in 7 days"
    assert items[3].detail == "oncall_briefed == 1 (value 0)"


# --- v4 deprecation ------------------------------------------------------------------------------


def test_v4_is_removable_exactly_thirty_days_after_cutover() -> None:
    assert timedelta(days=30) == V4_RETENTION
    before = v4_deprecation(CUTOVER, [], CUTOVER + V4_RETENTION - MINUTE)
    at = v4_deprecation(CUTOVER, [], CUTOVER + V4_RETENTION)
    assert before.deprecated and not before.removable
    assert at.removable and at.removable_at == datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
    assert before.note() == (
        "deprecated since cutover 2026-02-01 09:30 UTC; may be removed from 2026-03-03 09:30 UTC "
        "(not removable yet)"
    )
    assert at.note().endswith("(removable now)")


def test_without_cutover_v4_is_not_deprecated() -> None:
    status = v4_deprecation(None, [(CUTOVER, "rollback")], CUTOVER)
    assert not status.deprecated and not status.removable and status.removable_at is None
    assert status.note() == "in service (full cutover not recorded)"


def test_a_rollback_after_cutover_restarts_the_thirty_days_at_the_restore() -> None:
    rollback, restore = CUTOVER + timedelta(days=20), CUTOVER + timedelta(days=21)
    rolled_back = v4_deprecation(CUTOVER, [(rollback, "rollback")], CUTOVER + timedelta(days=60))
    assert rolled_back.removable_at is None and not rolled_back.removable
    assert "restart at its restore" in rolled_back.note()

    events = [(restore, "restore"), (rollback, "rollback")]  # any order: they are sorted by time
    assert v4_deprecation(CUTOVER, events, restore + V4_RETENTION - MINUTE).removable is False
    restored = v4_deprecation(CUTOVER, events, restore + V4_RETENTION)
    assert restored.removable and restored.stable_since == restore


def test_events_before_cutover_and_a_restore_without_rollback_change_nothing() -> None:
    events = [(CUTOVER - MINUTE, "rollback"), (CUTOVER + timedelta(days=3), "restore")]
    assert v4_deprecation(CUTOVER, events, CUTOVER + V4_RETENTION).stable_since == CUTOVER


# --- post-cutover ---------------------------------------------------------------------------------


def test_the_24_hour_watch_is_pending_until_24_hours_and_fails_on_an_incident_inside_it() -> None:
    assert monitor_24h(CUTOVER, CUTOVER + timedelta(hours=24) - MINUTE, []).met is None
    assert monitor_24h(CUTOVER, CUTOVER + timedelta(hours=24), []).met is True
    late = [(CUTOVER + timedelta(hours=24), "alert V5_LATENCY_WARNING")]
    assert monitor_24h(CUTOVER, CUTOVER + timedelta(days=2), late).met is True
    inside = monitor_24h(CUTOVER, CUTOVER + timedelta(days=2), [(CUTOVER + timedelta(hours=23), "rollback")])
    assert inside.met is False and inside.detail == "rollback at 2026-02-02 08:30 UTC, within 24 h of cutover"


def test_every_active_creator_needs_a_schedule_for_the_week() -> None:
    week = date(2026, 2, 2)
    assert scheduled_jobs(["a", "b"], ["a", "b", "z"], week).met is True
    missing = scheduled_jobs(["a", "b", "c"], ["a"], week)
    assert missing.met is False and missing.detail == "2 of 3 creators have no schedule for 2026-02-02: b, c"


def test_week_over_week_revenue_compares_to_the_cent() -> None:
    week = date(2026, 2, 2)
    assert week_over_week_revenue(1000.0, 1000.0, week).met is True
    lower = week_over_week_revenue(999.99, 1000.0, week)
    assert lower.met is False and lower.detail.endswith("$999.99 vs $1,000.00 the week before (-0.0%)")
    assert week_over_week_revenue(None, 1000.0, week).met is None
