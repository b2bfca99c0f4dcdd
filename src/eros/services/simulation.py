"""Rehearse the rollout plan in simulated time (ARCHITECTURE D9): `eros simulate rollout`.

Every day of the plan is one batch at 06:00: each creator's week is generated through the
real router (flags, shadow comparator, monitor, alerts, automatic rollback), then at 23:00
the rollout manager judges the phase and advances when it passed. Time is a FixedClock
that only moves when a run takes time (its measured duration, plus any injected latency)
or when the day turns, so "5 minutes", "48 hours" and "7 days stable" mean what they say.

`eros simulate rollout` rehearses with the real pipelines (`eros.bootstrap.rehearsal_runners`).
Because generation is deterministic (D2: same database, creator and week ⇒ same schedule),
each pipeline runs once per creator and its result — with its measured duration — is
replayed (`Replay`) for later runs of the same week; the simulation's time goes into the
control plane, which is what it rehearses. The database is a throwaway copy
(`eros.db.rehearsal`), the control plane is wired by `eros.bootstrap.rehearsal`.

Faults are injected into v5 only (`--fault KIND:VALUE[@phase=N|@day=N]`):
`failure:0.2` (a fifth of v5 runs raise), `latency:200` (each v5 run takes 200 s more),
`gates:0.3` (three in ten v5 runs report a hard-gate violation), `quality:60` (v5 scores 60).
A fault starts with Phase 3 (the first percentage step) unless told otherwise, and ends
when a rollback happens: the simulated on-call deploys the fix, returns the plan to shadow,
restores v5 with the confirmation string and lets the rollout re-validate and resume
(rollout plan "Post-Rollback Actions", runbook §7).
"""

from __future__ import annotations

import copy
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from eros.clock import FixedClock
from eros.config import Settings
from eros.control.flags import ENABLED, RollbackState
from eros.control.phases import EARLY_ADOPTERS, FINAL_PHASE, Outcome
from eros.errors import InvalidInput
from eros.ports import Sleep, UnitOfWorkFactory
from eros.rules.calendar import next_monday
from eros.services.monitor import PipelineMonitor
from eros.services.pipeline_run import PipelineResult, PipelineRunner
from eros.services.rollback import RESTORE_CONFIRMATION, RollbackController
from eros.services.rollout import RolloutManager, RolloutRefused
from eros.services.routing import PipelineRouter

ACTOR = "simulation"
ONCALL = "simulated-oncall"
#: The route reason of the on-call's pre-cutover v5 dry runs.
CUTOVER_CHECK = "cutover_check"
#: The plan's six weeks.
DEFAULT_DAYS = 42
#: Faults start with the first percentage step unless told otherwise (plan Phase 3).
DEFAULT_FAULT_PHASE = 3
BATCH_AT = time(6, 0)
REVIEW_AT = time(23, 0)

FAULT_KINDS = {
    "failure": "share of v5 runs that raise",
    "latency": "seconds added to every v5 run",
    "gates": "share of v5 runs reporting a hard-gate violation",
    "quality": "quality score every v5 run reports",
}


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str
    value: float
    from_phase: int | None = DEFAULT_FAULT_PHASE
    from_day: int | None = None

    def __str__(self) -> str:
        start = f"day {self.from_day}" if self.from_day is not None else f"phase {self.from_phase}"
        return f"{self.kind}:{self.value:g} from {start}"


def parse_fault(spec: str) -> Fault:
    """`KIND:VALUE[@phase=N|@day=N]`; rates may be written 0.2 or 20%. InvalidInput names the problem."""
    text = spec.strip().lower()
    body, _, start = text.partition("@")
    kind, _, raw = body.partition(":")
    if kind not in FAULT_KINDS or not raw:
        kinds = ", ".join(f"{k} ({d})" for k, d in FAULT_KINDS.items())
        raise InvalidInput(f"Fault {spec!r} is not KIND:VALUE; kinds: {kinds}", code="INVALID_FAULT")
    try:
        value = float(raw.rstrip("%")) / (100 if raw.endswith("%") else 1)
    except ValueError:
        raise InvalidInput(f"Fault value {raw!r} is not a number", code="INVALID_FAULT") from None
    if kind in {"failure", "gates"} and not 0 <= value <= 1:
        raise InvalidInput(
            f"A {kind} rate is between 0 and 1 (or 0% and 100%), not {raw}", code="INVALID_FAULT"
        )
    if not start:
        return Fault(kind, value)
    key, _, number = start.partition("=")
    if key not in {"phase", "day"} or not number.isdigit():
        raise InvalidInput(f"Fault start {start!r} must be phase=N or day=N", code="INVALID_FAULT")
    return (
        Fault(kind, value, from_phase=int(number), from_day=None)
        if key == "phase"
        else Fault(kind, value, from_phase=None, from_day=int(number))
    )


def _fraction(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts (fault rolls reproducible run to run)."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass
class _World:
    """What the injected faults need to know: the day, the phase, whether the fix is in."""

    day: int = 0
    phase: int = 0
    fixed: bool = False
    runs: Counter[str] = field(default_factory=Counter)

    def active(self, fault: Fault) -> bool:
        if self.fixed:
            return False
        if fault.from_day is not None:
            return self.day >= fault.from_day
        return fault.from_phase is not None and self.phase >= fault.from_phase


class Replay:
    """Runs a deterministic pipeline once per creator-week and replays its result.

    The first run's mode (dry or not) stands for both: in a rehearsal on a throwaway copy, a
    live run differs from a dry one only in the saved row, which nothing downstream reads.
    """

    def __init__(self, runner: PipelineRunner) -> None:
        self._runner = runner
        self._results: dict[tuple[str, str], PipelineResult] = {}

    async def __call__(self, creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        key = (creator_id, week_start)
        if key not in self._results:
            self._results[key] = await self._runner(creator_id, week_start, dry_run=dry_run)
        return copy.deepcopy(self._results[key])


class SimulatedRunner:
    """A pipeline in simulated time: the run takes its duration on the clock; v5 may carry faults."""

    def __init__(
        self, name: str, base: PipelineRunner, clock: FixedClock, world: _World, faults: Sequence[Fault] = ()
    ) -> None:
        self.name, self._base, self._clock, self._world, self._faults = name, base, clock, world, faults

    async def __call__(self, creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        self._world.runs[self.name] += 1
        run_number = self._world.runs[self.name]
        result = await self._base(creator_id, week_start, dry_run=dry_run)
        seconds = result.total_duration_ms / 1000
        for fault in (f for f in self._faults if self._world.active(f)):
            roll = _fraction(fault.kind, creator_id, self._world.day, run_number)
            if fault.kind == "latency":
                seconds += fault.value
            elif fault.kind == "quality":
                result.quality_score = fault.value
            elif fault.kind == "gates" and roll < fault.value:
                result.hard_gate_violations += 1
                result.validation_status = "REJECTED"
                violations = (result.validation or {}).get("violations") or []
                result.validation = {
                    **(result.validation or {}),
                    "violations": [*violations, {"code": "VAULT_VIOLATION", "message": "injected fault"}],
                }
            elif fault.kind == "failure" and roll < fault.value:
                self._clock.advance(timedelta(seconds=seconds))
                raise RuntimeError(f"injected v5 failure ({fault})")
        self._clock.advance(timedelta(seconds=seconds))
        return result


@dataclass(frozen=True, slots=True)
class DaySummary:
    day: int
    date: str
    phase: int
    routes: dict[str, int]
    v5_failures: int
    action: str


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    at: str
    kind: str
    text: str


@dataclass
class SimulationResult:
    days: list[DaySummary]
    timeline: list[TimelineEvent]
    final_phase: int
    rollbacks: int
    alerts: Counter[str]
    final_validation: list[dict[str, Any]]
    faults: list[str]

    @property
    def completed(self) -> bool:
        return self.final_phase == FINAL_PHASE

    def as_dict(self) -> dict[str, Any]:
        return {
            "faults": self.faults,
            "final_phase": self.final_phase,
            "completed": self.completed,
            "rollbacks": self.rollbacks,
            "alerts": dict(self.alerts),
            "days": [_fields(d) for d in self.days],
            "timeline": [_fields(e) for e in self.timeline],
            "final_validation": self.final_validation,
        }


def _fields(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


@dataclass(frozen=True, slots=True)
class ControlPlane:
    """The rehearsal's control plane, wired around its clock."""

    monitor: PipelineMonitor
    rollback: RollbackController
    router: PipelineRouter
    manager: RolloutManager


#: Wires the control plane on the rehearsal database around the simulation's clock, routing to
#: `runners` (already in simulated time) and draining with `sleep` (which moves that clock).
Wiring = Callable[[FixedClock, Mapping[str, PipelineRunner], Sleep], ControlPlane]


@dataclass(frozen=True, slots=True)
class Rehearsal:
    """What a rehearsal runs on, from the composition root (`eros.bootstrap.rehearsal`)."""

    uow: UnitOfWorkFactory
    wire: Wiring


def active_creators(uow: UnitOfWorkFactory) -> list[str]:
    with uow() as work:
        return work.creators.active_creator_ids()


def rehearsal_roster(uow: UnitOfWorkFactory, limit: int | None) -> list[str] | None:
    """The first `limit` creators plus the canary cohort, or None for every active creator."""
    if limit is None:
        return None
    names = active_creators(uow)
    return sorted(set(names[:limit]) | (set(EARLY_ADOPTERS) & set(names)))


def first_batch(start: date) -> datetime:
    """When the rehearsal begins: the first day's batch."""
    return datetime.combine(start, BATCH_AT, UTC)


@contextmanager
def _environments_kept(environs: Sequence[MutableMapping[str, str]]) -> Iterator[None]:
    """Rollbacks mirror the kill switch into their environments (D4); a rehearsal must not leave
    it behind."""
    before = [environ.get(ENABLED) for environ in environs]
    try:
        yield
    finally:
        for environ, value in zip(environs, before, strict=True):
            if value is None:
                environ.pop(ENABLED, None)
            else:
                environ[ENABLED] = value


async def simulate_rollout(
    rehearsal: Rehearsal,
    *,
    start: date,
    runners: Mapping[str, PipelineRunner],
    days: int = DEFAULT_DAYS,
    faults: Sequence[Fault] = (),
    roster: Sequence[str] | None = None,
    from_phase: int = 0,
    on_day: Callable[[DaySummary], None] | None = None,
) -> SimulationResult:
    """Run the plan for `days` from `start` on the rehearsal's database (one it may write).

    `runners` are the v4 and v5 pipelines (the real ones replayed, or stand-ins); `roster`
    limits the creators; `from_phase` rehearses from a later phase (entered as a forced start).
    """
    clock = FixedClock(first_batch(start), frozen_durations=True)
    world = _World()
    plane = rehearsal.wire(
        clock,
        {
            "v4": SimulatedRunner("v4", runners["v4"], clock, world),
            "v5": SimulatedRunner("v5", runners["v5"], clock, world, faults),
        },
        _simulated_sleep(clock),
    )
    router, rollback, manager = plane.router, plane.rollback, plane.manager
    names = list(roster) if roster is not None else active_creators(rehearsal.uow)
    week = next_monday(start).isoformat()
    summaries: list[DaySummary] = []
    with _environments_kept(rollback.environs):
        manager.start(
            actor=ACTOR,
            reason="rehearsal begins in shadow (plan Phase 0)"
            if from_phase == 0
            else f"rehearsal begins in phase {from_phase}",
            at_phase=from_phase,
        )
        for day in range(days):
            today = start + timedelta(days=day)
            clock.set(max(clock.now(), first_batch(today)))
            world.day = day
            if rollback.state is not RollbackState.ACTIVE:
                await _recover(manager, rollback, world)
            current, _ = manager.current()
            world.phase = current.number if current else 0
            routes: Counter[str] = Counter()
            failures = 0
            for creator_id in names:
                decision = router.decide(creator_id)
                routes[decision.pipeline.value] += 1
                result = await router.route(creator_id, week)
                failures += decision.pipeline.value == "v5" and result.pipeline != "v5"
            if world.phase == FINAL_PHASE - 1 and rollback.state is RollbackState.ACTIVE:
                await _prepare_cutover(manager, plane.monitor, router, week)
            clock.set(max(clock.now(), datetime.combine(today, REVIEW_AT, UTC)))
            action = await _review(manager, rollback)
            summary = DaySummary(day, today.isoformat(), world.phase, dict(routes), failures, action)
            summaries.append(summary)
            if on_day is not None:
                on_day(summary)
        return _result(rehearsal.uow, manager, summaries, faults)


def rehearsal_settings(settings: Settings | None, db_url: str) -> Settings:
    """The operator's settings (learnings, v4 plug-in) pointed at the rehearsal database, with
    nothing that could reach the real installation: no alert sinks (a rehearsal pages nobody),
    the in-process MCP transport, no EROS_V5_* or database variables in its environment, and a
    key file of its own beside the rehearsal database."""
    base = settings or Settings(db_url=db_url)
    environ = {
        key: value
        for key, value in base.environ.items()
        if not key.startswith("EROS_V5_")
        and key not in {"EROS_DB_URL", "EROS_DB_PATH", "EROS_SIGNING_KEY_FILE"}
    }
    return replace(
        base,
        db_url=db_url,
        mcp_transport="inprocess",
        slack_webhook_url=None,
        pagerduty_routing_key=None,
        environ=environ,
        signing_key_file=None,
    )


def _simulated_sleep(clock: FixedClock) -> Sleep:
    async def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))

    return sleep


async def _recover(manager: RolloutManager, rollback: RollbackController, world: _World) -> None:
    """The on-call's day after a rollback: fix deployed, plan back to shadow, v5 restored (runbook §7)."""
    world.fixed = True
    current, _ = manager.current()
    if current is not None and current.number > 0:
        manager.abort("rolled back: fix deployed, re-validate in shadow", actor=ONCALL)
    await rollback.restore_v5(RESTORE_CONFIRMATION, initiator=ONCALL, reason="fix deployed after post-mortem")


async def _prepare_cutover(
    manager: RolloutManager, monitor: PipelineMonitor, router: PipelineRouter, week: str
) -> None:
    """The on-call's pre-cutover checklist (plan Phase 4): each creator the percentage rollout
    left on v4 verified with a recorded v5 dry run, the briefing and the rollback procedure
    (rehearsed here) confirmed."""
    facts = manager.pre_cutover_facts()
    for creator_id in facts.unverified:
        # A failure is recorded as a failed run (the monitor re-raises it): the creator stays unverified.
        with suppress(Exception):
            await monitor.observe(
                "v5", router.runner("v5"), creator_id, week, dry_run=True, route_reason=CUTOVER_CHECK
            )
    for item in facts.unconfirmed:
        manager.confirm(item.value, actor=ONCALL, note="rehearsal: the simulated on-call")


async def _review(manager: RolloutManager, rollback: RollbackController) -> str:
    """End of day: advance on PASS; on FAIL roll back (live phases) or hold (shadow); else wait."""
    if rollback.state is not RollbackState.ACTIVE:
        return "rolled back"
    analysis = manager.analyse()
    judged = manager.judged()
    if analysis is None or judged is None:
        return "waiting"
    if analysis.outcome is Outcome.PASS and judged[1] is None:
        return "full cutover stable (plan complete)"
    if analysis.outcome is Outcome.PASS:
        try:
            transition = manager.advance(actor=ACTOR, reason="criteria met")
        except RolloutRefused as refused:
            return f"refused: {refused.message}"
        return f"advanced to phase {transition.to_phase}"
    if analysis.outcome is Outcome.FAIL:
        reason = "; ".join(analysis.reasons)
        current, _ = manager.current()
        if current is not None and current.number > 0:
            await rollback.execute_rollback(
                f"phase {current.number} analysis failed: {reason}", initiator=ACTOR
            )
            return "rolled back by phase analysis"
        manager.hold(reason, actor=ACTOR)
        return "held in shadow"
    return "waiting"


def _result(
    uow: UnitOfWorkFactory, manager: RolloutManager, days: list[DaySummary], faults: Sequence[Fault]
) -> SimulationResult:
    with uow() as work:
        transitions = work.rollout.recent_transitions(limit=1000)
        alerts = work.ops.alert_rows(limit=1000)
        events = work.ops.rollback_event_rows(limit=1000)
    timeline = [
        TimelineEvent(
            t["at"],
            "rollout",
            f"{t['outcome']}: phase {_or_dash(t['from_phase'])} → {t['to_phase']}"
            + (" (forced)" if t["forced"] else "")
            + (f" — {t['reason']}" if t["reason"] else ""),
        )
        for t in transitions
    ]
    timeline += [
        TimelineEvent(a["raised_at"], "alert", f"{a['code']} [{a['severity']}] {a['message']}")
        for a in alerts
    ]
    timeline += [
        TimelineEvent(
            e["at"],
            e["action"],
            f"{e['state_before']} → {e['state_after']} by {e['initiator']}"
            + (" (automatic)" if e["automatic"] else "")
            + f": {e['reason']}",
        )
        for e in events
    ]
    order = {"alert": 0, "rollback": 1, "restore": 2, "rollout": 3}
    timeline.sort(key=lambda e: (e.at, order.get(e.kind, 9)))
    current, _ = manager.current()
    return SimulationResult(
        days=days,
        timeline=timeline,
        final_phase=current.number if current else 0,
        rollbacks=sum(1 for e in events if e["action"] == "rollback"),
        alerts=Counter(a["code"] for a in alerts),
        final_validation=manager.final_validation(),
        faults=[str(f) for f in faults],
    )


def _or_dash(value: object) -> str:
    return "-" if value is None else str(value)
