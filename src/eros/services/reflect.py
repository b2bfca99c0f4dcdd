"""The learning loop's use cases (ARCHITECTURE §2; rollout plan Phase 7; runbook §9).

signals → reflect → LEARNINGS.md: capture records the signals of what happened
(`eros.learning.capture`), reflection proposes learnings from the pending ones
(`eros.learning.reflection`), and writing renders LEARNINGS.md, marks the signals processed
and commits the file alone (`reflect(eros): …`). Everything that decides is pure and lives in
`eros.learning`; this module reads, writes and commits, through the ports it is given.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from eros.clock import Clock, iso_z
from eros.errors import ErosError
from eros.infra.learnings_file import read_document, read_text, write_document
from eros.learning.capture import (
    PIPELINE_GENERATORS,
    FinishedRun,
    correction_signal,
    performance_signals,
    signals_from_run,
)
from eros.learning.document import Entry, Reading, Statistics, read_learnings, statistics
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

if TYPE_CHECKING:  # the repository's type only; the caller's unit of work supplies it
    from eros.db.signals_repo import SignalRepository

logger = logging.getLogger("eros.reflect")

LEARNINGS_NOT_FOUND = "LEARNINGS_NOT_FOUND"


def capture_run(signals: SignalRepository, result: FinishedRun | None, now: datetime) -> int:
    """Record a finished run's validation signals (the hook where runs are recorded); a run that
    raised (no result) has none."""
    return signals.insert(signals_from_run(result) if result is not None else [], now)


def capture(signals: SignalRepository, now: datetime) -> int:
    """Record user corrections and finished weeks' actuals not yet seen; the number recorded."""
    seen = signals.recorded_corrections()
    found: list[NewSignal] = []
    for edit in signals.edited_schedules(PIPELINE_GENERATORS):
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


@dataclass(frozen=True, slots=True)
class Status:
    """`eros reflect status`: the file's statistics, the signals waiting, the auto-reflection switch."""

    statistics: Statistics
    pending: dict[str, int]
    auto_reflect: bool
    path: Path
    total: int = 0
    captured: int = 0


@dataclass(frozen=True, slots=True)
class LearningLoop:
    """`eros reflect` and its subcommands, on one database, one LEARNINGS.md and one commit trail."""

    uow: UnitOfWorkFactory
    clock: Clock
    learnings_path: Path
    git: FileCommitter

    def run_reflect(self, *, write: bool, limit: int | None = None, reject: Sequence[str] = ()) -> Outcome:
        """Capture new signals, reflect on the pending ones and, when `write`, write, mark and commit.
        `reject` drops proposals a reviewer judged wrong (runbook: "Reject any learnings that seem
        incorrect")."""
        now = self.clock.now()
        path = self.learnings_path
        document = read_document(path)
        with self.uow() as uow:
            captured = capture(uow.signals, now)
            signals = uow.signals.pending(limit)
            uow.commit()
        reflection = without(reflect(signals, document, now.date()), reject)
        if not write or not reflection.signal_ids:
            return Outcome(reflection, captured)
        if not reflection.empty:
            write_document(path, apply(document, reflection), now.date())
        with self.uow() as uow:
            uow.signals.mark_processed(reflection.signal_ids, now)
            uow.commit()
        commit = self.git.commit_file(path, commit_message(reflection)) if not reflection.empty else None
        logger.info("reflect wrote %d proposal(s), commit %s", len(reflection.proposals), commit)
        return Outcome(reflection, captured, written=not reflection.empty, commit=commit, path=path)

    def deprecate(self, ident: str, reason: str) -> tuple[Entry, str | None]:
        """Move a learning to Deprecated with its reason, write and commit (runbook §9 Option A)."""
        today = self.clock.now().date()
        document = read_document(self.learnings_path)
        entry = deprecated_entry(document.find(ident), reason, today)
        write_document(self.learnings_path, document.with_entry(entry), today)
        return entry, self.git.commit_file(self.learnings_path, deprecation_message(entry))

    def lint(self, path: Path | None = None) -> Reading:
        """Every problem of LEARNINGS.md (or `path`) with its line (`eros reflect lint`)."""
        return lint_learnings(path or self.learnings_path)

    def status(self) -> Status:
        """The runbook's statistics, pending signals by source and the auto-reflection switch."""
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
