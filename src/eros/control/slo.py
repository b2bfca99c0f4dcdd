"""Every monitoring threshold and window of the two seed documents, as one table of constants.

Sources: runbook §2 (Key Metrics bands, Alert Definitions), runbook §5 and rollout plan
"Automatic Rollback Triggers" (the four triggers and their windows), rollout plan
"Communication Plan" (which severity goes to which sink). Pure: no I/O, no clock.

Window semantics, where the seeds leave them open (docs/OPERATIONS.md repeats them):
- a *time window* holds the runs that finished within the last N minutes;
- a *run window* holds the last N finished runs, newest first;
- a *consecutive-run* condition holds when each of the last N runs meets it;
- shadow runs never count towards live SLOs (their criteria belong to rollout phase 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class Severity(StrEnum):
    INFO = "INFO"
    WARNING = "WARNING"
    CRITICAL = "CRITICAL"


class HealthStatus(StrEnum):
    """Runbook §8 compares `status["health"]` with the lower-case "healthy"."""

    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"


@dataclass(frozen=True, slots=True)
class SLOConfig:
    """The thresholds and windows the monitor, the alerts and the rollback controller use."""

    # Runbook §2 Key Metrics: normal / warning / critical bands.
    success_normal: float = 0.95  # > 95 % normal, 90–95 % warning, < 90 % critical
    success_warning: float = 0.90
    latency_normal_s: float = 90.0  # < 90 s normal, 90–120 s warning, > 120 s critical
    latency_warning_s: float = 120.0
    hard_gate_normal: float = 0.02  # < 2 % normal, 2–5 % warning, > 5 % critical
    hard_gate_warning: float = 0.05
    quality_normal: float = 80.0  # > 80 normal, 75–80 warning, < 75 critical
    quality_warning: float = 75.0

    # Runbook §2 Alert Definitions.
    alert_success_low: float = 0.90  # V5_SUCCESS_LOW: success_rate < 90 %
    alert_success_critical: float = 0.85  # V5_SUCCESS_CRITICAL: success_rate < 85 %
    alert_latency_high_s: float = 120.0  # V5_LATENCY_HIGH: p95 > 120 s
    alert_latency_critical_s: float = 180.0  # V5_LATENCY_CRITICAL: p95 > 180 s
    alert_hard_gate_spike: float = 0.05  # V5_HARD_GATE_SPIKE: rate > 5 %

    # Rollout plan "Monitoring & Alerting" Key Metrics, where they alert earlier than the runbook
    # (its p95 > 120 s and hard-gate > 5 % are V5_LATENCY_HIGH and V5_HARD_GATE_SPIKE already).
    plan_alert_success_below: float = 0.95  # V5_SUCCESS_BELOW_PLAN: success_rate < 95 %
    plan_alert_quality_below: float = 80.0  # V5_QUALITY_LOW: quality avg < 80
    plan_alert_shadow_diff_below: float = -5.0  # V5_SHADOW_DIFF_LOW: mean v5 − v4 quality < −5

    # Rollout plan "Automatic Rollback Triggers" and runbook §5 "When to Rollback".
    rollback_success_below: float = 0.85  # success rate < 85 % ...
    rollback_success_window: timedelta = timedelta(minutes=5)  # ... over 5 minutes
    rollback_success_min_runs: int = 5  # fewer runs in the window: inconclusive, no rollback
    rollback_latency_above_s: float = 180.0  # p95 > 180 s ...
    rollback_latency_consecutive: int = 3  # ... for 3 consecutive runs
    rollback_hard_gate_above: float = 0.10  # hard-gate violations > 10 % ...
    rollback_hard_gate_runs: int = 10  # ... of the last 10 runs (denominator fixed at 10)
    rollback_quality_below: float = 70.0  # quality avg < 70 ...
    rollback_quality_runs: int = 10  # ... over the last 10 runs (needs all 10 scored)

    # Rollout plan phase "Success Criteria" (phases 1-4) and its "Final Validation" v5 targets.
    target_success_rate: float = 0.95  # success rate >= 95 %
    target_p95_latency_s: float = 120.0  # p95 latency < 120 s
    target_quality_avg: float = 80.0  # quality score avg >= 80
    target_execution_s: float = 90.0  # Final Validation: execution time < 90 s
    target_mcp_calls: float = 10.0  # Final Validation: MCP calls ~10
    # Rollout plan "Rollback Triggers" of Phase 1 (canary) and Phase 2 (early adopters).
    phase_abort_success_below: float = 0.90  # success rate < 90 % (for any creator in phase 2)
    phase_abort_quality_below: float = 70.0  # phase 1: quality score < 70

    # Health and alerts look at the runs of the last hour (status window).
    status_window: timedelta = timedelta(hours=1)
    status_min_runs: int = 5  # fewer runs: metrics shown, health HEALTHY, alerts not raised
    percentile: float = 95.0

    # Every run holds a lease from its start: an unfinished run past it belongs to a process
    # that died (kill -9) and no longer counts as in flight. Longer than the runbook's v5
    # timeout (§3.1 "Execution exceeds 180s", the p95 critical threshold), so a live run
    # finishes inside its lease.
    run_lease: timedelta = timedelta(seconds=240)

    # Rollback procedure: in-flight v5 runs may finish for this long before v5 is disabled
    # (and never longer than their leases last).
    drain_timeout: timedelta = timedelta(seconds=300)
    drain_poll: timedelta = timedelta(seconds=1)


DEFAULT_SLO = SLOConfig()


class AlertCode(StrEnum):
    V5_SUCCESS_LOW = "V5_SUCCESS_LOW"
    V5_SUCCESS_CRITICAL = "V5_SUCCESS_CRITICAL"
    V5_LATENCY_HIGH = "V5_LATENCY_HIGH"
    V5_LATENCY_CRITICAL = "V5_LATENCY_CRITICAL"
    V5_HARD_GATE_SPIKE = "V5_HARD_GATE_SPIKE"
    V5_AUTO_ROLLBACK = "V5_AUTO_ROLLBACK"
    #: Runbook §5 step 3 ("Alert team" after a manual rollback); not in the alert table, so WARNING.
    V5_MANUAL_ROLLBACK = "V5_MANUAL_ROLLBACK"
    #: LEARNINGS.md has entries generation skips (issue 11): not in the runbook's table, so WARNING.
    LEARNINGS_INVALID = "LEARNINGS_INVALID"
    #: The rollout plan's Key Metrics alerts the runbook's six do not cover (WARNING).
    V5_SUCCESS_BELOW_PLAN = "V5_SUCCESS_BELOW_PLAN"
    V5_QUALITY_LOW = "V5_QUALITY_LOW"
    V5_SHADOW_DIFF_LOW = "V5_SHADOW_DIFF_LOW"
    #: The plan's daily shadow comparison report (Phase 0 "Daily Tasks"): a notice, never a page.
    SHADOW_DAILY_REPORT = "SHADOW_DAILY_REPORT"


@dataclass(frozen=True, slots=True)
class AlertDefinition:
    code: AlertCode
    condition: str
    severity: Severity
    action: str


#: Runbook §2 "Alert Definitions", in its order.
ALERT_DEFINITIONS: dict[AlertCode, AlertDefinition] = {
    d.code: d
    for d in (
        AlertDefinition(AlertCode.V5_SUCCESS_LOW, "success_rate < 90%", Severity.WARNING, "Investigate"),
        AlertDefinition(
            AlertCode.V5_SUCCESS_CRITICAL, "success_rate < 85%", Severity.CRITICAL, "Prepare rollback"
        ),
        AlertDefinition(AlertCode.V5_LATENCY_HIGH, "p95 > 120s", Severity.WARNING, "Check agents"),
        AlertDefinition(AlertCode.V5_LATENCY_CRITICAL, "p95 > 180s", Severity.CRITICAL, "Consider rollback"),
        AlertDefinition(
            AlertCode.V5_HARD_GATE_SPIKE, "rate > 5%", Severity.CRITICAL, "Investigate vault/AVOID"
        ),
        AlertDefinition(AlertCode.V5_AUTO_ROLLBACK, "triggered", Severity.CRITICAL, "Post-mortem required"),
        AlertDefinition(
            AlertCode.V5_MANUAL_ROLLBACK, "manual rollback", Severity.WARNING, "Investigate root cause"
        ),
        AlertDefinition(
            AlertCode.LEARNINGS_INVALID,
            "entries skipped",
            Severity.WARNING,
            "eros reflect lint; fix the file",
        ),
        AlertDefinition(
            AlertCode.V5_SUCCESS_BELOW_PLAN,
            f"success_rate < {DEFAULT_SLO.plan_alert_success_below:.0%}",
            Severity.WARNING,
            "Investigate failures before the runbook's 90 % alert",
        ),
        AlertDefinition(
            AlertCode.V5_QUALITY_LOW,
            f"quality avg < {DEFAULT_SLO.plan_alert_quality_below:g}",
            Severity.WARNING,
            "Review low-scoring schedules",
        ),
        AlertDefinition(
            AlertCode.V5_SHADOW_DIFF_LOW,
            f"shadow quality diff < {DEFAULT_SLO.plan_alert_shadow_diff_below:g}",
            Severity.WARNING,
            "Compare v5 with v4 (eros shadow report)",
        ),
        AlertDefinition(
            AlertCode.SHADOW_DAILY_REPORT,
            "one UTC day over",
            Severity.INFO,
            "Review the report (plan Phase 0 daily task)",
        ),
    )
}

#: Rollout plan "Escalation": INFO log only, WARNING Slack, CRITICAL Slack + PagerDuty.
SINKS_BY_SEVERITY: dict[Severity, frozenset[str]] = {
    Severity.INFO: frozenset({"log"}),
    Severity.WARNING: frozenset({"log", "webhook"}),
    Severity.CRITICAL: frozenset({"log", "webhook", "pagerduty"}),
}

#: Codes routed other than by severity: the daily shadow report goes to the operations channel
#: (rollout plan "Communication Plan": #eros-alerts, the webhook) but, being INFO, never pages.
SINKS_BY_CODE: dict[str, frozenset[str]] = {
    AlertCode.SHADOW_DAILY_REPORT: frozenset({"log", "webhook"}),
}


def sinks_for(code: str, severity: Severity) -> frozenset[str]:
    """The sink names an alert of `code` goes to: its own routing, else its severity's."""
    return SINKS_BY_CODE.get(code, SINKS_BY_SEVERITY[severity])
