"""A read-only JSON endpoint the dashboard's charts draw from: v4 and v5 SLIs per hour.

Kept apart from the JSON API (`/api/v1`), which has no time series yet: it is a page's data
source, computed by the monitor's own window statistics over each hour's finished runs.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from eros.access import Principal, Role
from eros.bootstrap import pipeline_monitor
from eros.control.windows import RunRecord, window_stats
from eros.web.deps import container as container_of
from eros.web.deps import require

router = APIRouter(include_in_schema=False)

PIPELINES = ("v4", "v5")
MAX_HOURS = 24 * 14


def hourly(runs: list[RunRecord], percentile: float) -> dict[str, dict[str, Any]]:
    """Each hour (`YYYY-MM-DDTHH:00Z`) with runs → that hour's success rate, p95 latency, quality
    average and hard-gate rate."""
    buckets: dict[str, list[RunRecord]] = defaultdict(list)
    for run in runs:
        buckets[run.finished_at[:13] + ":00Z"].append(run)
    out = {}
    for hour, members in sorted(buckets.items()):
        stats = window_stats(members, percentile)
        out[hour] = {
            "runs": stats.runs,
            "success_rate": stats.success_rate,
            "p95_latency_s": stats.p95_latency_s,
            "quality_avg": stats.quality_avg,
            "hard_gate_rate": stats.hard_gate_rate,
        }
    return out


@router.get("/pages/series.json")
def series(
    request: Request,
    principal: Annotated[Principal, Depends(require(Role.VIEWER))],
    hours: Annotated[int, Query(ge=1, le=MAX_HOURS)] = 24 * 7,
) -> dict[str, Any]:
    """`{"hours": [...], "v4": {hour: slis}, "v5": {hour: slis}}` over the last `hours` hours."""
    monitor = pipeline_monitor(container_of(request))
    since = monitor.clock.now() - timedelta(hours=hours)
    by_pipeline = {
        name: hourly(monitor.runs(name, since=since), monitor.slo.percentile) for name in PIPELINES
    }
    labels = sorted({hour for buckets in by_pipeline.values() for hour in buckets})
    return {"hours": labels, **by_pipeline}
