"""Rows of the rollout plane that comparator and rollout manager own (ARCHITECTURE D4).

Shadow comparisons, the current rollout phase (a singleton row) and its transitions, the
pre-cutover confirmations, and what the Phase 4 checklists read from the alerts and schedules.
Timestamps are `eros.clock.iso_z` strings, so string order is time order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from eros.db.engine import inserted_id
from eros.db.schema import (
    alerts,
    cutover_confirmations,
    rollout_state,
    rollout_transitions,
    schedules,
    shadow_comparisons,
)

ROLLOUT_STATE_ID = 1


class RolloutRepository:
    """Shadow comparisons, the rollout phase and its transitions."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def insert_comparison(self, row: Mapping[str, Any]) -> int:
        """Store one shadow comparison; `details` (a dict) goes to details_json."""
        values = {k: v for k, v in row.items() if k != "details"}
        values["details_json"] = json.dumps(row.get("details") or {}, sort_keys=True)
        return inserted_id(self.conn.execute(shadow_comparisons.insert().values(**values)))

    def comparisons_between(self, since: str, until: str) -> list[dict[str, Any]]:
        """Comparisons created in [since, until), oldest first."""
        query = (
            select(shadow_comparisons)
            .where(shadow_comparisons.c.created_at >= since, shadow_comparisons.c.created_at < until)
            .order_by(shadow_comparisons.c.created_at, shadow_comparisons.c.id)
        )
        return [dict(row) for row in self.conn.execute(query).mappings()]

    def get_rollout_state(self) -> RowMapping | None:
        return (
            self.conn.execute(select(rollout_state).where(rollout_state.c.id == ROLLOUT_STATE_ID))
            .mappings()
            .first()
        )

    def set_rollout_state(self, *, phase: int, phase_started_at: str, at: str, actor: str) -> None:
        values = {"phase": phase, "phase_started_at": phase_started_at, "updated_at": at, "updated_by": actor}
        if self.get_rollout_state() is None:
            self.conn.execute(rollout_state.insert().values(id=ROLLOUT_STATE_ID, **values))
        else:
            self.conn.execute(
                rollout_state.update().where(rollout_state.c.id == ROLLOUT_STATE_ID).values(**values)
            )

    def insert_transition(
        self,
        *,
        at: str,
        from_phase: int | None,
        to_phase: int,
        outcome: str,
        forced: bool,
        actor: str,
        reason: str | None,
        analysis: Mapping[str, Any] | None,
    ) -> int:
        inserted = self.conn.execute(
            rollout_transitions.insert().values(
                at=at,
                from_phase=from_phase,
                to_phase=to_phase,
                outcome=outcome,
                forced=forced,
                actor=actor,
                reason=reason,
                analysis_json=json.dumps(analysis, sort_keys=True, default=str) if analysis else None,
            )
        )
        return inserted_id(inserted)

    def recent_transitions(self, limit: int = 20) -> Sequence[RowMapping]:
        """Newest first."""
        query = select(rollout_transitions).order_by(rollout_transitions.c.id.desc()).limit(limit)
        return list(self.conn.execute(query).mappings())

    def insert_confirmation(self, *, item: str, actor: str, at: str, note: str | None) -> int:
        values = {"item": item, "actor": actor, "at": at, "note": note}
        return inserted_id(self.conn.execute(cutover_confirmations.insert().values(**values)))

    def confirmations(self, *, since: str | None = None, limit: int = 50) -> list[RowMapping]:
        """Newest first; with `since`, only those recorded at or after it."""
        query = select(cutover_confirmations)
        if since is not None:
            query = query.where(cutover_confirmations.c.at >= since)
        query = query.order_by(cutover_confirmations.c.at.desc(), cutover_confirmations.c.id.desc())
        return list(self.conn.execute(query.limit(limit)).mappings())

    def alerts_raised_since(self, since: str) -> list[RowMapping]:
        """(raised_at, code) of every alert raised at or after `since`, oldest first."""
        query = (
            select(alerts.c.raised_at, alerts.c.code)
            .where(alerts.c.raised_at >= since)
            .order_by(alerts.c.raised_at, alerts.c.id)
        )
        return list(self.conn.execute(query).mappings())

    def week_schedules(self, week_start: str, statuses: Sequence[str]) -> list[RowMapping]:
        """(creator_id, status, expected_revenue) of the week's schedules in one of `statuses`."""
        query = select(schedules.c.creator_id, schedules.c.status, schedules.c.expected_revenue).where(
            schedules.c.week_start == week_start, schedules.c.status.in_(list(statuses))
        )
        return list(self.conn.execute(query).mappings())

    def clear_all(self) -> None:
        """Empty the shadow comparisons, the rollout phase with its history and the pre-cutover
        confirmations (a rehearsal's start)."""
        for table in (shadow_comparisons, rollout_transitions, rollout_state, cutover_confirmations):
            self.conn.execute(table.delete())
