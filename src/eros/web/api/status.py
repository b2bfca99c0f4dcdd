"""`GET /api/v1/status`: health, SLO windows against their thresholds, rollout phase and its
criteria, rollback state, flags with their sources, open alerts (what `eros status` shows)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from fastapi import APIRouter

from eros.bootstrap import feature_flags, pipeline_monitor, rollout_manager
from eros.web.api.flags import flags_document
from eros.web.deps import AsViewer, Installation

router = APIRouter(tags=["status"])
SLI_KEYS = ("success_rate", "p95_latency_s", "hard_gate_rate", "quality_avg", "runs")


@router.get("/status")
def status(installation: Installation, _: AsViewer) -> dict[str, Any]:
    monitor = pipeline_monitor(installation)
    report = monitor.get_status()
    rollout = rollout_manager(installation, monitor=monitor).status().as_dict()
    with installation.uow() as uow:
        alerts = [dict(row) for row in uow.ops.alert_rows(limit=20, open_only=True)]
    return {
        "health": report["health"],
        "slo": {
            "window_minutes": report["window_minutes"],
            "v5": {key: report[key] for key in SLI_KEYS},
            "v4": report["v4"],
            "thresholds": {
                name: value.total_seconds() if isinstance(value, timedelta) else value
                for name, value in asdict(monitor.slo).items()
            },
            "rollback_triggers": report["rollback_triggers"],
            "should_rollback": report["should_rollback"],
        },
        "rollout": rollout,
        "rollback_state": report["rollback_state"],
        "in_flight": report["in_flight"],
        "abandoned": report["abandoned"],
        "flags": flags_document(feature_flags(installation)),
        "open_alerts": alerts,
        "checked_at": report["checked_at"],
    }
