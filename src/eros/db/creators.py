"""The one creator resolver (by id, exact page name, or case-insensitive page name), the roster, personas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from eros.db.ordering import bytewise
from eros.db.schema import creator_personas, creators
from eros.errors import CreatorNotFound, InvalidInput

MAX_ID_LENGTH = 100
#: How the roster can be sorted; revenue is the metrics snapshot (message + posts net).
ROSTER_SORTS = ("revenue", "fan_count", "name", "tier")


@dataclass(frozen=True, slots=True)
class RosterQuery:
    """One page of active creators; filters left None do not filter. `tier` is the stored tier."""

    limit: int
    offset: int = 0
    tier: str | None = None
    page_type: str | None = None
    min_revenue: float | None = None
    max_revenue: float | None = None
    min_fan_count: int | None = None
    sort_by: str = "revenue"
    sort_order: str = "desc"


class CreatorRepository:
    """The one creator resolver, the active roster and the creators' personas."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def resolve_creator(self, creator_id_or_page_name: str, *, active_only: bool = False) -> RowMapping:
        """The creator's row; CreatorNotFound (or InvalidInput for a blank or absurd id) otherwise."""
        key = (creator_id_or_page_name or "").strip()
        if not key:
            raise InvalidInput("creator_id is required", code="INVALID_CREATOR_ID")
        if len(key) > MAX_ID_LENGTH:
            raise InvalidInput(
                f"creator_id is longer than {MAX_ID_LENGTH} characters", code="INVALID_CREATOR_ID"
            )
        row = (
            self.conn.execute(
                select(creators).where(or_(creators.c.creator_id == key, creators.c.page_name == key))
            )
            .mappings()
            .first()
        )
        if row is None:
            row = (
                self.conn.execute(select(creators).where(func.lower(creators.c.page_name) == key.lower()))
                .mappings()
                .first()
            )
        if row is None:
            raise CreatorNotFound(
                f"Creator {key!r} not found (tried id and page name)", details={"creator_id": key}
            )
        if active_only and not row["is_active"]:
            raise CreatorNotFound(
                f"Creator {key!r} is not active", code="CREATOR_INACTIVE", details={"creator_id": key}
            )
        return row

    def existing_ids(self, creator_ids: Sequence[str]) -> set[str]:
        """Which of `creator_ids` are creators (active or not), in one query."""
        query = select(creators.c.creator_id).where(creators.c.creator_id.in_(list(creator_ids)))
        return {str(cid) for cid in self.conn.execute(query).scalars()}

    def active_creator_ids(self, *, by_page_name: bool = False) -> list[str]:
        """The active creators' ids, in id order (or page-name order, for rosters people read)."""
        order = creators.c.page_name if by_page_name else creators.c.creator_id
        query = select(creators.c.creator_id).where(creators.c.is_active.is_(True)).order_by(bytewise(order))
        return [str(cid) for cid in self.conn.execute(query).scalars()]

    def roster(self, query: RosterQuery) -> tuple[list[RowMapping], int]:
        """One page of active creators matching the filters (ties by page name), and how many match."""
        c = creators.c
        revenue = func.coalesce(c.current_message_net, 0.0) + func.coalesce(c.current_posts_net, 0.0)
        conditions: list[ColumnElement[bool]] = [c.is_active.is_(True)]
        if query.tier is not None:
            conditions.append(c.previous_tier == query.tier)
        if query.page_type is not None:
            conditions.append(c.page_type == query.page_type)
        if query.min_revenue is not None:
            conditions.append(revenue >= query.min_revenue)
        if query.max_revenue is not None:
            conditions.append(revenue <= query.max_revenue)
        if query.min_fan_count is not None:
            conditions.append(c.current_fan_count >= query.min_fan_count)
        column = {
            "revenue": revenue,
            "fan_count": c.current_fan_count,
            "name": bytewise(c.page_name),
            "tier": bytewise(c.previous_tier),
        }[query.sort_by]
        ordering = column.asc() if query.sort_order == "asc" else column.desc()
        total = int(
            self.conn.execute(select(func.count()).select_from(creators).where(and_(*conditions))).scalar()
            or 0
        )
        rows = (
            self.conn.execute(
                select(creators)
                .where(and_(*conditions))
                .order_by(ordering, bytewise(c.page_name))
                .limit(query.limit)
                .offset(query.offset)
            )
            .mappings()
            .all()
        )
        return list(rows), total

    def persona(self, creator_id: str) -> RowMapping | None:
        """The creator's stored persona, if there is one."""
        return (
            self.conn.execute(select(creator_personas).where(creator_personas.c.creator_id == creator_id))
            .mappings()
            .first()
        )
