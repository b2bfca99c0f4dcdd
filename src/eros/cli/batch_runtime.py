"""Garbage collection for the batch commands (`generate --all`, `run --all`, `--jobs` workers).

A week's plan allocates hundreds of thousands of short-lived objects, so CPython runs a full
collection every few creator-weeks, and a full collection walks every object the process holds:
the MCP SDK, OR-Tools, SQLAlchemy and pydantic's schemas, 86–120 ms each time (issue 14). After
the first creator-week has loaded everything a run needs, `BatchGC.settle` collects once and
freezes what survives (`gc.freeze`), so later collections only look at what the batch itself
allocates; a larger first-generation threshold makes young collections rarer. Nothing here
changes what is planned, only when memory is scanned.
"""

from __future__ import annotations

import gc
from types import TracebackType

#: Allocations between young collections during a batch (CPython's default is 700).
BATCH_GEN0_THRESHOLD = 20_000


class BatchGC:
    """`with BatchGC() as batch_gc:` around a batch; `batch_gc.settle()` after each item."""

    def __init__(self) -> None:
        self._saved: tuple[int, int, int] | None = None
        self.frozen = False

    def __enter__(self) -> BatchGC:
        self._saved = gc.get_threshold()
        _, older, oldest = self._saved
        gc.set_threshold(max(BATCH_GEN0_THRESHOLD, self._saved[0]), older, oldest)
        return self

    def settle(self) -> None:
        """The first call (after the warm-up item) freezes the long-lived heap; later calls do nothing."""
        if not self.frozen:
            gc.collect()
            gc.freeze()
            self.frozen = True

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.frozen:
            gc.unfreeze()
            self.frozen = False
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
