"""Vault and AVOID gates: what a creator may show, and how each content type ranks (DOMAIN §3, §8, §13)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlalchemy import Connection, func, select

from eros.db.creators import CreatorRepository
from eros.db.schema import content_type_rankings, content_types, vault_matrix
from eros.models import ContentRanking
from eros.rules.health import STALE_AFTER_DAYS
from eros.tools.env import ToolEnv, days_between
from eros.validation.certificate import names_hash


class AllowedType(BaseModel):
    type_name: str
    type_category: str
    is_explicit: bool


class AllowedContentTypes(BaseModel):
    creator_id: str
    page_name: str
    allowed_types: list[AllowedType]
    allowed_type_names: list[str]
    type_count: int
    vault_hash: str
    fetched_at: str


class ContentRankings(BaseModel):
    creator_id: str
    page_name: str
    rankings: list[ContentRanking]
    avoid_types: list[str]
    top_types: list[str]
    total_types: int
    rankings_hash: str
    avoid_types_hash: str
    top_types_hash: str
    analysis_date: str | None
    data_age_days: int | None
    is_stale: bool
    fetched_at: str


def vault_rows(conn: Connection, creator_id: str) -> list[AllowedType]:
    """Content types the creator's vault has (`has_content = 1`), by name."""
    rows = conn.execute(
        select(content_types.c.type_name, content_types.c.type_category, content_types.c.is_explicit)
        .join(vault_matrix, vault_matrix.c.content_type_id == content_types.c.content_type_id)
        .where(vault_matrix.c.creator_id == creator_id, vault_matrix.c.has_content.is_(True))
        .order_by(content_types.c.type_name)
    ).all()
    return [AllowedType(type_name=r[0], type_category=r[1], is_explicit=bool(r[2])) for r in rows]


def vault_types(conn: Connection, creator_id: str) -> list[str]:
    return [row.type_name for row in vault_rows(conn, creator_id)]


def latest_rankings(conn: Connection, creator_id: str) -> tuple[str | None, list[ContentRanking]]:
    """The rankings of the creator's newest analysis date, best revenue per send first."""
    latest = conn.execute(
        select(func.max(content_type_rankings.c.analysis_date)).where(
            content_type_rankings.c.creator_id == creator_id
        )
    ).scalar()
    if latest is None:
        return None, []
    t = content_type_rankings.c
    rows = conn.execute(
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
        .order_by(t.revenue_per_send.desc(), t.content_type)
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


def avoid_types(conn: Connection, creator_id: str) -> list[str]:
    """AVOID-ranked content types in the creator's latest rankings (the AVOID gate's set)."""
    _, rankings = latest_rankings(conn, creator_id)
    return sorted(r.content_type for r in rankings if r.performance_tier == "AVOID")


def allowed_content_types_for(
    conn: Connection, creator: dict[str, object], fetched_at: str
) -> AllowedContentTypes:
    rows = vault_rows(conn, str(creator["creator_id"]))
    names = [r.type_name for r in rows]
    return AllowedContentTypes(
        creator_id=str(creator["creator_id"]),
        page_name=str(creator["page_name"]),
        allowed_types=rows,
        allowed_type_names=names,
        type_count=len(names),
        vault_hash=names_hash(names),
        fetched_at=fetched_at,
    )


def rankings_for(
    conn: Connection, creator: dict[str, object], today: date, fetched_at: str
) -> ContentRankings:
    analysis_date, rankings = latest_rankings(conn, str(creator["creator_id"]))
    avoid = sorted(r.content_type for r in rankings if r.performance_tier == "AVOID")
    top = sorted(r.content_type for r in rankings if r.performance_tier == "TOP")
    age = days_between(analysis_date, today)
    return ContentRankings(
        creator_id=str(creator["creator_id"]),
        page_name=str(creator["page_name"]),
        rankings=rankings,
        avoid_types=avoid,
        top_types=top,
        total_types=len(rankings),
        rankings_hash=names_hash(r.content_type for r in rankings),
        avoid_types_hash=names_hash(avoid),
        top_types_hash=names_hash(top),
        analysis_date=analysis_date,
        data_age_days=age,
        is_stale=age is None or age > STALE_AFTER_DAYS,
        fetched_at=fetched_at,
    )


def get_allowed_content_types(env: ToolEnv, creator_id: str) -> AllowedContentTypes:
    """The vault gate: content types the creator has material for, and the vault hash certificates bind."""
    with env.read() as conn:
        creator = dict(CreatorRepository(conn).resolve_creator(creator_id))
        return allowed_content_types_for(conn, creator, env.fetched_at())


def get_content_type_rankings(env: ToolEnv, creator_id: str) -> ContentRankings:
    """The AVOID gate: the latest rankings (TOP/MID/LOW/AVOID), their hashes and how stale they are."""
    with env.read() as conn:
        creator = dict(CreatorRepository(conn).resolve_creator(creator_id))
        return rankings_for(conn, creator, env.today(), env.fetched_at())
