"""LEARNINGS.md on disk: the file reflection writes and preflight reads (runbook §9).

Two ways to read it, on purpose:

* `read_document` is strict, for whatever writes the file (`eros reflect --yes`, `deprecate`):
  any problem fails with LEARNINGS_INVALID naming its line, and nothing is written.
* `read_learnings_file` / `load_learnings` are tolerant, for generation: a malformed entry, or
  one inside an unresolved merge conflict, is skipped with a warning on the `eros.learnings`
  logger, the valid entries still apply, and the problems come back with their lines
  (`load_learnings_with_problems`) for the caller to raise a signal or an alert. A file that
  cannot be read at all gives no learnings and one problem (line 0).

A missing file is an empty document (no learnings yet). Parsing and rendering are
`eros.learning.document`'s.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from eros.learning.document import (
    LearningsDocument,
    LearningsInvalid,
    Problem,
    Reading,
    parse_document,
    read_learnings,
    render_document,
)
from eros.models import Learning

logger = logging.getLogger("eros.learnings")

#: Problems already logged, by file content: a run of 37 creators warns once, not 37 times.
_WARNED: dict[str, None] = {}
_WARNED_MAX = 64


def _line_of(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def read_document(path: Path | str) -> LearningsDocument:
    """The document at `path`, strictly (for writes); an empty one when the file does not exist."""
    file = Path(path)
    if not file.exists():
        return LearningsDocument()
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise LearningsInvalid(f"cannot read {file}: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        raise LearningsInvalid(
            f"LEARNINGS.md line {line}: byte 0x{data[exc.start]:02X} is not UTF-8 text",
            details={"line": line},
        ) from exc
    return parse_document(text)


def read_text(path: Path | str) -> str:
    """The file's text for a tolerant read: bytes that are not UTF-8 become U+FFFD (the reader
    reports their lines). Raises OSError when the file cannot be read."""
    return Path(path).read_bytes().decode("utf-8-sig", errors="replace")


def read_learnings_file(path: Path | str) -> Reading:
    """Every valid entry and every problem of the file (no problem and no entry when it is missing)."""
    file = Path(path)
    try:
        text = read_text(file)
    except FileNotFoundError:
        return Reading(LearningsDocument())
    except OSError as exc:
        problem = Problem(0, f"cannot read {file}: {exc.strerror or exc}; no learning applies")
        _warn(file, f"unreadable:{exc}", (problem,))
        return Reading(LearningsDocument(), (problem,))
    reading = read_learnings(text)
    if reading.problems:
        _warn(file, text, reading.problems)
    return reading


def _warn(file: Path, content: str, problems: tuple[Problem, ...]) -> None:
    key = hashlib.sha256(f"{file.resolve()}\0{content}".encode("utf-8", "surrogatepass")).hexdigest()
    if key in _WARNED:
        return
    if len(_WARNED) >= _WARNED_MAX:
        _WARNED.clear()
    _WARNED[key] = None
    skipped = len({p.entry_line for p in problems if p.entry_line is not None})
    logger.warning(
        "%s: %d problem(s), %d learning(s) skipped for generation (eros reflect lint)",
        file,
        len(problems),
        skipped,
    )
    for problem in problems:
        logger.warning("%s", problem)


def write_document(path: Path, document: LearningsDocument, today: date) -> None:
    """Render the whole document (statistics as of `today`) over the file, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_document(document, today), encoding="utf-8")


@dataclass(frozen=True, slots=True)
class LoadedLearnings:
    """What generation loads: the learnings that apply, and the file's problems (each skipped
    entry and why, with its line), for the caller to raise a learning signal and an alert."""

    learnings: tuple[Learning, ...]
    problems: tuple[Problem, ...] = ()
    path: Path | None = None


def load_learnings_with_problems(
    path: Path | str,
    creator_id: str,
    page_name: str,
    tier: str,
    *,
    page_type: str | None = None,
) -> LoadedLearnings:
    """The active learnings of the file that apply to this creator, and the file's problems."""
    reading = read_learnings_file(path)
    learnings = reading.document.applying_to(creator_id, page_name, tier, page_type=page_type)
    return LoadedLearnings(learnings, reading.problems, Path(path))


def load_learnings(
    path: Path | str,
    creator_id: str,
    page_name: str,
    tier: str,
    *,
    page_type: str | None = None,
) -> tuple[Learning, ...]:
    """The active learnings of the file at `path` that apply to this creator; a missing file means
    none, and a bad entry is skipped with a warning (`load_learnings_with_problems` returns why)."""
    return load_learnings_with_problems(path, creator_id, page_name, tier, page_type=page_type).learnings
