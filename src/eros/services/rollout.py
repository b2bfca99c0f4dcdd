"""The phased rollout (seed 000, phases 0–6): where the plan stands, whether it may advance, and moving it.

The current phase is a database row (D4) and every transition — start, advance, hold, abort,
forced or not — is recorded with who, when, why and the analysis that justified it. Moving
to a phase sets that phase's flags (the seed's configuration block) as persisted flag
overrides in the same transaction, so every process routes by the new phase at its next
decision. The analysis (`eros.control.phases`) runs on measured data only: the monitor's
recorded v5 runs and the shadow comparisons since the phase began.

Phase 4 (full cutover) adds the pre-cutover checklist to the last advance (measured items and
the two confirmations a person records), the post-cutover tasks, and the v4 deprecation
window (`eros.control.cutover` decides; this module reads the rows).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from eros.clock import Clock, iso_z, parse_instant
from eros.control.cutover import (
    SCHEDULED_STATUSES,
    ChecklistItem,
    V4Deprecation,
    current_week,
    monitor_24h,
    pre_cutover_checklist,
    quality_change,
    scheduled_jobs,
    unverified_creators,
    v4_deprecation,
    week_over_week_revenue,
)
from eros.control.flags import ACTIVE_STATE, normalise_flag_value
from eros.control.phases import (
    CONFIRMATION_METRICS,
    CUTOVER_LOOKBACK,
    FINAL_PHASE,
    PHASES,
    REVALIDATION,
    Analysis,
    Confirmation,
    Outcome,
    Phase,
    analyse_phase,
    phase,
)
from eros.control.rollout_metrics import final_validation_rows, live_metrics
from eros.control.shadow_diff import summarise
from eros.errors import ErosError, InvalidInput
from eros.ports import UnitOfWork, UnitOfWorkFactory
from eros.services.monitor import PipelineMonitor

__all__ = [
    "PHASES",
    "Outcome",
    "Phase",
    "RolloutManager",
    "RolloutRefused",
    "RolloutStatus",
    "Transition",
]

logger = logging.getLogger("eros.rollout")

#: The confirmation's note fits its column (schema `cutover_confirmations.note`).
MAX_NOTE_CHARS = 500
MAX_ACTOR_CHARS = 100


class RolloutRefused(ErosError):
    code = "ROLLOUT_CRITERIA_UNMET"


@dataclass(frozen=True, slots=True)
class Transition:
    at: str
    from_phase: int | None
    to_phase: int
    outcome: str
    forced: bool
    actor: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class PreCutoverFacts:
    """What the pre-cutover checklist measured: its metrics, a sentence each, and what is missing."""

    metrics: dict[str, float | None]
    details: dict[str, str]
    unverified: list[str]
    unconfirmed: list[Confirmation]


@dataclass(frozen=True, slots=True)
class RolloutStatus:
    """The plan's state now: phase (None before `start`), since when, and the current analysis."""

    phase: Phase | None
    criteria: Phase | None
    next_phase: Phase | None
    phase_started_at: datetime | None
    elapsed: timedelta
    analysis: Analysis | None
    rollback_state: str
    transitions: list[dict[str, Any]]
    #: Before the advance to full cutover: the plan's Pre-Cutover Checklist; else empty.
    pre_cutover: tuple[ChecklistItem, ...]
    #: In full cutover: the plan's Post-Cutover Tasks, measured; else empty.
    post_cutover: tuple[ChecklistItem, ...]
    v4: V4Deprecation

    def as_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase.number if self.phase else None,
            "phase_name": self.phase.name if self.phase else "not_started",
            "judged_as": self.criteria.name if self.criteria else None,
            "next_phase": self.next_phase.number if self.next_phase else None,
            "phase_started_at": iso_z(self.phase_started_at) if self.phase_started_at else None,
            "elapsed_hours": round(self.elapsed.total_seconds() / 3600, 2),
            "flags": self.phase.flags if self.phase else {},
            "analysis": self.analysis.as_dict() if self.analysis else None,
            "rollback_state": self.rollback_state,
            "transitions": self.transitions,
            "pre_cutover_checklist": [item.as_dict() for item in self.pre_cutover],
            "post_cutover_checks": [item.as_dict() for item in self.post_cutover],
            "v4": self.v4.as_dict(),
        }


class RolloutManager:
    """Runs the plan: `status()`, `advance()`, `hold()`, `abort()`, `final_validation()`."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, *, monitor: PipelineMonitor) -> None:
        self.uow = uow
        self.clock = clock
        self.monitor = monitor

    # --- reading -----------------------------------------------------------------------

    def current(self) -> tuple[Phase | None, datetime | None]:
        with self.uow() as uow:
            row = uow.rollout.get_rollout_state()
        if row is None:
            return None, None
        return phase(row["phase"]), parse_instant(row["phase_started_at"])

    def measure(self, current: Phase, since: datetime) -> dict[str, float | None]:
        """Every metric the phases judge, measured from `since` to now."""
        now = self.clock.now()
        until = now + timedelta(seconds=1)  # comparisons stamped this very second count
        with self.uow() as uow:
            comparisons = uow.rollout.comparisons_between(iso_z(since), iso_z(until))
        metrics: dict[str, float | None] = dict(summarise(comparisons).phase_metrics())
        metrics.update(
            live_metrics(self.monitor.runs("v5", since=since), self.monitor.runs("v4", since=since))
        )
        metrics.update(self.pre_cutover_facts().metrics)
        return metrics

    def pre_cutover_facts(self) -> PreCutoverFacts:
        """The checklist's five metrics and what a person reads for each, over the 7 days to now.

        Verified: an active creator with a successful, APPROVED v5 run (live, shadow or a dry
        run) without hard-gate violations finished in the 7 days. Quality: the live v5 mean of
        the last 7 days against the 7 before. Confirmations: recorded in the 7 days.
        """
        now = self.clock.now()
        week_ago, fortnight_ago = now - CUTOVER_LOOKBACK, now - 2 * CUTOVER_LOOKBACK
        with self.uow() as uow:
            events = uow.ops.rollback_event_rows(limit=1000, since=iso_z(week_ago))
            active = uow.creators.active_creator_ids()
            v5_runs = uow.ops.finished_runs("v5", since=iso_z(week_ago), include_shadow=True)
            confirmed = uow.rollout.confirmations(since=iso_z(week_ago))
        live = self.monitor.runs("v5", since=fortnight_ago)
        recent = [
            r.quality_score
            for r in live
            if r.quality_score is not None and parse_instant(r.finished_at) >= week_ago
        ]
        previous = [
            r.quality_score
            for r in live
            if r.quality_score is not None and parse_instant(r.finished_at) < week_ago
        ]
        unverified = unverified_creators(active, v5_runs)
        rollbacks = [e for e in events if e["action"] == "rollback"]
        change = quality_change(recent, previous)
        metrics: dict[str, float | None] = {
            "creators_unverified": len(unverified),
            "rollbacks_7d": len(rollbacks),
            "quality_change_7d": change,
        }
        details = {
            "creators_unverified": (
                f"{len(unverified)} of {len(active)} active creators without a validated v5 run in 7 days: "
                + ", ".join(unverified[:5])
                + (f" and {len(unverified) - 5} more" if len(unverified) > 5 else "")
                + " (`eros generate CREATOR --pipeline v5 --dry-run` verifies one)"
                if unverified
                else f"all {len(active)} active creators have a validated v5 run in 7 days"
            ),
            "rollbacks_7d": (
                f"{len(rollbacks)} rollback(s) in 7 days, the last at {rollbacks[0]['at']}"
                if rollbacks
                else "no rollback in 7 days"
            ),
            "quality_change_7d": (
                f"v5 quality {sum(recent) / len(recent):.1f} (last 7 d, {len(recent)} runs) vs "
                f"{sum(previous) / len(previous):.1f} (7 d before, {len(previous)} runs): {change:+.1f}"
                if change is not None
                else f"not measurable: {len(recent)} scored v5 runs in the last 7 d, {len(previous)} before"
            ),
        }
        unconfirmed = []
        for item, metric in CONFIRMATION_METRICS.items():
            latest = next((row for row in confirmed if row["item"] == item.value), None)
            metrics[metric] = 0 if latest is None else 1
            details[metric] = (
                f"confirmed by {latest['actor']} at {latest['at']}"
                if latest is not None
                else f"not confirmed in 7 days: `eros rollout confirm {item.value} --by NAME`"
            )
            if latest is None:
                unconfirmed.append(item)
        return PreCutoverFacts(metrics, details, unverified, unconfirmed)

    def pre_cutover(self) -> tuple[ChecklistItem, ...]:
        """The plan's Pre-Cutover Checklist as of now, each item with what it measured."""
        facts = self.pre_cutover_facts()
        return pre_cutover_checklist(facts.metrics, facts.details)

    def post_cutover(self) -> tuple[ChecklistItem, ...]:
        """The plan's Post-Cutover Tasks, measured; empty unless the plan is in full cutover."""
        current, cutover_at = self.current()
        if current is None or cutover_at is None or current.number != FINAL_PHASE:
            return ()
        now = self.clock.now()
        week = current_week(now.date())
        last_week = week - timedelta(days=7)
        with self.uow() as uow:
            raised = uow.rollout.alerts_raised_since(iso_z(cutover_at))
            events = uow.ops.rollback_event_rows(limit=1000, since=iso_z(cutover_at))
            active = uow.creators.active_creator_ids()
            this_rows = uow.rollout.week_schedules(week.isoformat(), SCHEDULED_STATUSES)
            last_rows = uow.rollout.week_schedules(last_week.isoformat(), SCHEDULED_STATUSES)
        incidents = [(parse_instant(r["raised_at"]), f"alert {r['code']}") for r in raised]
        incidents += [(parse_instant(e["at"]), "rollback") for e in events if e["action"] == "rollback"]
        return (
            monitor_24h(cutover_at, now, incidents),
            scheduled_jobs(active, (r["creator_id"] for r in this_rows), week),
            week_over_week_revenue(_revenue(this_rows), _revenue(last_rows), week),
        )

    def v4_status(self) -> V4Deprecation:
        """Deprecated once the plan is in full cutover; removable after 30 days of stable v5."""
        current, started = self.current()
        now = self.clock.now()
        if current is None or started is None or current.number != FINAL_PHASE:
            return v4_deprecation(None, (), now)
        with self.uow() as uow:
            events = uow.ops.rollback_event_rows(limit=1000, since=iso_z(started))
        return v4_deprecation(started, ((parse_instant(e["at"]), str(e["action"])) for e in events), now)

    def judged(self) -> tuple[Phase, Phase | None] | None:
        """(the phase whose criteria apply now, where passing them leads), None before `start`.

        After an abort the plan is in shadow re-validation (24 h), and passing it resumes the
        rollout at the last stable phase — the one before the phase that was aborted.
        """
        current, _ = self.current()
        if current is None:
            return None
        with self.uow() as uow:
            moves = [t for t in uow.rollout.recent_transitions(limit=50) if t["outcome"] != "hold"]
        if current.number == 0 and moves and moves[0]["outcome"] == "abort" and moves[0]["from_phase"]:
            return REVALIDATION, PHASES[max(int(moves[0]["from_phase"]) - 1, 0)]
        return current, PHASES[current.number + 1] if current.number < FINAL_PHASE else None

    def analyse(self) -> Analysis | None:
        current, started = self.current()
        judged = self.judged()
        if current is None or started is None or judged is None:
            return None
        elapsed = self.clock.now() - started
        return analyse_phase(judged[0], self.measure(current, started), elapsed)

    def status(self) -> RolloutStatus:
        current, started = self.current()
        now = self.clock.now()
        with self.uow() as uow:
            transitions = [_transition_dict(r) for r in uow.rollout.recent_transitions(limit=10)]
            state_row = uow.ops.rollback_state_row()
        judged = self.judged()
        return RolloutStatus(
            phase=current,
            criteria=judged[0] if judged else None,
            next_phase=judged[1] if judged else None,
            phase_started_at=started,
            elapsed=now - started if started else timedelta(0),
            analysis=self.analyse(),
            rollback_state=state_row["state"] if state_row is not None else ACTIVE_STATE,
            transitions=transitions,
            pre_cutover=self.pre_cutover() if judged and judged[1] is PHASES[FINAL_PHASE] else (),
            post_cutover=self.post_cutover(),
            v4=self.v4_status(),
        )

    # --- acting ------------------------------------------------------------------------

    def start(self, *, actor: str, reason: str | None = None, at_phase: int = 0) -> Transition:
        """Enter Phase 0 (shadow) — the plan's first step needs no criteria. Entering a later
        phase directly (a rehearsal of one step, an installation that ran earlier phases
        elsewhere) is a forced start and needs a reason."""
        current, _ = self.current()
        if current is not None:
            raise ErosError(
                f"The rollout is already in phase {current.number} ({current.name})", code="ROLLOUT_STARTED"
            )
        forced = at_phase != 0
        if forced and not (reason or "").strip():
            raise ErosError("Starting past phase 0 needs a reason", code="REASON_REQUIRED")
        return self._move(None, phase(at_phase), outcome="start", forced=forced, actor=actor, reason=reason)

    def advance(self, *, actor: str, reason: str | None = None, force: bool = False) -> Transition:
        """Move to the next phase (or, re-validated after an abort, back to the last stable one)
        if the current criteria passed; otherwise refuse with every reason.

        `force` (with a reason) overrides an inconclusive or failed analysis, and is recorded as such.
        """
        current, _ = self.current()
        judged = self.judged()
        if current is None or judged is None:
            return self.start(actor=actor, reason=reason)
        criteria, target = judged
        if target is None:
            raise ErosError("The rollout is complete: phase 6 is full cutover", code="ROLLOUT_COMPLETE")
        if force and not (reason or "").strip():
            raise ErosError("A forced advance needs a reason", code="REASON_REQUIRED")
        analysis = self.analyse()
        assert analysis is not None
        blockers = list(analysis.reasons)
        state = self.status().rollback_state
        if state != ACTIVE_STATE:
            blockers.insert(0, f"v5 is rolled back (state {state}): restore it first")
        details: dict[str, Any] = {"outcome": analysis.outcome.value, "reasons": blockers}
        hint = ""
        if target.number == FINAL_PHASE:
            checklist = self.pre_cutover()
            details["pre_cutover_checklist"] = [item.as_dict() for item in checklist]
            failing = [f"{item.label}: {item.detail}" for item in checklist if not item.met]
            hint = " — pre-cutover checklist: " + "; ".join(failing) if failing else ""
        if blockers and not force:
            raise RolloutRefused(
                f"Phase {current.number} ({criteria.name}) may not advance ({analysis.outcome.value}): "
                + "; ".join(blockers)
                + hint,
                details=details,
            )
        return self._move(
            current,
            target,
            outcome=analysis.outcome.value,
            forced=bool(blockers),
            actor=actor,
            reason=reason,
            analysis=analysis,
        )

    def hold(self, reason: str, *, actor: str) -> Transition:
        """Stay in the phase on purpose (an inconclusive analysis a person wants to wait out)."""
        current, started = self.current()
        if current is None or started is None:
            raise ErosError("The rollout has not started", code="ROLLOUT_NOT_STARTED")
        analysis = self.analyse()
        with self.uow() as uow:
            transition = self._record(
                uow, current.number, current.number, "hold", False, actor, reason, analysis
            )
            uow.commit()
        logger.info("rollout held in phase %d by %s: %s", current.number, actor, reason)
        return transition

    def abort(self, reason: str, *, actor: str, to_phase: int = 0) -> Transition:
        """Leave the phase for an earlier one (default shadow: "re-validate in shadow mode")."""
        current, _ = self.current()
        if current is None:
            raise ErosError("The rollout has not started", code="ROLLOUT_NOT_STARTED")
        target = phase(to_phase)
        if target.number > current.number or (target.number == current.number != 0):
            raise ErosError(
                f"Abort goes back: phase {target.number} is not before {current.number}", code="INVALID_PHASE"
            )
        return self._move(
            current,
            target,
            outcome="abort",
            forced=False,
            actor=actor,
            reason=reason,
            analysis=self.analyse(),
        )

    def _move(
        self,
        current: Phase | None,
        target: Phase,
        *,
        outcome: str,
        forced: bool,
        actor: str,
        reason: str | None,
        analysis: Analysis | None = None,
    ) -> Transition:
        at = iso_z(self.clock.now())
        flag_reason = f"rollout phase {target.number} ({target.name})"
        with self.uow() as uow:
            for key, value in target.flags.items():
                uow.ops.set_flag_override(
                    key, normalise_flag_value(key, value), actor=actor, at=at, reason=flag_reason
                )
            uow.rollout.set_rollout_state(phase=target.number, phase_started_at=at, at=at, actor=actor)
            transition = self._record(
                uow,
                current.number if current else None,
                target.number,
                outcome,
                forced,
                actor,
                reason,
                analysis,
            )
            uow.commit()
        logger.warning(
            "rollout %s: phase %s -> %d (%s) by %s%s: %s",
            outcome,
            current.number if current else "-",
            target.number,
            target.name,
            actor,
            " FORCED" if forced else "",
            reason or "",
        )
        return transition

    def _record(
        self,
        uow: UnitOfWork,
        from_phase: int | None,
        to_phase: int,
        outcome: str,
        forced: bool,
        actor: str,
        reason: str | None,
        analysis: Analysis | None,
    ) -> Transition:
        at = iso_z(self.clock.now())
        uow.rollout.insert_transition(
            at=at,
            from_phase=from_phase,
            to_phase=to_phase,
            outcome=outcome,
            forced=forced,
            actor=actor,
            reason=reason,
            analysis=analysis.as_dict() if analysis else None,
        )
        return Transition(at, from_phase, to_phase, outcome, forced, actor, reason)

    def confirm(self, item: str, *, actor: str, note: str | None = None) -> dict[str, Any]:
        """Record a pre-cutover confirmation (who, when, optional note); it counts for 7 days."""
        try:
            confirmation = Confirmation(item)
        except ValueError:
            choices = ", ".join(c.value for c in Confirmation)
            raise InvalidInput(
                f"Unknown confirmation {item!r}: use one of {choices}", code="UNKNOWN_CONFIRMATION"
            ) from None
        who = actor.strip()
        if not who or len(who) > MAX_ACTOR_CHARS:
            raise InvalidInput(f"--by must be 1–{MAX_ACTOR_CHARS} characters", code="INVALID_ACTOR")
        text = (note or "").strip() or None
        if text is not None and len(text) > MAX_NOTE_CHARS:
            raise InvalidInput(f"--note is longer than {MAX_NOTE_CHARS} characters", code="NOTE_TOO_LONG")
        at = iso_z(self.clock.now())
        with self.uow() as uow:
            row_id = uow.rollout.insert_confirmation(item=confirmation.value, actor=who, at=at, note=text)
            uow.commit()
        logger.info(
            "pre-cutover confirmation %s by %s at %s%s",
            confirmation.value,
            who,
            at,
            f": {text}" if text else "",
        )
        return {"id": row_id, "item": confirmation.value, "actor": who, "at": at, "note": text}

    def confirmations(self, limit: int = 20) -> list[dict[str, Any]]:
        """Every recorded confirmation, newest first (the audit trail)."""
        with self.uow() as uow:
            return [dict(row) for row in uow.rollout.confirmations(limit=limit)]

    # --- the plan's "Final Validation" table ---------------------------------------------

    def final_validation(self) -> list[dict[str, Any]]:
        """v4 baseline vs v5 actual from every recorded run (v5 shadow runs included)."""
        with self.uow() as uow:
            v4 = uow.ops.finished_runs("v4")
            v5 = uow.ops.finished_runs("v5", include_shadow=True)
        return [asdict(row) for row in final_validation_rows(v4, v5)]


def _revenue(rows: list[Any]) -> float | None:
    """The week's expected revenue; None when no schedule of it carries one."""
    values = [float(r["expected_revenue"]) for r in rows if r["expected_revenue"] is not None]
    return sum(values) if values else None


def _transition_dict(row: Any) -> dict[str, Any]:
    return {
        "at": row["at"],
        "from_phase": row["from_phase"],
        "to_phase": row["to_phase"],
        "outcome": row["outcome"],
        "forced": bool(row["forced"]),
        "actor": row["actor"],
        "reason": row["reason"],
    }
