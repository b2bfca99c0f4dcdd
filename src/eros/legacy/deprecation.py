"""The v4 path is deprecated once full cutover is recorded (rollout plan Phase 4, "V4 Deprecation").

Both v4 runners (the built-in pipeline and an EROS_V4_RUNNER plug-in) hold a `V4Deprecation`
notice: at every call it asks whether cutover is recorded and, if so, raises a
`DeprecationWarning` pointing at the caller (for code and tests) and logs the note once per
runner on `eros.legacy` (the CLI prints warnings as one line on stderr). Before cutover it is silent.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable

logger = logging.getLogger("eros.legacy")


class V4DeprecationNotice:
    """`note()` is None before cutover, else the one-line note with the date v4 may be removed."""

    def __init__(self, note: Callable[[], str | None]) -> None:
        self._note = note
        self._logged = False

    def warn(self, *, stacklevel: int = 1) -> None:
        """Warn on behalf of the frame `stacklevel` above the caller (1: the caller's caller)."""
        note = self._note()
        if note is None:
            return
        warnings.warn(note, DeprecationWarning, stacklevel=stacklevel + 2)
        if not self._logged:
            self._logged = True
            logger.warning("%s", note)
