"""The one place that reads and writes the operational tables (ARCHITECTURE D4).

Flag overrides and their audit trail, pipeline runs (the SLO windows), rollback state and
history, alerts and their deliveries. Every process shares this view: a rollback written
here is what the next routing decision in any other process reads. The repository is bound
to a Connection so its caller (the unit of work) decides the transaction; timestamps are
`eros.clock.iso_z` strings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, func, select, update

from eros.control.flags import ACTIVE_STATE
from eros.db.engine import inserted_id
from eros.db.ordering import bytewise
from eros.db.schema import (
    alert_deliveries,
    alerts,
    flag_audit,
    flag_overrides,
    pipeline_runs,
    rollback_events,
    rollback_state,
)

#: The singleton row id of rollback_state (no row yet reads as `active`).
_STATE_ROW = 1


class OpsRepository:
    """Flag overrides and their audit, pipeline runs, rollback state and history, alerts."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # --- flags --------------------------------------------------------------------------

    def flag_override_values(self) -> dict[str, str]:
        return {
            row.key: row.value
            for row in self.conn.execute(select(flag_overrides.c.key, flag_overrides.c.value))
        }

    def flag_override_rows(self) -> list[RowMapping]:
        return list(
            self.conn.execute(select(flag_overrides).order_by(bytewise(flag_overrides.c.key))).mappings()
        )

    def set_flag_override(
        self, key: str, value: str, *, actor: str, at: str, reason: str | None = None
    ) -> str | None:
        """Upsert the override and append the audit row; returns the previous override value."""
        old = self.conn.execute(select(flag_overrides.c.value).where(flag_overrides.c.key == key)).scalar()
        if old is None:
            self.conn.execute(
                flag_overrides.insert().values(
                    key=key, value=value, updated_by=actor, updated_at=at, reason=reason
                )
            )
        else:
            self.conn.execute(
                flag_overrides.update()
                .where(flag_overrides.c.key == key)
                .values(value=value, updated_by=actor, updated_at=at, reason=reason)
            )
        self.conn.execute(
            flag_audit.insert().values(
                key=key, old_value=old, new_value=value, actor=actor, at=at, reason=reason
            )
        )
        return old

    def delete_flag_override(self, key: str, *, actor: str, at: str, reason: str | None = None) -> str | None:
        """Remove the override (the environment or default applies again), audited."""
        old = self.conn.execute(select(flag_overrides.c.value).where(flag_overrides.c.key == key)).scalar()
        if old is not None:
            self.conn.execute(flag_overrides.delete().where(flag_overrides.c.key == key))
            self.conn.execute(
                flag_audit.insert().values(
                    key=key, old_value=old, new_value=None, actor=actor, at=at, reason=reason
                )
            )
        return old

    def flag_audit_rows(self, limit: int = 20) -> list[RowMapping]:
        query = select(flag_audit).order_by(flag_audit.c.id.desc()).limit(limit)
        return list(self.conn.execute(query).mappings())

    # --- pipeline runs ------------------------------------------------------------------

    def insert_run(self, values: Mapping[str, Any]) -> None:
        self.conn.execute(pipeline_runs.insert().values(**values))

    def finish_run(self, run_id: str, values: Mapping[str, Any]) -> None:
        self.conn.execute(pipeline_runs.update().where(pipeline_runs.c.run_id == run_id).values(**values))

    def finished_runs(
        self,
        pipeline: str,
        *,
        since: str | None = None,
        limit: int | None = None,
        creator_id: str | None = None,
        include_shadow: bool = False,
    ) -> list[RowMapping]:
        """Finished runs of one pipeline, newest first (ties broken by the time-ordered run id)."""
        query = select(pipeline_runs).where(
            pipeline_runs.c.pipeline == pipeline, pipeline_runs.c.finished_at.is_not(None)
        )
        if not include_shadow:
            query = query.where(pipeline_runs.c.shadow.is_(False))
        if since is not None:
            query = query.where(pipeline_runs.c.finished_at >= since)
        if creator_id is not None:
            query = query.where(pipeline_runs.c.creator_id == creator_id)
        query = query.order_by(pipeline_runs.c.finished_at.desc(), pipeline_runs.c.run_id.desc())
        if limit is not None:
            query = query.limit(limit)
        return list(self.conn.execute(query).mappings())

    def unfinished_leases(self, pipeline: str) -> list[str | None]:
        """The lease expiry of every unfinished run of `pipeline` (None: started before leases existed).

        Whether each is in flight or abandoned is `eros.control.leases.is_leased`'s call.
        """
        query = select(pipeline_runs.c.lease_expires_at).where(
            pipeline_runs.c.pipeline == pipeline, pipeline_runs.c.finished_at.is_(None)
        )
        return list(self.conn.execute(query).scalars())

    def run_counts(self) -> list[RowMapping]:
        """(pipeline, shadow, success, n) over every finished run: the Prometheus counters."""
        query = (
            select(
                pipeline_runs.c.pipeline,
                pipeline_runs.c.shadow,
                pipeline_runs.c.success,
                func.count().label("n"),
            )
            .where(pipeline_runs.c.finished_at.is_not(None))
            .group_by(pipeline_runs.c.pipeline, pipeline_runs.c.shadow, pipeline_runs.c.success)
        )
        return list(self.conn.execute(query).mappings())

    # --- rollback -----------------------------------------------------------------------

    def rollback_state_row(self) -> RowMapping | None:
        return (
            self.conn.execute(select(rollback_state).where(rollback_state.c.id == _STATE_ROW))
            .mappings()
            .first()
        )

    def set_rollback_state(
        self,
        state: str,
        *,
        actor: str,
        at: str,
        reason: str | None = None,
        expect: str | None = None,
        expect_updated_at: str | None = None,
    ) -> bool:
        """Write the state; with `expect`, only if the current state is that one (compare-and-set),
        and with `expect_updated_at` too, only if nobody wrote it since that time.

        The compare-and-set is what lets several processes check the triggers at once while
        exactly one of them performs the rollback (or takes over one that died mid-drain).
        """
        current = self.rollback_state_row()
        current_state = current["state"] if current is not None else ACTIVE_STATE
        if expect is not None and current_state != expect:
            return False
        if expect_updated_at is not None and (current is None or current["updated_at"] != expect_updated_at):
            return False
        values = {"state": state, "updated_at": at, "updated_by": actor, "reason": reason}
        if current is None:
            self.conn.execute(rollback_state.insert().values(id=_STATE_ROW, **values))
            return True
        query = update(rollback_state).where(rollback_state.c.id == _STATE_ROW)
        if expect is not None:
            query = query.where(rollback_state.c.state == expect)
        if expect_updated_at is not None:
            query = query.where(rollback_state.c.updated_at == expect_updated_at)
        return self.conn.execute(query.values(**values)).rowcount == 1

    def insert_rollback_event(self, values: Mapping[str, Any]) -> int:
        return inserted_id(self.conn.execute(rollback_events.insert().values(**values)))

    def rollback_event_rows(self, *, limit: int = 50, since: str | None = None) -> list[RowMapping]:
        query = select(rollback_events)
        if since is not None:
            query = query.where(rollback_events.c.at >= since)
        return list(self.conn.execute(query.order_by(rollback_events.c.id.desc()).limit(limit)).mappings())

    # --- alerts -------------------------------------------------------------------------

    def open_alert(self, episode_key: str) -> RowMapping | None:
        query = select(alerts).where(alerts.c.episode_key == episode_key, alerts.c.resolved_at.is_(None))
        return self.conn.execute(query.order_by(alerts.c.id.desc())).mappings().first()

    def episode_alert(self, episode_key: str) -> RowMapping | None:
        """The newest alert of the episode, open or resolved (a notice sent once per key)."""
        query = select(alerts).where(alerts.c.episode_key == episode_key)
        return self.conn.execute(query.order_by(alerts.c.id.desc())).mappings().first()

    def insert_alert(
        self,
        *,
        code: str,
        severity: str,
        message: str,
        episode_key: str,
        at: str,
        metrics: Mapping[str, Any] | None,
    ) -> int:
        result = self.conn.execute(
            alerts.insert().values(
                code=code,
                severity=severity,
                message=message,
                episode_key=episode_key,
                raised_at=at,
                metrics_json=json.dumps(metrics, sort_keys=True, default=str)
                if metrics is not None
                else None,
            )
        )
        return inserted_id(result)

    def resolve_alert(self, alert_id: int, *, at: str) -> None:
        self.conn.execute(alerts.update().where(alerts.c.id == alert_id).values(resolved_at=at))

    def alert_row(self, alert_id: int) -> RowMapping | None:
        return self.conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()

    def acknowledge_alert(self, alert_id: int, *, by: str, at: str) -> RowMapping | None:
        """Record who acknowledged the alert, unless someone already did (the first one stays);
        the alert as it now stands, or None when there is no such alert."""
        self.conn.execute(
            alerts.update()
            .where(alerts.c.id == alert_id, alerts.c.acknowledged_at.is_(None))
            .values(acknowledged_at=at, acknowledged_by=by)
        )
        return self.alert_row(alert_id)

    def alert_rows(self, *, limit: int = 20, open_only: bool = False) -> list[RowMapping]:
        query = select(alerts)
        if open_only:
            query = query.where(alerts.c.resolved_at.is_(None))
        return list(self.conn.execute(query.order_by(alerts.c.id.desc()).limit(limit)).mappings())

    def record_delivery(
        self,
        *,
        alert_id: int,
        sink: str,
        attempts: int,
        delivered: bool,
        last_error: str | None,
        at: str,
    ) -> None:
        self.conn.execute(
            alert_deliveries.insert().values(
                alert_id=alert_id,
                sink=sink,
                attempts=attempts,
                delivered=delivered,
                last_error=last_error,
                updated_at=at,
            )
        )

    def delivery_rows(self, alert_ids: Sequence[int] | None = None) -> list[RowMapping]:
        """Deliveries in the order they were made; only those of `alert_ids` when given (one query)."""
        query = select(alert_deliveries)
        if alert_ids is not None:
            query = query.where(alert_deliveries.c.alert_id.in_(alert_ids))
        return list(self.conn.execute(query.order_by(alert_deliveries.c.id)).mappings())

    def clear_all(self) -> None:
        """Empty every operational table (children first), so a rehearsal copy starts with no flags,
        runs, rollbacks or alerts."""
        for table in (
            alert_deliveries,
            alerts,
            flag_audit,
            flag_overrides,
            pipeline_runs,
            rollback_events,
            rollback_state,
        ):
            self.conn.execute(table.delete())
