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
`eros.learning.document`'s; `learnings_lock` serialises the read-modify-write-commit of a reflection.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from filelock import FileLock, Timeout

from eros.errors import ErosError
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

#: How long a reflection waits for another one holding the file's lock.
LOCK_TIMEOUT_S = 120.0
REFLECT_BUSY = "REFLECT_BUSY"
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
    write_text(path, render_document(document, today))


def write_text(path: Path, text: str) -> None:
    """Replace the file's content at once (a temporary file renamed over it): a crash mid-write
    leaves the old file, never half of the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def restore_text(path: Path, text: str | None) -> None:
    """Put back what the file held before (`None`: it did not exist)."""
    if text is None:
        path.unlink(missing_ok=True)
    else:
        write_text(path, text)


def lock_path(path: Path) -> Path:
    """The lock file beside LEARNINGS.md (`.LEARNINGS.md.lock`, left in place; ignore it in git)."""
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def learnings_lock(path: Path, *, timeout: float = LOCK_TIMEOUT_S, required: bool = True) -> Iterator[None]:
    """Hold the file's lock: one reflection at a time reads, writes and commits LEARNINGS.md.

    Waits up to `timeout` seconds for another holder (REFLECT_BUSY after that). When the lock
    file cannot be created (a read-only folder) and the caller only reads (`required=False`),
    it goes on without the lock.
    """
    target = lock_path(Path(path))
    lock = FileLock(target, timeout=timeout)
    held = False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
        held = True
    except Timeout as exc:
        raise ErosError(
            f"another `eros reflect` has held {target} for {timeout:.0f} s; try again when it is done",
            code=REFLECT_BUSY,
            details={"lock": str(target)},
        ) from exc
    except OSError as exc:
        if required:
            raise ErosError(
                f"cannot create the lock {target}: {exc.strerror or exc}",
                code="REFLECT_LOCK_FAILED",
                details={"lock": str(target)},
            ) from exc
        logger.warning("cannot create the lock %s (%s); reading without it", target, exc)
    try:
        yield
    finally:
        if held:
            lock.release()


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
