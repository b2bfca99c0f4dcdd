"""The rollout plan's phases 0–6 as data, and the pure analysis that decides whether a phase passed.

Pure: no I/O, no clock, no environment. `eros.rollout.RolloutManager` measures the metrics
(from the monitor's runs and the shadow comparisons) and calls `analyse_phase`.

Numbering (seed 000 + issue 7): 0 shadow, 1 canary, 2 early adopters, 3/4/5 the percentage
sub-phases 3a/3b/3c (25/50/75 %), 6 full cutover. The outcome follows Argo Rollouts:
PASS (promote), FAIL (a rollback trigger fired: roll back), INCONCLUSIVE (too little data,
too little time, or between the thresholds: hold for a person).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import StrEnum

from eros.control.slo import DEFAULT_SLO

#: The cohort the plan names (seed 000, Phases 1 and 2); kept allowlisted through the percentages
#: so early adopters never drop back to v4 while their bucket is above the percentage.
CANARY_CREATORS = ("alexia",)
EARLY_ADOPTERS = ("alexia", "grace_bennett", "luna_free")

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
}

#: What each metric means; RolloutManager measures them over the phase's window.
METRIC_DESCRIPTIONS: dict[str, str] = {
    "comparisons": "shadow comparisons recorded",
    "v5_failure_rate": "share of shadow runs where v5 failed or timed out",
    "quality_diff_avg": "mean quality difference v5 − v4 over shadow comparisons",
    "hard_gate_false_positives": "v5 gate violations a fresh re-check did not confirm",
    "hard_gate_regressions": "shadow runs where v5 broke a hard gate v4 did not",
    "runs": "v5 production runs",
    "success_rate": "v5 success rate",
    "min_creator_success_rate": "lowest v5 success rate of any creator",
    "p95_latency_s": "v5 p95 duration in seconds",
    "quality_avg": "mean v5 quality score",
    "quality_min": "lowest v5 quality score",
    "quality_regression": "v4 mean quality − v5 mean quality",
    "hard_gate_violations": "v5 runs with a hard-gate violation",
    "hard_gate_rate": "share of v5 runs with a hard-gate violation",
    "rollbacks_7d": "rollbacks in the previous 7 days",
    "creators_unverified": "active creators without a successful, APPROVED v5 run in the previous 7 days",
    "quality_change_7d": "mean v5 quality of the last 7 days − that of the 7 days before",
    "oncall_briefed": "1 when an on-call briefing was confirmed in the previous 7 days",
    "rollback_tested": "1 when a rollback-procedure test was confirmed in the previous 7 days",
}

# --- Phase 4 (full cutover): the pre-cutover checklist, the post-cutover tasks, v4 deprecation ----

#: "No rollbacks in previous 7 days" — and the same look-back for every measured or confirmed
#: pre-cutover item: a creator's verifying v5 run, each quality window, a briefing or rollback test.
CUTOVER_LOOKBACK = timedelta(days=7)
#: "Quality metrics stable or improved": the last 7 days' v5 quality average may sit at most this
#: far below the 7 days before — the plan's own band for "equivalent" quality (Phase 0: diff > −5).
QUALITY_STABLE_TOLERANCE = 5.0
#: "Monitor for 24 hours continuously" after cutover.
POST_CUTOVER_WATCH = timedelta(hours=24)
#: "Keep v4 code path available for 30 days … remove after 30 days of stable v5 operation".
V4_RETENTION = timedelta(days=30)


class Confirmation(StrEnum):
    """The pre-cutover items only a person can attest (`eros rollout confirm ITEM --by NAME`)."""

    BRIEFED = "briefed"
    ROLLBACK_TESTED = "rollback-tested"


#: The plan's Pre-Cutover Checklist, item by item: (the metric that measures it, the plan's words).
PRE_CUTOVER_CHECKLIST: tuple[tuple[str, str], ...] = (
    ("creators_unverified", "All creators verified in v5"),
    ("rollbacks_7d", "No rollbacks in previous 7 days"),
    ("quality_change_7d", "Quality metrics stable or improved"),
    ("oncall_briefed", "On-call engineer briefed"),
    ("rollback_tested", "Rollback procedure tested"),
)
#: Which confirmation each confirmed checklist metric reads.
CONFIRMATION_METRICS: dict[Confirmation, str] = {
    Confirmation.BRIEFED: "oncall_briefed",
    Confirmation.ROLLBACK_TESTED: "rollback_tested",
}


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True, slots=True)
class Criterion:
    """`metric op threshold`, e.g. success_rate >= 0.95; a missing metric is neither met nor broken."""

    metric: str
    op: str
    threshold: float

    def holds(self, metrics: Mapping[str, float | None]) -> bool | None:
        value = metrics.get(self.metric)
        return None if value is None else _OPS[self.op](float(value), self.threshold)

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.threshold:g}"


@dataclass(frozen=True, slots=True)
class Phase:
    """One step of the plan: the flags it sets, what must hold to leave it, what aborts it."""

    number: int
    name: str
    shadow_mode: bool
    percentage: int
    creators: tuple[str, ...]
    min_duration: timedelta
    #: Enough samples for the analysis to mean anything (`comparisons` in shadow, `runs` otherwise).
    min_samples: int
    success: tuple[Criterion, ...]
    rollback_triggers: tuple[Criterion, ...]
    #: Checked before entering this phase (e.g. Phase 4's pre-cutover checklist: no rollbacks in 7 days).
    entry: tuple[Criterion, ...] = ()
    sample_metric: str = "runs"
    plan_reference: str = ""

    @property
    def flags(self) -> dict[str, str]:
        """The seed's configuration block for this phase (the five EROS_V5_* variables but fallback)."""
        return {
            "EROS_V5_ENABLED": "true",
            "EROS_V5_SHADOW_MODE": "true" if self.shadow_mode else "false",
            "EROS_V5_PERCENTAGE": str(self.percentage),
            "EROS_V5_CREATORS": ",".join(self.creators),
        }


def _c(metric: str, op: str, threshold: float) -> Criterion:
    return Criterion(metric, op, threshold)


#: Phases 1–5 share the seed's live-traffic success criteria (>= 95 %, p95 < 120 s, quality >= 80, no
#: gates), read from the one SLO table (eros.slo).
_LIVE_SUCCESS = (
    _c("success_rate", ">=", DEFAULT_SLO.target_success_rate),
    _c("p95_latency_s", "<", DEFAULT_SLO.target_p95_latency_s),
    _c("quality_avg", ">=", DEFAULT_SLO.target_quality_avg),
    _c("hard_gate_violations", "==", 0),
)
#: The automatic rollback triggers of the plan, read from the one SLO table (eros.slo): success
#: < 85 %, p95 > 180 s, hard-gate rate > 10 %, quality < 70 — judged here over the whole phase.
_AUTOMATIC_TRIGGERS = (
    _c("success_rate", "<", DEFAULT_SLO.rollback_success_below),
    _c("p95_latency_s", ">", DEFAULT_SLO.rollback_latency_above_s),
    _c("hard_gate_rate", ">", DEFAULT_SLO.rollback_hard_gate_above),
    _c("quality_avg", "<", DEFAULT_SLO.rollback_quality_below),
)
_DAY = timedelta(days=1)


def _percentage_phase(number: int, percentage: int, reference: str) -> Phase:
    return Phase(
        number=number,
        name=f"percentage_{percentage}",
        shadow_mode=False,
        percentage=percentage,
        creators=EARLY_ADOPTERS,
        min_duration=timedelta(hours=48),
        min_samples=5,
        success=_LIVE_SUCCESS,
        rollback_triggers=_AUTOMATIC_TRIGGERS,
        plan_reference=reference,
    )


PHASES: tuple[Phase, ...] = (
    Phase(
        number=0,
        name="shadow",
        shadow_mode=True,
        percentage=0,
        creators=(),
        min_duration=7 * _DAY,
        min_samples=50,
        sample_metric="comparisons",
        success=(
            _c("v5_failure_rate", "<", 0.10),
            _c("quality_diff_avg", ">", DEFAULT_SLO.plan_alert_shadow_diff_below),
            _c("hard_gate_false_positives", "==", 0),
            _c("comparisons", ">=", 50),
        ),
        rollback_triggers=(_c("v5_failure_rate", ">", 0.20), _c("hard_gate_regressions", ">", 0)),
        plan_reference="Phase 0: Shadow Mode (Week 1)",
    ),
    Phase(
        number=1,
        name="canary",
        shadow_mode=False,
        percentage=0,
        creators=CANARY_CREATORS,
        min_duration=7 * _DAY,
        min_samples=1,
        success=_LIVE_SUCCESS,
        rollback_triggers=(
            _c("hard_gate_violations", ">", 0),
            _c("success_rate", "<", DEFAULT_SLO.phase_abort_success_below),
            _c("quality_min", "<", DEFAULT_SLO.phase_abort_quality_below),
        ),
        plan_reference="Phase 1: Canary (Week 2)",
    ),
    Phase(
        number=2,
        name="early_adopters",
        shadow_mode=False,
        percentage=0,
        creators=EARLY_ADOPTERS,
        min_duration=7 * _DAY,
        min_samples=3,
        success=(_c("min_creator_success_rate", ">=", DEFAULT_SLO.target_success_rate), *_LIVE_SUCCESS[1:]),
        rollback_triggers=(
            _c("hard_gate_violations", ">", 0),
            _c("min_creator_success_rate", "<", DEFAULT_SLO.phase_abort_success_below),
            _c("quality_regression", ">", 10.0),
        ),
        plan_reference="Phase 2: Early Adopters (Week 3)",
    ),
    _percentage_phase(3, 25, "Phase 3a: 25% (Week 4, days 1-2)"),
    _percentage_phase(4, 50, "Phase 3b: 50% (Week 4, days 3-4)"),
    _percentage_phase(5, 75, "Phase 3c: 75% (Week 4-5, days 5-7)"),
    Phase(
        number=6,
        name="full_cutover",
        shadow_mode=False,
        percentage=100,
        creators=(),
        min_duration=7 * _DAY,
        min_samples=10,
        success=_LIVE_SUCCESS,
        rollback_triggers=_AUTOMATIC_TRIGGERS,
        entry=(
            _c("creators_unverified", "==", 0),
            _c("rollbacks_7d", "==", 0),
            _c("quality_change_7d", ">=", -QUALITY_STABLE_TOLERANCE),
            _c("oncall_briefed", "==", 1),
            _c("rollback_tested", "==", 1),
        ),
        plan_reference="Phase 4: Full Cutover (Week 6)",
    ),
)
FINAL_PHASE = PHASES[-1].number

#: After a rollback (runbook §7 "After Fixing an Issue"): shadow again, validated for 24 h, then
#: the rollout resumes from the last stable phase (rollout plan, Post-Rollback Actions 4–5).
REVALIDATION = replace(
    PHASES[0],
    name="shadow_revalidation",
    min_duration=timedelta(hours=24),
    min_samples=1,
    success=PHASES[0].success[:3],
    plan_reference="Runbook §7: re-enable shadow mode, validate 24h in shadow",
)


def phase(number: int) -> Phase:
    """The phase with this number; ValueError names the valid range."""
    if not 0 <= number <= FINAL_PHASE:
        raise ValueError(f"phase must be 0..{FINAL_PHASE}, got {number}")
    return PHASES[number]


@dataclass(frozen=True, slots=True)
class CheckResult:
    criterion: str
    value: float | None
    met: bool | None


@dataclass(frozen=True, slots=True)
class Analysis:
    """The verdict on a phase, with every check and the reasons a person reads."""

    phase: int
    outcome: Outcome
    reasons: tuple[str, ...]
    checks: tuple[CheckResult, ...] = ()
    triggers: tuple[CheckResult, ...] = ()
    metrics: Mapping[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "phase": self.phase,
            "outcome": self.outcome.value,
            "reasons": list(self.reasons),
            "checks": [{"criterion": c.criterion, "value": c.value, "met": c.met} for c in self.checks],
            "triggers": [{"criterion": c.criterion, "value": c.value, "fired": c.met} for c in self.triggers],
            "metrics": dict(self.metrics),
        }


def _check(criteria: tuple[Criterion, ...], metrics: Mapping[str, float | None]) -> tuple[CheckResult, ...]:
    return tuple(CheckResult(str(c), metrics.get(c.metric), c.holds(metrics)) for c in criteria)


def analyse_phase(current: Phase, metrics: Mapping[str, float | None], elapsed: timedelta) -> Analysis:
    """FAIL if a rollback trigger fired; PASS if every exit criterion, the sample count, the minimum
    duration and the next phase's entry criteria hold; otherwise INCONCLUSIVE with what is missing."""
    triggers = _check(current.rollback_triggers, metrics)
    fired = [t for t in triggers if t.met]
    checks = _check(current.success, metrics)
    if current.number < FINAL_PHASE:
        checks += _check(PHASES[current.number + 1].entry, metrics)
    if fired:
        failures = tuple(f"rollback trigger fired: {t.criterion} (value {_fmt(t.value)})" for t in fired)
        return Analysis(current.number, Outcome.FAIL, failures, checks, triggers, metrics)
    reasons: list[str] = []
    samples = metrics.get(current.sample_metric) or 0
    if samples < current.min_samples:
        reasons.append(f"too few samples: {current.sample_metric} {samples:g} < {current.min_samples}")
    if elapsed < current.min_duration:
        reasons.append(
            f"minimum duration not reached: {_duration(elapsed)} of {_duration(current.min_duration)}"
        )
    reasons += [
        f"no data for {c.criterion}" if c.met is None else f"not met: {c.criterion} (value {_fmt(c.value)})"
        for c in checks
        if not c.met
    ]
    outcome = Outcome.INCONCLUSIVE if reasons else Outcome.PASS
    return Analysis(current.number, outcome, tuple(reasons), checks, triggers, metrics)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def _duration(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:.1f} d" if hours >= 48 else f"{hours:.1f} h"
