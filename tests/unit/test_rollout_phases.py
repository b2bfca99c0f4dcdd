"""The rollout plan's phases as data and the pass / fail / inconclusive analysis (seed 000)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eros.control.phases import FINAL_PHASE, PHASES, REVALIDATION, Criterion, Outcome, analyse_phase, phase

WEEK = timedelta(days=7)

SHADOW_OK = {
    "comparisons": 50,
    "v5_failure_rate": 0.09,
    "quality_diff_avg": -4.9,
    "hard_gate_false_positives": 0,
    "hard_gate_regressions": 0,
}
LIVE_OK = {
    "runs": 20,
    "success_rate": 0.95,
    "min_creator_success_rate": 0.95,
    "p95_latency_s": 119.9,
    "quality_avg": 80.0,
    "quality_min": 70.0,
    "quality_regression": 10.0,
    "hard_gate_violations": 0,
    "hard_gate_rate": 0.0,
    "rollbacks_7d": 0,
}


def test_phases_follow_the_plan_flags() -> None:
    assert [p.name for p in PHASES] == [
        "shadow",
        "canary",
        "early_adopters",
        "percentage_25",
        "percentage_50",
        "percentage_75",
        "full_cutover",
    ]
    assert PHASES[0].flags == {
        "EROS_V5_ENABLED": "true",
        "EROS_V5_SHADOW_MODE": "true",
        "EROS_V5_PERCENTAGE": "0",
        "EROS_V5_CREATORS": "",
    }
    assert PHASES[1].flags["EROS_V5_CREATORS"] == "alexia"
    assert PHASES[2].flags["EROS_V5_CREATORS"] == "alexia,grace_bennett,luna_free"
    assert [p.percentage for p in PHASES[3:]] == [25, 50, 75, 100]
    assert PHASES[6].flags["EROS_V5_CREATORS"] == ""
    assert PHASES[3].min_duration == timedelta(hours=48)
    assert PHASES[1].min_duration == WEEK


def test_phase_lookup_rejects_unknown_numbers() -> None:
    assert phase(FINAL_PHASE).name == "full_cutover"
    with pytest.raises(ValueError, match=r"0\.\.6"):
        phase(7)


def test_shadow_passes_exactly_at_the_plan_thresholds() -> None:
    analysis = analyse_phase(PHASES[0], SHADOW_OK, WEEK)
    assert analysis.outcome is Outcome.PASS, analysis.reasons


@pytest.mark.parametrize(
    ("metric", "value"),
    [
        ("comparisons", 49),
        ("v5_failure_rate", 0.10),
        ("quality_diff_avg", -5.0),
        ("hard_gate_false_positives", 1),
    ],
)
def test_shadow_holds_just_past_each_threshold(metric: str, value: float) -> None:
    analysis = analyse_phase(PHASES[0], {**SHADOW_OK, metric: value}, WEEK)
    assert analysis.outcome is Outcome.INCONCLUSIVE
    assert any(metric in reason for reason in analysis.reasons)


def test_shadow_fails_when_v5_failure_rate_exceeds_twenty_percent() -> None:
    assert analyse_phase(PHASES[0], {**SHADOW_OK, "v5_failure_rate": 0.20}, WEEK).outcome is not Outcome.FAIL
    failed = analyse_phase(PHASES[0], {**SHADOW_OK, "v5_failure_rate": 0.21}, WEEK)
    assert failed.outcome is Outcome.FAIL
    assert "v5_failure_rate > 0.2" in failed.reasons[0]


def test_shadow_fails_on_any_hard_gate_regression() -> None:
    analysis = analyse_phase(PHASES[0], {**SHADOW_OK, "hard_gate_regressions": 1}, WEEK)
    assert analysis.outcome is Outcome.FAIL


def test_minimum_duration_holds_a_phase_whose_metrics_pass() -> None:
    analysis = analyse_phase(PHASES[1], LIVE_OK, WEEK - timedelta(seconds=1))
    assert analysis.outcome is Outcome.INCONCLUSIVE
    assert analysis.reasons[0].startswith("minimum duration not reached")
    assert analyse_phase(PHASES[1], LIVE_OK, WEEK).outcome is Outcome.PASS


def test_percentage_phase_needs_forty_eight_hours() -> None:
    assert analyse_phase(PHASES[3], LIVE_OK, timedelta(hours=47)).outcome is Outcome.INCONCLUSIVE
    assert analyse_phase(PHASES[3], LIVE_OK, timedelta(hours=48)).outcome is Outcome.PASS


@pytest.mark.parametrize(
    ("metric", "held", "failed"),
    [
        ("success_rate", 0.90, 0.899),
        ("quality_min", 70.0, 69.9),
        ("hard_gate_violations", 0, 1),
    ],
)
def test_canary_rollback_triggers_at_their_boundary(metric: str, held: float, failed: float) -> None:
    assert analyse_phase(PHASES[1], {**LIVE_OK, metric: held}, WEEK).outcome is not Outcome.FAIL
    assert analyse_phase(PHASES[1], {**LIVE_OK, metric: failed}, WEEK).outcome is Outcome.FAIL


def test_canary_between_thresholds_is_inconclusive() -> None:
    analysis = analyse_phase(PHASES[1], {**LIVE_OK, "success_rate": 0.93}, WEEK)
    assert analysis.outcome is Outcome.INCONCLUSIVE
    assert "not met: success_rate >= 0.95 (value 0.93)" in analysis.reasons


def test_early_adopters_judge_the_weakest_creator() -> None:
    analysis = analyse_phase(PHASES[2], {**LIVE_OK, "min_creator_success_rate": 0.89}, WEEK)
    assert analysis.outcome is Outcome.FAIL
    regression = analyse_phase(PHASES[2], {**LIVE_OK, "quality_regression": 10.1}, WEEK)
    assert regression.outcome is Outcome.FAIL


@pytest.mark.parametrize(
    ("metric", "held", "failed"),
    [
        ("success_rate", 0.85, 0.849),
        ("p95_latency_s", 180.0, 180.1),
        ("hard_gate_rate", 0.10, 0.11),
        ("quality_avg", 70.0, 69.9),
    ],
)
def test_percentage_automatic_triggers_at_their_boundary(metric: str, held: float, failed: float) -> None:
    assert analyse_phase(PHASES[4], {**LIVE_OK, metric: held}, WEEK).outcome is not Outcome.FAIL
    assert analyse_phase(PHASES[4], {**LIVE_OK, metric: failed}, WEEK).outcome is Outcome.FAIL


def test_cutover_entry_requires_no_rollbacks_in_seven_days() -> None:
    analysis = analyse_phase(PHASES[5], {**LIVE_OK, "rollbacks_7d": 1}, WEEK)
    assert analysis.outcome is Outcome.INCONCLUSIVE
    assert "not met: rollbacks_7d == 0 (value 1)" in analysis.reasons


def test_missing_metrics_are_inconclusive_never_pass() -> None:
    analysis = analyse_phase(PHASES[1], {}, WEEK)
    assert analysis.outcome is Outcome.INCONCLUSIVE
    assert "no data for p95_latency_s < 120" in analysis.reasons


def test_criterion_text_and_evaluation() -> None:
    criterion = Criterion("p95_latency_s", "<", 120.0)
    assert str(criterion) == "p95_latency_s < 120"
    assert criterion.holds({"p95_latency_s": 119.0}) is True
    assert criterion.holds({"p95_latency_s": None}) is None


def test_revalidation_needs_a_clean_day_in_shadow_not_fifty_comparisons() -> None:
    few = {**SHADOW_OK, "comparisons": 3}
    assert analyse_phase(REVALIDATION, few, timedelta(hours=23)).outcome is Outcome.INCONCLUSIVE
    assert analyse_phase(REVALIDATION, few, timedelta(hours=24)).outcome is Outcome.PASS
    failing = {**few, "hard_gate_false_positives": 1}
    assert analyse_phase(REVALIDATION, failing, timedelta(hours=24)).outcome is Outcome.INCONCLUSIVE
