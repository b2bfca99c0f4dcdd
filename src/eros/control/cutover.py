"""Rollout plan Phase 4 decided from measured facts: the pre-cutover checklist, the post-cutover
tasks and when the deprecated v4 path may be removed.

Pure: the rollout service reads the rows (runs, rollbacks, alerts, schedules, confirmations)
and the clock, and these functions decide. The constants live with the phases
(`eros.control.phases`), so the plan's numbers have one source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from eros.control.phases import FINAL_PHASE, PHASES, POST_CUTOVER_WATCH, PRE_CUTOVER_CHECKLIST, V4_RETENTION
from eros.control.rows import Row

#: A schedule in these states is a weekly job that executed (generated and kept, not a draft).
SCHEDULED_STATUSES = ("approved", "queued", "completed")


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One line of a checklist: the plan's words, met (None: not decidable yet), and why."""

    label: str
    met: bool | None
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"item": self.label, "met": self.met, "detail": self.detail}


# --- pre-cutover ------------------------------------------------------------------------------


def verifies(run: Row) -> bool:
    """A v5 run verifies its creator when it succeeded, was APPROVED and broke no hard gate."""
    return (
        bool(run["success"])
        and run["validation_status"] == "APPROVED"
        and not int(run["hard_gate_violations"] or 0)
    )


def unverified_creators(active: Sequence[str], runs: Iterable[Row]) -> list[str]:
    """The active creators none of `runs` (v5, live, shadow or dry run) verifies, in `active`'s order."""
    verified = {run["creator_id"] for run in runs if verifies(run)}
    return [creator for creator in active if creator not in verified]


def quality_change(recent: Sequence[float], previous: Sequence[float]) -> float | None:
    """Mean of `recent` − mean of `previous`; None when either window has no score."""
    if not recent or not previous:
        return None
    return sum(recent) / len(recent) - sum(previous) / len(previous)


def pre_cutover_checklist(
    metrics: Mapping[str, float | None], details: Mapping[str, str]
) -> tuple[ChecklistItem, ...]:
    """The five items, each judged by the full-cutover phase's entry criterion for its metric."""
    criteria = {c.metric: c for c in PHASES[FINAL_PHASE].entry}
    items = []
    for metric, label in PRE_CUTOVER_CHECKLIST:
        criterion = criteria[metric]
        value = metrics.get(metric)
        shown = "no data" if value is None else f"{value:.4g}"
        items.append(
            ChecklistItem(
                label, criterion.holds(metrics), details.get(metric, f"{criterion} (value {shown})")
            )
        )
    return tuple(items)


# --- post-cutover -------------------------------------------------------------------------------


def current_week(today: date) -> date:
    """The Monday of the week `today` is in."""
    return today - timedelta(days=today.weekday())


def monitor_24h(
    cutover_at: datetime, now: datetime, incidents: Sequence[tuple[datetime, str]]
) -> ChecklistItem:
    """ "Monitor for 24 hours continuously": met once 24 h passed with no alert or rollback in them."""
    label = "Monitor for 24 hours continuously"
    ends = cutover_at + POST_CUTOVER_WATCH
    inside = sorted(i for i in incidents if cutover_at <= i[0] < ends)
    if inside:
        at, what = inside[0]
        return ChecklistItem(label, False, f"{what} at {at:%Y-%m-%d %H:%M} UTC, within 24 h of cutover")
    if now < ends:
        hours = max(now - cutover_at, timedelta(0)).total_seconds() / 3600
        return ChecklistItem(label, None, f"{hours:.1f} h of 24 h watched, no alert or rollback so far")
    return ChecklistItem(label, True, "24 h after cutover with no alert and no rollback")


def scheduled_jobs(active: Sequence[str], scheduled: Iterable[str], week: date) -> ChecklistItem:
    """ "Verify all scheduled jobs execute": every active creator has a kept schedule for `week`."""
    have = set(scheduled)
    missing = [creator for creator in active if creator not in have]
    label = "Verify all scheduled jobs execute"
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        return ChecklistItem(
            label, False, f"{len(missing)} of {len(active)} creators have no schedule for {week}: {shown}"
        )
    return ChecklistItem(label, True, f"all {len(active)} creators have a schedule for {week}")


def week_over_week_revenue(this_week: float | None, last_week: float | None, week: date) -> ChecklistItem:
    """ "Compare week-over-week revenue": this week's expected revenue against last week's (a drop fails)."""
    label = "Compare week-over-week revenue"
    if this_week is None or last_week is None or last_week <= 0:
        return ChecklistItem(
            label, None, f"not comparable: no expected revenue for {week} or the week before"
        )
    change = this_week / last_week - 1
    return ChecklistItem(
        label,
        this_week >= last_week,
        f"week of {week}: ${this_week:,.2f} vs ${last_week:,.2f} the week before ({change:+.1%})",
    )


# --- v4 deprecation -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class V4Deprecation:
    """Where the deprecated v4 path stands: deprecated once cutover is recorded, removable after
    30 days of stable v5 — counted from cutover, restarted at the restore after any rollback."""

    cutover_at: datetime | None
    stable_since: datetime | None
    now: datetime

    @property
    def deprecated(self) -> bool:
        return self.cutover_at is not None

    @property
    def removable_at(self) -> datetime | None:
        return None if self.stable_since is None else self.stable_since + V4_RETENTION

    @property
    def removable(self) -> bool:
        return self.removable_at is not None and self.now >= self.removable_at

    def note(self) -> str:
        """One line after "v4" for `eros status`, `eros rollout status` and the DeprecationWarning."""
        if self.cutover_at is None:
            return "in service (full cutover not recorded)"
        since = f"deprecated since cutover {self.cutover_at:%Y-%m-%d %H:%M} UTC"
        if self.removable_at is None:
            return f"{since}; v5 is rolled back, so the 30 days of stable v5 restart at its restore"
        verdict = "removable now" if self.removable else "not removable yet"
        return f"{since}; may be removed from {self.removable_at:%Y-%m-%d %H:%M} UTC ({verdict})"

    def as_dict(self) -> dict[str, object]:
        def stamp(moment: datetime | None) -> str | None:
            return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")

        return {
            "deprecated": self.deprecated,
            "cutover_at": stamp(self.cutover_at),
            "stable_since": stamp(self.stable_since),
            "removable_at": stamp(self.removable_at),
            "removable": self.removable,
            "note": self.note(),
        }


def v4_deprecation(
    cutover_at: datetime | None, events: Iterable[tuple[datetime, str]], now: datetime
) -> V4Deprecation:
    """`events` are rollback events (at, "rollback" | "restore"); only those from cutover on count.

    A rollback stops the stable period; the restore that ends it starts a new one (a restore
    while v5 was never rolled back changes nothing).
    """
    if cutover_at is None:
        return V4Deprecation(None, None, now)
    stable_since: datetime | None = cutover_at
    for at, action in sorted(e for e in events if e[0] >= cutover_at):
        if action == "rollback":
            stable_since = None
        elif action == "restore" and stable_since is None:
            stable_since = at
    return V4Deprecation(cutover_at, stable_since, now)
