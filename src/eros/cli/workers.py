"""Worker processes that die with the command that started them (`eros generate --all --jobs N`).

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
