"""Vault and AVOID gates: what a creator may show, and how each content type ranks (DOMAIN §3, §8, §13)."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from pydantic import BaseModel, computed_field

from eros.db.content_repo import ContentRepository
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


class ContentTypeRankings(ContentRankings):
    """What `get_content_type_rankings` answers: the rankings again under `content_types`, the name
    the runbook's §3.2 diagnosis reads (`rankings.get('content_types', [])`, each entry's
    `performance_tier`). The profile's bundled rankings leave it out: preflight reads `rankings`."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def content_types(self) -> list[ContentRanking]:
        return self.rankings


RankingsModel = TypeVar("RankingsModel", bound=ContentRankings)


def allowed_content_types_for(
    content: ContentRepository, creator: dict[str, object], fetched_at: str
) -> AllowedContentTypes:
    rows = [
        AllowedType(type_name=r.type_name, type_category=r.type_category, is_explicit=r.is_explicit)
        for r in content.vault(str(creator["creator_id"]))
    ]
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
    content: ContentRepository,
    creator: dict[str, object],
    today: date,
    fetched_at: str,
    model: type[RankingsModel] = ContentRankings,  # type: ignore[assignment]  # mypy#3737
) -> RankingsModel:
    analysis_date, rankings = content.latest_rankings(str(creator["creator_id"]))
    avoid = sorted(r.content_type for r in rankings if r.performance_tier == "AVOID")
    top = sorted(r.content_type for r in rankings if r.performance_tier == "TOP")
    age = days_between(analysis_date, today)
    return model(
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
    with env.uow() as uow:
        creator = dict(uow.creators.resolve_creator(creator_id))
        return allowed_content_types_for(uow.content, creator, env.fetched_at())


def get_content_type_rankings(env: ToolEnv, creator_id: str) -> ContentTypeRankings:
    """The AVOID gate: the latest rankings (TOP/MID/LOW/AVOID), their hashes and how stale they are."""
    with env.uow() as uow:
        creator = dict(uow.creators.resolve_creator(creator_id))
        return rankings_for(uow.content, creator, env.today(), env.fetched_at(), ContentTypeRankings)
