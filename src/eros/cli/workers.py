"""Worker processes that die with the command that started them (`eros generate|run --all --jobs N`).

A process-pool worker waits on its call queue, a pipe whose both ends it holds, so when its
parent is killed (kill -9, the OOM killer) nothing ever wakes it: it stays behind holding the
database. `exit_with_parent` runs in the pool's initializer and starts a thread that blocks on
multiprocessing's parent sentinel (the end of a pipe only the parent holds open, readable once
the parent is gone: no polling) and then ends the worker at once.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: The exit status of a worker whose parent died (what a supervisor sees instead of a hang).
ORPHANED_EXIT = 3


def exit_with_parent() -> None:
    """In a multiprocessing child: exit as soon as the parent process ends (no-op elsewhere)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(ORPHANED_EXIT)  # no cleanup: the parent that would collect results is gone

    threading.Thread(target=watch, name="eros-parent-watch", daemon=True).start()


def _start(initializer: Callable[..., None], *initargs: Any) -> None:
    exit_with_parent()  # a killed command leaves no worker behind
    initializer(*initargs)


def map_in_processes(
    work: Callable[[T], R],
    items: Sequence[T],
    *,
    jobs: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...] = (),
    advance: Callable[[], None] = lambda: None,
) -> list[R]:
    """`work(item)` for every item in `jobs` spawned worker processes (each set up once by
    `initializer`); the results in the items' order, `advance` called as each one arrives.
    `work` and `initializer` are module-level functions (or partials of them): spawn pickles them."""
    results: dict[int, R] = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_start, initargs=(initializer, *initargs)
    ) as pool:
        futures = {pool.submit(work, item): index for index, item in enumerate(items)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            advance()
    return [results[index] for index in range(len(items))]
