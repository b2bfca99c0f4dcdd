"""The learning loop's use cases (ARCHITECTURE §2; rollout plan Phase 7; runbook §9).

signals → reflect → LEARNINGS.md: capture records the signals of what happened
(`eros.learning.capture`), reflection proposes learnings from the pending ones
(`eros.learning.reflection`), and writing renders LEARNINGS.md, marks the signals processed
and commits the file alone (`reflect(eros): …`). Everything that decides is pure and lives in
`eros.learning`; this module reads, writes and commits, through the ports it is given.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eros.clock import Clock, iso_z
from eros.control.alerts import Alert
from eros.control.slo import AlertCode
from eros.errors import ErosError
from eros.infra.learnings_file import (
    learnings_lock,
    read_document,
    read_learnings_file,
    read_text,
    restore_text,
    write_document,
    write_text,
)
from eros.learning.capture import (
    LEARNINGS_FILE,
    FinishedRun,
    correction_signal,
    learnings_problem_signals,
    performance_signals,
    signals_from_run,
)
from eros.learning.document import (
    Entry,
    LearningsDocument,
    Problem,
    Reading,
    Statistics,
    read_learnings,
    render_document,
    statistics,
)
from eros.learning.reflection import (
    Reflection,
    apply,
    commit_message,
    deprecated_entry,
    deprecation_message,
    reflect,
    without,
)
from eros.learning.signals import NewSignal
from eros.ports import FileCommitter, UnitOfWorkFactory
from eros.services.alerting import AlertManager

if TYPE_CHECKING:  # the repository's type only; the caller's unit of work supplies it
    from eros.db.signals_repo import SignalRepository

logger = logging.getLogger("eros.reflect")

#: Signals a reflection meant to write were processed by another one meanwhile: nothing written.
REFLECT_CONFLICT = "REFLECT_CONFLICT"
LEARNINGS_NOT_FOUND = "LEARNINGS_NOT_FOUND"
#: Holds LEARNINGS.md's lock for a block; `required=False` lets a read go on without one.
Lock = Callable[..., AbstractContextManager[None]]


def capture_run(signals: SignalRepository, result: FinishedRun | None, now: datetime) -> int:
    """Record a finished run's validation signals (the hook where runs are recorded); a run that
    raised (no result) has none."""
    return signals.insert(signals_from_run(result) if result is not None else [], now)


def record_learnings_problems(
    signals: SignalRepository, problems: Sequence[Problem], now: datetime, *, path: Path | str = ""
) -> int:
    """Record the problems generation found in LEARNINGS.md as learning signals, each once while it
    is pending (37 creators loading the same broken file record it once); the number recorded."""
    pending = {
        (s.payload.get("line"), s.payload.get("message"))
        for s in signals.pending()
        if s.kind == LEARNINGS_FILE and isinstance(s.payload, dict)
    }
    new = [
        signal
        for signal in learnings_problem_signals(problems, str(path))
        if (signal.payload["line"], signal.payload["message"]) not in pending
    ]
    return signals.insert(new, now)


def capture(signals: SignalRepository, now: datetime) -> int:
    """Record user corrections and finished weeks' actuals not yet seen; the number recorded."""
    seen = signals.recorded_corrections()
    found: list[NewSignal] = []
    for edit in signals.edited_schedules():
        if (edit["schedule_id"], edit["revision"]) in seen:
            continue
        signal = correction_signal(
            edit["schedule_id"], edit["creator_id"], edit["revision"], edit["previous_items"], edit["items"]
        )
        if signal is not None:
            found.append(signal)
    for week in signals.finished_weeks(now.date()):
        actuals = signals.week_actuals(week["creator_id"], week["week_start"], week["week_end"])
        if actuals:
            found.extend(performance_signals(week, actuals))
    return signals.insert(found, now)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What `eros reflect` did: the reflection, and whether (and where) it was written and committed."""

    reflection: Reflection
    captured: int
    written: bool = False
    commit: str | None = None
    path: Path | None = None


def outcome_document(outcome: Outcome) -> dict[str, Any]:
    """A reflect run as JSON (`eros reflect --json`, the web app's learnings endpoints)."""
    r = outcome.reflection
    return {
        "captured": outcome.captured,
        "signals": len(r.signal_ids),
        "unmapped_signals": r.unmapped,
        "rejected_signals": list(r.rejected),
        "proposals": [
            {
                "action": p.action,
                "id": p.entry.learning.id,
                "confidence": p.entry.learning.confidence,
                "previous_confidence": p.previous.learning.confidence if p.previous else None,
                "title": p.entry.learning.title,
                "source": p.entry.learning.source,
                "applies_to": p.entry.learning.applies_to,
                "directive": p.entry.learning.directive,
                "signal_ids": list(p.signal_ids),
            }
            for p in r.proposals
        ],
        "confirmed": list(r.confirmed),
        "suppressed": list(r.suppressed),
        "written": outcome.written,
        "commit": outcome.commit,
    }


@dataclass(frozen=True, slots=True)
class Status:
    """`eros reflect status`: the file's statistics, the signals waiting, the auto-reflection switch."""

    statistics: Statistics
    pending: dict[str, int]
    auto_reflect: bool
    path: Path
    total: int = 0
    captured: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The status as JSON (`eros reflect status --json`, the web app's learnings endpoint)."""
        stats = self.statistics
        return {
            "path": str(self.path),
            "total": self.total,
            "by_confidence": stats.by_confidence,
            "by_source": stats.by_source,
            "last_7_days": stats.last_7_days,
            "deprecated": stats.deprecated,
            "pending_signals": self.pending,
            "auto_reflect": self.auto_reflect,
        }


@dataclass(frozen=True, slots=True)
class LearningLoop:
    """`eros reflect` and its subcommands, on one database, one LEARNINGS.md and one commit trail.

    Every read-modify-write-commit of the file (and every capture, which reads then inserts)
    holds the file's lock (`eros.infra.learnings_file.learnings_lock`): two `reflect --yes` run
    one after the other, and the second finds the first one's signals processed.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    learnings_path: Path
    git: FileCommitter
    lock: Lock = learnings_lock

    async def check_file(self, alerts: AlertManager) -> Alert | None:
        """The periodic check of LEARNINGS.md (`eros check`): what generation skips becomes learning
        signals and one LEARNINGS_INVALID alert per episode (the new alert, None while it is open);
        a clean file closes the episode."""
        problems = read_learnings_file(self.learnings_path).problems
        if not problems:
            await alerts.resolve(AlertCode.LEARNINGS_INVALID)
            return None
        with self.uow() as uow:
            record_learnings_problems(uow.signals, problems, self.clock.now(), path=self.learnings_path)
            uow.commit()
        lines = "; ".join(str(problem) for problem in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        return await alerts.raise_alert(
            AlertCode.LEARNINGS_INVALID,
            f"{len(problems)} problem(s) in {self.learnings_path}, skipped for generation: {lines}{more}",
            metrics={"problems": len(problems)},
        )

    def run_reflect(
        self,
        *,
        write: bool,
        limit: int | None = None,
        reject: Sequence[str] = (),
        actor: str | None = None,
    ) -> Outcome:
        """Capture new signals, reflect on the pending ones and, when `write`, write, mark and commit.
        `reject` drops proposals a reviewer judged wrong (runbook: "Reject any learnings that seem
        incorrect"); `actor`, who accepted them, is named in the commit (`Accepted-by:`)."""
        with self.lock(self.learnings_path, required=write):
            now = self.clock.now()
            document = read_document(self.learnings_path)
            with self.uow() as uow:
                captured = capture(uow.signals, now)
                signals = uow.signals.pending(limit)
                uow.commit()
            reflection = without(reflect(signals, document, now.date()), reject)
            if not write or not reflection.signal_ids:
                return Outcome(reflection, captured)
            return self._write(document, reflection, captured, now, actor)

    def write_reflection(
        self, reflection: Reflection, *, captured: int = 0, actor: str | None = None
    ) -> Outcome:
        """Write a reflection made earlier (say, shown to a reviewer first), under the lock. Its
        signals are claimed first: when another reflection processed any of them meanwhile, nothing
        is written (REFLECT_CONFLICT), so a signal is never written twice."""
        with self.lock(self.learnings_path, required=True):
            document = read_document(self.learnings_path)
            return self._write(document, reflection, captured, self.clock.now(), actor)

    def _write(
        self,
        document: LearningsDocument,
        reflection: Reflection,
        captured: int,
        now: datetime,
        actor: str | None,
    ) -> Outcome:
        """Claim the signals, write the file and commit the claim together, then commit the file.

        The new text is rendered before anything is claimed (a document that cannot be written
        claims nothing). The claim is the database's (`processed_at IS NULL`), so it holds even
        for a reflection that did not take the lock. If the database commit fails, the file is
        put back as it was: the signals stay pending and nothing is written twice."""
        path = self.learnings_path
        text = None if reflection.empty else render_document(apply(document, reflection), now.date())
        before = read_text(path) if text is not None and path.exists() else None
        with self.uow() as uow:
            claimed = uow.signals.mark_processed(reflection.signal_ids, now)
            if claimed != len(reflection.signal_ids):
                raise ErosError(
                    f"{len(reflection.signal_ids) - claimed} of these {len(reflection.signal_ids)} signal(s) "
                    "were processed by another reflection meanwhile; nothing was written. Run `eros "
                    "reflect` again.",
                    code=REFLECT_CONFLICT,
                    details={"signals": len(reflection.signal_ids), "claimed": claimed},
                )
            if text is not None:
                write_text(path, text)
            try:
                uow.commit()
            except BaseException:
                if text is not None:
                    restore_text(path, before)
                raise
        message = with_trailer(commit_message(reflection), "Accepted-by", actor)
        commit = self.git.commit_file(path, message) if text is not None else None
        logger.info("reflect wrote %d proposal(s), commit %s", len(reflection.proposals), commit)
        return Outcome(reflection, captured, written=text is not None, commit=commit, path=path)

    def deprecate(self, ident: str, reason: str, *, actor: str | None = None) -> tuple[Entry, str | None]:
        """Move a learning to Deprecated with its reason, write and commit (runbook §9 Option A);
        `actor` is named in the commit (`Deprecated-by:`)."""
        with self.lock(self.learnings_path, required=True):
            today = self.clock.now().date()
            document = read_document(self.learnings_path)
            entry = deprecated_entry(document.find(ident), reason, today)
            write_document(self.learnings_path, document.with_entry(entry), today)
            message = with_trailer(deprecation_message(entry), "Deprecated-by", actor)
            return entry, self.git.commit_file(self.learnings_path, message)

    def lint(self, path: Path | None = None) -> Reading:
        """Every problem of LEARNINGS.md (or `path`) with its line (`eros reflect lint`)."""
        return lint_learnings(path or self.learnings_path)

    def status(self) -> Status:
        """The runbook's statistics, pending signals by source and the auto-reflection switch."""
        with self.lock(self.learnings_path, required=False):
            now = self.clock.now()
            document = read_document(self.learnings_path)
            with self.uow() as uow:
                captured = capture(uow.signals, now)
                pending = uow.signals.pending_by_source()
                auto = uow.signals.auto_reflect()
                uow.commit()
        return Status(
            statistics=statistics(document.entries, now.date()),
            pending=pending,
            auto_reflect=auto,
            path=self.learnings_path,
            total=len(document.entries),
            captured=captured,
        )

    def set_auto(self, on: bool, *, actor: str, reason: str | None = None) -> None:
        """Turn auto-reflection on or off (an audited flag override)."""
        with self.uow() as uow:
            uow.signals.set_auto_reflect(on, actor=actor, at=iso_z(self.clock.now()), reason=reason)
            uow.commit()

    def auto_enabled(self) -> bool:
        """Is auto-reflection on (`eros reflect --if-enabled` reflects only then)?"""
        with self.uow() as uow:
            return uow.signals.auto_reflect()


def with_trailer(message: str, key: str, actor: str | None) -> str:
    """`message` with a git trailer naming who made the change (unchanged when nobody is named);
    line breaks in the name are flattened so the trailer stays one line."""
    if not actor:
        return message
    return f"{message}\n\n{key}: {' '.join(actor.split())}"


def lint_learnings(path: Path) -> Reading:
    """The tolerant reading of the file, for `eros reflect lint`: every problem with its line.
    A file that is missing or cannot be read is a coded error (LEARNINGS_NOT_FOUND,
    LEARNINGS_UNREADABLE), not a problem list."""
    try:
        return read_learnings(read_text(path))
    except FileNotFoundError as exc:
        raise ErosError(
            f"there is no {path} to lint (EROS_LEARNINGS_PATH; `eros reflect --yes` creates it)",
            code=LEARNINGS_NOT_FOUND,
            details={"path": str(path)},
        ) from exc
    except OSError as exc:
        raise ErosError(
            f"cannot read {path}: {exc.strerror or exc}",
            code="LEARNINGS_UNREADABLE",
            details={"path": str(path)},
        ) from exc
