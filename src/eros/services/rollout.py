"""The phased rollout (seed 000, phases 0–6): where the plan stands, whether it may advance, and moving it.

The current phase is a database row (D4) and every transition — start, advance, hold, abort,
forced or not — is recorded with who, when, why and the analysis that justified it. Moving
to a phase sets that phase's flags (the seed's configuration block) as persisted flag
overrides in the same transaction, so every process routes by the new phase at its next
decision. The analysis (`eros.control.phases`) runs on measured data only: the monitor's
recorded v5 runs and the shadow comparisons since the phase began.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from eros.clock import Clock, iso_z, parse_instant
from eros.control.flags import ACTIVE_STATE, normalise_flag_value
from eros.control.phases import (
    FINAL_PHASE,
    PHASES,
    REVALIDATION,
    Analysis,
    Outcome,
    Phase,
    analyse_phase,
    phase,
)
from eros.control.rollout_metrics import final_validation_rows, live_metrics
from eros.control.shadow_diff import summarise
from eros.errors import ErosError
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

#: The pre-cutover checklist's look-back ("No rollbacks in previous 7 days").
ROLLBACK_LOOKBACK = timedelta(days=7)


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
            events = uow.ops.rollback_event_rows(limit=1000, since=iso_z(now - ROLLBACK_LOOKBACK))
        metrics: dict[str, float | None] = dict(summarise(comparisons).phase_metrics())
        metrics.update(
            live_metrics(self.monitor.runs("v5", since=since), self.monitor.runs("v4", since=since))
        )
        metrics["rollbacks_7d"] = sum(1 for e in events if e["action"] == "rollback")
        return metrics

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
        if blockers and not force:
            raise RolloutRefused(
                f"Phase {current.number} ({criteria.name}) may not advance ({analysis.outcome.value}): "
                + "; ".join(blockers),
                details={"outcome": analysis.outcome.value, "reasons": blockers},
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

    # --- the plan's "Final Validation" table ---------------------------------------------

    def final_validation(self) -> list[dict[str, Any]]:
        """v4 baseline vs v5 actual from every recorded run (v5 shadow runs included)."""
        with self.uow() as uow:
            v4 = uow.ops.finished_runs("v4")
            v5 = uow.ops.finished_runs("v5", include_shadow=True)
        return [asdict(row) for row in final_validation_rows(v4, v5)]


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
