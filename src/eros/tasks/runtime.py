"""What a worker's tasks run on: the configured installation and how to build its router.

The worker hands one `WorkerRuntime` to every job (Procrastinate's `additional_context`), so a
test can give a worker routers with runners of its own without touching the task code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from procrastinate import JobContext

from eros.bootstrap import Container, pipeline_router
from eros.services.routing import PipelineRouter

#: The key of the runtime in a job's `additional_context`.
RUNTIME = "eros_runtime"


@dataclass(frozen=True)
class WorkerRuntime:
    container: Container
    #: `replace_edited` → a router as `eros run` builds it (one per job: jobs may overlap).
    router: Callable[[bool], PipelineRouter]

    @classmethod
    def configured(cls, container: Container) -> WorkerRuntime:
        return cls(container, lambda replace: pipeline_router(container, replace_edited=replace))


def runtime_of(context: JobContext) -> WorkerRuntime:
    runtime = context.additional_context[RUNTIME]
    if not isinstance(runtime, WorkerRuntime):
        raise TypeError(f"job context {RUNTIME!r} is a {type(runtime).__name__}, not a WorkerRuntime")
    return runtime
