"""The Procrastinate app with every EROS task registered: the same in workers and in enqueuers."""

from __future__ import annotations

import os
import socket

from procrastinate import App, PsycopgConnector

from eros.config import Settings
from eros.tasks import periodic, planning
from eros.tasks.database import conninfo
from eros.tasks.queue import heartbeat_s, log_job_errors_coded, opened, recover_stalled_jobs, require_schema
from eros.tasks.runtime import RUNTIME, WorkerRuntime


def queue_app(settings: Settings) -> App:
    """On EROS_DB_URL's PostgreSQL database (QUEUE_NEEDS_POSTGRES on any other); not yet open."""
    app = App(connector=PsycopgConnector(conninfo=conninfo(settings.db_url)))
    planning.register(app)
    periodic.register(app, settings)
    return app


async def work(runtime: WorkerRuntime, *, concurrency: int = 1, until_idle: bool = False) -> None:
    """Run one worker until stopped (SIGINT/SIGTERM finish the jobs in hand), or with `until_idle`
    until no job is ready. First it runs again the jobs of workers that died (`recover_stalled_jobs`)."""
    settings = runtime.container.settings
    app = queue_app(settings)
    log_job_errors_coded()
    async with opened(app):
        await require_schema(app)
        await recover_stalled_jobs(app, settings.worker_stalled_s)
        await app.run_worker_async(
            concurrency=concurrency,
            wait=not until_idle,
            name=f"eros@{socket.gethostname()}:{os.getpid()}",
            additional_context={RUNTIME: runtime},
            update_heartbeat_interval=heartbeat_s(settings),
            stalled_worker_timeout=settings.worker_stalled_s,
        )
