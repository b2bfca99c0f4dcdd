"""What `eros db summary` shows: each active creator's current tier and page type, and table sizes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from eros.db.schema import creators, metadata, tier_history

#: The tier shown for a creator with none recorded yet.
NO_TIER = "—"


@dataclass(frozen=True, slots=True)
class DatabaseSummary:
    """Active creators as (current tier, page type) by id, and the row count of every table."""

    active_creators: dict[str, tuple[str, str]]
    row_counts: dict[str, int]


def current_tiers(conn: Connection) -> dict[str, str]:
    """Each creator's newest recorded tier (tier_history), else its stored previous tier, else NO_TIER."""
    tiers = {
        str(cid): tier or NO_TIER
        for cid, tier in conn.execute(select(creators.c.creator_id, creators.c.previous_tier))
    }
    newest_last = select(tier_history.c.creator_id, tier_history.c.tier).order_by(
        tier_history.c.recorded_at, tier_history.c.id
    )
    for cid, tier in conn.execute(newest_last):
        tiers[str(cid)] = str(tier)
    return tiers


def summarise(conn: Connection) -> DatabaseSummary:
    tiers = current_tiers(conn)
    active = conn.execute(
        select(creators.c.creator_id, creators.c.page_type).where(creators.c.is_active.is_(True))
    )
    counts = {
        table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        for table in metadata.sorted_tables
    }
    return DatabaseSummary(
        active_creators={str(cid): (tiers.get(str(cid), NO_TIER), str(page)) for cid, page in active},
        row_counts=counts,
    )
