"""What a worker's tasks run on: the configured installation and the routers its jobs borrow.

The worker hands one `WorkerRuntime` to every job (Procrastinate's `additional_context`), so a
test can give a worker routers with runners of its own without touching the task code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from procrastinate import JobContext

from eros.bootstrap import Container, pipeline_router
from eros.services.routing import PipelineRouter

#: The key of the runtime in a job's `additional_context`.
RUNTIME = "eros_runtime"


@dataclass
class WorkerRuntime:
    container: Container
    #: `replace_edited` → a new router as `eros run` builds it.
    build_router: Callable[[bool], PipelineRouter]
    _idle: dict[bool, list[PipelineRouter]] = field(default_factory=dict, repr=False)

    @classmethod
    def configured(cls, container: Container) -> WorkerRuntime:
        return cls(container, lambda replace: pipeline_router(container, replace_edited=replace))

    @contextmanager
    def router(self, replace: bool) -> Iterator[PipelineRouter]:
        """A router no other job is using, kept for the next job (as `eros run` keeps one for the
        roster): building its pipelines and clients once, not per job. Jobs run on one event loop,
        so the free list needs no lock; there are at most `--concurrency` routers per flag."""
        idle = self._idle.setdefault(replace, [])
        router = idle.pop() if idle else self.build_router(replace)
        try:
            yield router
        finally:
            idle.append(router)


def runtime_of(context: JobContext) -> WorkerRuntime:
    runtime = context.additional_context[RUNTIME]
    if not isinstance(runtime, WorkerRuntime):
        raise TypeError(f"job context {RUNTIME!r} is a {type(runtime).__name__}, not a WorkerRuntime")
    return runtime
