"""The one writer of volume_triggers (DOMAIN §7): validate, then upsert by (creator, content type, type)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from eros.clock import iso_z
from eros.db.engine import inserted_id
from eros.db.ordering import bytewise
from eros.db.schema import volume_triggers
from eros.errors import InvalidInput
from eros.rules.triggers import (
    CONFIDENCE_RANK,
    DEFAULT_TTL_DAYS,
    MULTIPLIER_MAX,
    MULTIPLIER_MIN,
    TriggerType,
    higher_confidence,
    multiplier_in_bounds,
)

MAX_REASON_LENGTH = 500


@dataclass(frozen=True, slots=True)
class TriggerWrite:
    """One trigger to store; `expires_at` None means now + the default time to live."""

    content_type: str
    trigger_type: str
    adjustment_multiplier: float
    confidence: str = "moderate"
    reason: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class UpsertResult:
    created_ids: tuple[int, ...]
    updated_ids: tuple[int, ...]


def validation_errors(triggers: Sequence[TriggerWrite]) -> list[str]:
    """Every problem of the batch, one line each as `trigger[i]: …` (the whole batch is rejected on any)."""
    errors: list[str] = []
    for i, trig in enumerate(triggers):
        if not trig.content_type.strip():
            errors.append(f"trigger[{i}]: content_type is required")
        if trig.trigger_type not in TriggerType.__members__:
            errors.append(
                f"trigger[{i}]: trigger_type {trig.trigger_type!r} is not one of {', '.join(TriggerType)}"
            )
        if not multiplier_in_bounds(trig.adjustment_multiplier):
            errors.append(
                f"trigger[{i}]: adjustment_multiplier {trig.adjustment_multiplier} is outside "
                f"[{MULTIPLIER_MIN:.2f}, {MULTIPLIER_MAX:.2f}]"
            )
        if trig.confidence not in CONFIDENCE_RANK:
            errors.append(f"trigger[{i}]: confidence {trig.confidence!r} is not low, moderate or high")
    return errors


class TriggerRepository:
    """A creator's volume triggers."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def active(self, creator_id: str, now: datetime) -> list[RowMapping]:
        """Active, unexpired triggers (expired ones are ignored, DOMAIN §7), strongest first."""
        t = volume_triggers.c
        rows = self.conn.execute(
            select(volume_triggers)
            .where(t.creator_id == creator_id, t.is_active.is_(True), t.expires_at > iso_z(now))
            .order_by(t.adjustment_multiplier.desc(), bytewise(t.content_type), bytewise(t.trigger_type))
        ).mappings()
        return list(rows.all())

    def has_any(self, creator_id: str) -> bool:
        """Whether the creator ever had a trigger (active, expired or switched off)."""
        query = select(volume_triggers.c.trigger_id).where(volume_triggers.c.creator_id == creator_id)
        return self.conn.execute(query.limit(1)).first() is not None

    def multipliers(self, creator_id: str) -> dict[tuple[str, str], float]:
        """The stored multiplier of each (content type, trigger type) of the creator, whatever its state."""
        t = volume_triggers.c
        rows = self.conn.execute(
            select(t.content_type, t.trigger_type, t.adjustment_multiplier).where(t.creator_id == creator_id)
        ).all()
        return {(row[0], row[1]): float(row[2]) for row in rows}

    def upsert_triggers(
        self, creator_id: str, triggers: Sequence[TriggerWrite], now: datetime
    ) -> UpsertResult:
        """Insert new triggers, refresh re-detected ones (count +1, first detection kept, confidence only up).

        Raises InvalidInput (VALIDATION_ERROR) before writing anything when any trigger is invalid.
        """
        errors = validation_errors(triggers)
        if errors:
            raise InvalidInput(
                "Validation failed: " + "; ".join(errors),
                details={"validation_errors": errors, "creator_id": creator_id},
            )
        stamp = iso_z(now)
        created: list[int] = []
        updated: list[int] = []
        for trig in triggers:
            expires = iso_z(trig.expires_at or now + timedelta(days=DEFAULT_TTL_DAYS))
            values = {
                "adjustment_multiplier": round(trig.adjustment_multiplier, 4),
                "reason": trig.reason[:MAX_REASON_LENGTH],
                "metrics_json": json.dumps(trig.metrics, sort_keys=True) if trig.metrics else None,
                "detected_at": stamp,
                "expires_at": expires,
                "is_active": True,
            }
            existing = (
                self.conn.execute(
                    select(
                        volume_triggers.c.trigger_id,
                        volume_triggers.c.confidence,
                        volume_triggers.c.detection_count,
                    ).where(
                        volume_triggers.c.creator_id == creator_id,
                        volume_triggers.c.content_type == trig.content_type,
                        volume_triggers.c.trigger_type == trig.trigger_type,
                    )
                )
                .mappings()
                .first()
            )
            if existing is None:
                result = self.conn.execute(
                    volume_triggers.insert().values(
                        creator_id=creator_id,
                        content_type=trig.content_type,
                        trigger_type=trig.trigger_type,
                        confidence=trig.confidence,
                        detection_count=1,
                        first_detected_at=stamp,
                        **values,
                    )
                )
                created.append(inserted_id(result))
            else:
                self.conn.execute(
                    volume_triggers.update()
                    .where(volume_triggers.c.trigger_id == existing["trigger_id"])
                    .values(
                        confidence=higher_confidence(existing["confidence"], trig.confidence),
                        detection_count=existing["detection_count"] + 1,
                        **values,
                    )
                )
                updated.append(int(existing["trigger_id"]))
        return UpsertResult(tuple(created), tuple(updated))
