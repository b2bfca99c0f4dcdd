"""What a creator may show and how each content type ranks: the data of the vault and AVOID gates."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from eros.db.ordering import bytewise
from eros.db.schema import content_type_rankings, content_types, vault_matrix
from eros.models import ContentRanking
from eros.rules.rankings import RankTier


@dataclass(frozen=True, slots=True)
class VaultType:
    """A content type the creator's vault has material for."""

    type_name: str
    type_category: str
    is_explicit: bool


class ContentRepository:
    """A creator's vault (`vault_matrix`) and latest content rankings (`content_type_rankings`)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def vault(self, creator_id: str) -> list[VaultType]:
        """Content types the creator's vault has (`has_content = 1`), by name."""
        rows = self.conn.execute(
            select(content_types.c.type_name, content_types.c.type_category, content_types.c.is_explicit)
            .join(vault_matrix, vault_matrix.c.content_type_id == content_types.c.content_type_id)
            .where(vault_matrix.c.creator_id == creator_id, vault_matrix.c.has_content.is_(True))
            .order_by(bytewise(content_types.c.type_name))
        ).all()
        return [VaultType(type_name=r[0], type_category=r[1], is_explicit=bool(r[2])) for r in rows]

    def vault_type_names(self, creator_id: str) -> list[str]:
        return [row.type_name for row in self.vault(creator_id)]

    def latest_rankings(self, creator_id: str) -> tuple[str | None, list[ContentRanking]]:
        """The rankings of the creator's newest analysis date, best revenue per send first."""
        t = content_type_rankings.c
        latest = self.conn.execute(
            select(func.max(t.analysis_date)).where(t.creator_id == creator_id)
        ).scalar()
        if latest is None:
            return None, []
        rows = self.conn.execute(
            select(
                t.content_type,
                t.performance_tier,
                t.revenue_per_send,
                t.conversion,
                t.sends_30d,
                t.earnings,
                t.confidence,
            )
            .where(t.creator_id == creator_id, t.analysis_date == latest)
            .order_by(t.revenue_per_send.desc(), bytewise(t.content_type))
        ).all()
        return str(latest), [
            ContentRanking(
                content_type=r[0],
                performance_tier=r[1],
                revenue_per_send=round(r[2], 2),
                conversion=round(r[3], 4),
                sends_30d=r[4],
                earnings=round(r[5], 2),
                confidence=round(r[6], 2),
            )
            for r in rows
        ]

    def avoid_types(self, creator_id: str) -> list[str]:
        """AVOID-ranked content types in the creator's latest rankings (the AVOID gate's set)."""
        _, rankings = self.latest_rankings(creator_id)
        return sorted(r.content_type for r in rankings if r.performance_tier == RankTier.AVOID.value)
