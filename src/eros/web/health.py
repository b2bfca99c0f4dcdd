"""`/healthz` (the process answers), `/readyz` (the database answers and is migrated to head),
`/metrics` (the Prometheus exporter of `eros metrics`, read at each scrape)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from eros.bootstrap import flag_reader, pipeline_monitor
from eros.db.engine import require_database
from eros.db.readiness import migration_heads
from eros.errors import ErosError
from eros.infra import prometheus
from eros.web.deps import Installation
from eros.web.errors import unexpected_response

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up (no database access)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "database unavailable or not migrated"}})
def readyz(installation: Installation) -> Any:
    """200 when the database answers and carries the newest migration; else 503 with the code."""
    try:
        require_database(installation.engine)
        current, heads = migration_heads(installation.engine)
    except ErosError as exc:
        return JSONResponse(exc.as_dict(), status_code=503)
    except Exception as exc:  # a driver error: coded by the database layer, still 503
        coded = unexpected_response(exc)
        return Response(coded.body, status_code=503, media_type="application/json")
    if current != heads:
        body = {
            "error": f"the database is at {sorted(current) or 'no revision'}, the code at {sorted(heads)}: "
            "run `eros db upgrade`",
            "error_code": "DATABASE_NOT_MIGRATED",
            "database_revision": sorted(current),
            "code_revision": sorted(heads),
        }
        return JSONResponse(body, status_code=503)
    return {"status": "ready", "revision": sorted(current)}


@router.get("/metrics", response_class=Response)
def metrics(installation: Installation) -> Response:
    """The Prometheus text format (unauthenticated, as a scrape target is; it holds no secret)."""
    registry = prometheus.build_registry(
        pipeline_monitor(installation), installation.uow, flag_reader(installation)
    )
    return Response(prometheus.render(registry), media_type="text/plain; version=0.0.4; charset=utf-8")
