"""learning_signals: what reflection learns from (ARCHITECTURE §2), and the reads that find new ones.

A signal (`eros.learning.signals`) is one observation — a run's violation or lost score points
(validation), a scheduler's edit of a generated week (user), a finished week's actuals against its
plan (performance). Signals stay pending until a written reflection marks them processed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, func, select

from eros.clock import iso_z
from eros.db import ops_repo
from eros.db.schedules_repo import SavedBy
from eros.db.schema import SIGNAL_CODE_CHARS, learning_signals, mass_messages, schedule_revisions, schedules
from eros.learning.signals import NewSignal, Signal

#: The flag override that holds the auto-reflection switch (audited like every flag).
AUTO_REFLECT_FLAG = "EROS_AUTO_REFLECT"


def _payload(text: str | None) -> Any:
    """A stored payload; one that is not JSON reads as empty (it must not stop every reflection)."""
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}


def _revision(payload: Any) -> int | None:
    value = payload.get("revision") if isinstance(payload, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _signal(row: RowMapping) -> Signal:
    return Signal(
        id=int(row["id"]),
        source=row["source"],
        kind=row["kind"],
        creator_id=row["creator_id"],
        schedule_id=row["schedule_id"],
        code=row["code"],
        payload=_payload(row["payload_json"]),
        created_at=row["created_at"],
        processed_at=row["processed_at"],
    )


class SignalRepository:
    """Learning signals, the weeks they come from, and the auto-reflect switch."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def insert(self, signals: Iterable[NewSignal], now: datetime) -> int:
        rows = [
            {
                "source": s.source,
                "kind": s.kind,
                "creator_id": s.creator_id,
                "schedule_id": s.schedule_id,
                "code": s.code[:SIGNAL_CODE_CHARS] if s.code else s.code,  # a code, never prose
                "payload_json": json.dumps(dict(s.payload), sort_keys=True, default=str),
                "created_at": iso_z(now),
            }
            for s in signals
        ]
        if rows:
            self.conn.execute(learning_signals.insert(), rows)
        return len(rows)

    def pending(self, limit: int | None = None) -> list[Signal]:
        """Unprocessed signals, oldest first."""
        query = (
            select(learning_signals)
            .where(learning_signals.c.processed_at.is_(None))
            .order_by(learning_signals.c.id)
            .limit(limit)
        )
        return [_signal(row) for row in self.conn.execute(query).mappings()]

    def mark_processed(self, ids: Sequence[int], now: datetime) -> int:
        if not ids:
            return 0
        result = self.conn.execute(
            learning_signals.update()
            .where(learning_signals.c.id.in_(list(ids)), learning_signals.c.processed_at.is_(None))
            .values(processed_at=iso_z(now))
        )
        return int(result.rowcount or 0)

    def pending_by_source(self) -> dict[str, int]:
        c = learning_signals.c
        rows = self.conn.execute(
            select(c.source, func.count()).where(c.processed_at.is_(None)).group_by(c.source)
        ).all()
        return {str(source): int(count) for source, count in rows}

    def recorded_corrections(self) -> set[tuple[int, int]]:
        """(schedule_id, revision) of every edit already turned into a user signal."""
        c = learning_signals.c
        rows = self.conn.execute(
            select(c.schedule_id, c.payload_json).where(c.source == "user", c.schedule_id.is_not(None))
        ).all()
        found = ((int(sid), _revision(_payload(payload))) for sid, payload in rows)
        return {(sid, revision) for sid, revision in found if revision is not None}

    def edited_schedules(self) -> list[dict[str, Any]]:
        """Schedules whose current revision a person saved (`saved_by_kind`), with the items of the
        revision it replaced: `schedule_id, creator_id, revision, items, previous_items`."""
        s, r = schedules.c, schedule_revisions.c
        rows = self.conn.execute(
            select(s.schedule_id, s.creator_id, s.revision, s.items_json, r.items_json.label("previous_json"))
            .join(
                schedule_revisions,
                and_(r.schedule_id == s.schedule_id, r.revision == s.revision - 1),
            )
            .where(s.revision > 1, s.saved_by_kind == SavedBy.PERSON)
            .order_by(s.schedule_id)
        ).mappings()
        return [
            {
                "schedule_id": int(row["schedule_id"]),
                "creator_id": row["creator_id"],
                "revision": int(row["revision"]),
                "items": json.loads(row["items_json"]),
                "previous_items": json.loads(row["previous_json"]),
            }
            for row in rows
        ]

    def finished_weeks(self, today: date) -> list[dict[str, Any]]:
        """Queued or completed schedules whose week has ended and whose actuals were not compared yet
        (one performance pass per week, filtered in SQL so old weeks' items are not read again):
        `schedule_id, creator_id, week_start, week_end, quality_score, items`."""
        s, c = schedules.c, learning_signals.c
        compared = select(c.schedule_id).where(c.source == "performance", c.schedule_id.is_not(None))
        rows = self.conn.execute(
            select(s.schedule_id, s.creator_id, s.week_start, s.week_end, s.quality_score, s.items_json)
            .where(
                s.status.in_(("queued", "completed")),
                s.week_end < today.isoformat(),
                s.schedule_id.not_in(compared),
            )
            .order_by(s.schedule_id)
        ).mappings()
        return [{**dict(row), "items": json.loads(row["items_json"])} for row in rows]

    def week_actuals(self, creator_id: str, week_start: str, week_end: str) -> list[dict[str, Any]]:
        """The week's sent mass messages: `sent_hour, content_type, send_type_key, earnings`."""
        m = mass_messages.c
        rows = self.conn.execute(
            select(m.sent_hour, m.content_type, m.send_type_key, m.earnings)
            .where(m.creator_id == creator_id, m.sent_date >= week_start, m.sent_date <= week_end)
            .order_by(m.message_id)
        ).mappings()
        return [dict(row) for row in rows]

    def auto_reflect(self) -> bool:
        return ops_repo.OpsRepository(self.conn).flag_override_values().get(AUTO_REFLECT_FLAG, "off") == "on"

    def set_auto_reflect(self, on: bool, *, actor: str, at: str, reason: str | None = None) -> None:
        ops_repo.OpsRepository(self.conn).set_flag_override(
            AUTO_REFLECT_FLAG, "on" if on else "off", actor=actor, at=at, reason=reason
        )
