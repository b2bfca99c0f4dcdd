"""An alert as the control plane stores and delivers it: one row of `alerts`, one episode."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from eros.control.rows import Row
from eros.control.slo import Severity


@dataclass(frozen=True, slots=True)
class Alert:
    """Raised once per episode (`episode_key`); `resolved_at` is set when the episode ended."""

    id: int
    code: str
    severity: Severity
    message: str
    episode_key: str
    raised_at: str
    resolved_at: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    acknowledged_at: str | None = None  # someone on call has seen it (the first acknowledgement)
    acknowledged_by: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> Alert:
        return cls(
            id=row["id"],
            code=row["code"],
            severity=Severity(row["severity"]),
            message=row["message"],
            episode_key=row["episode_key"],
            raised_at=row["raised_at"],
            resolved_at=row["resolved_at"],
            metrics=json.loads(row["metrics_json"]) if row["metrics_json"] else {},
            acknowledged_at=row["acknowledged_at"],
            acknowledged_by=row["acknowledged_by"],
        )
