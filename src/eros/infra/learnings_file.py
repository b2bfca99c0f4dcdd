"""LEARNINGS.md on disk: the file reflection writes and preflight reads (runbook §9).

A missing file is an empty document (no learnings yet); an unreadable one fails with
LEARNINGS_INVALID like a malformed one. Parsing and rendering are `eros.learning.document`'s.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from eros.learning.document import LearningsDocument, LearningsInvalid, parse_document, render_document
from eros.models import Learning


def read_document(path: Path | str) -> LearningsDocument:
    """The document at `path`; an empty one when the file does not exist."""
    file = Path(path)
    if not file.exists():
        return LearningsDocument()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LearningsInvalid(f"cannot read {file}: {exc}") from exc
    return parse_document(text)


def write_document(path: Path, document: LearningsDocument, today: date) -> None:
    """Render the whole document (statistics as of `today`) over the file, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_document(document, today), encoding="utf-8")


def load_learnings(
    path: Path | str,
    creator_id: str,
    page_name: str,
    tier: str,
    *,
    page_type: str | None = None,
) -> tuple[Learning, ...]:
    """The active learnings of the file at `path` that apply to this creator; a missing file means none."""
    return read_document(path).applying_to(creator_id, page_name, tier, page_type=page_type)
