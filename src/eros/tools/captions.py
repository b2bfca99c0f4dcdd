"""Caption retrieval and the caption structure check (DOMAIN §12).

Decision (DOMAIN §12): these tools never return a caption whose content type is outside the
creator's vault or ranked AVOID, or that is paid-only on a free page; freshness has one
definition (`eros.rules.captions.is_fresh`) and one ranking (`Candidate.key`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, WithJsonSchema

from eros.db.captions_repo import CaptionCandidateRow, CaptionSelector
from eros.db.unit_of_work import SqlUnitOfWork
from eros.errors import InvalidInput
from eros.rules.captions import (
    MAX_CAPTION_LENGTH,
    MAX_CAPTIONS_PER_CONTENT_TYPE,
    MAX_CAPTIONS_PER_SEND_TYPE,
    MAX_CONTENT_TYPES_PER_CALL,
    SLOT_CLASSES,
    TIER_LABELS,
    TIER_SCORES,
    is_fresh,
    score_structure,
)
from eros.rules.send_types import FOLLOWUP_KEY, SEND_TYPES, PageType, schedulable_types
from eros.tools.env import ToolEnv, days_between, in_range
from eros.validation.certificate import short_hash

EMPTY_HASH = "sha256:empty"


class CaptionPricing(BaseModel):
    suggested_price: float | None
    price_min: float | None
    price_max: float | None
    avg_purchase_rate: float
    has_price_history: bool


class CaptionRow(BaseModel):
    caption_id: int
    caption_text: str
    send_type: str
    content_type: str | None
    slot_class: str | None
    performance_tier: int
    tier_label: str
    quality_score: int
    is_paid_page_only: bool
    fresh: bool
    days_since_used: int | None
    creator_times_used: int
    creator_last_used: str | None
    global_times_used: int
    global_last_used: str | None
    suggested_price: float | None
    pricing: CaptionPricing


class PoolStats(BaseModel):
    total_available: int
    fresh_available: int
    returned_count: int
    has_more: bool


class CaptionGroup(BaseModel):
    captions: list[CaptionRow]
    pool_stats: PoolStats


class BatchCaptions(BaseModel):
    creator_id: str
    page_name: str
    captions_by_type: dict[str, CaptionGroup]
    excluded_types: dict[str, str]
    total_captions: int
    types_requested: int
    limit_per_type: int
    schedulable_type: str | None
    captions_hash: str
    fetched_at: str


class SendTypeCaptions(BaseModel):
    creator_id: str
    page_name: str
    send_type: str
    captions: list[CaptionRow]
    count: int
    pool_stats: PoolStats
    captions_hash: str
    fetched_at: str


#: get_captions answers with hundreds of rows; MCP clients validate structured output against the
#: published schema, and a deep per-row schema costs them ~0.6 s per call. Its rows are CaptionRow
#: (the schema get_send_type_captions publishes), published here as plain objects.
CaptionRows = Annotated[list[CaptionRow], WithJsonSchema({"type": "array", "items": {"type": "object"}})]


class WeekCaptions(BaseModel):
    creator_id: str
    page_name: str
    captions: CaptionRows
    pool_stats: dict[str, PoolStats]
    excluded_types: dict[str, str]
    total_captions: int
    captions_hash: str
    fetched_at: str


class CaptionStructure(BaseModel):
    valid: bool
    score: int
    issues: list[str]
    send_type: str
    category: str
    caption_length: int
    thresholds_applied: dict[str, int]
    recommendation: str
    fetched_at: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A caption row as read (cheap to build for whole pools); `caption()` makes the answer model."""

    raw: CaptionCandidateRow
    days_since_used: int | None

    @property
    def fresh(self) -> bool:
        return is_fresh(self.days_since_used)

    @property
    def send_type(self) -> str:
        return self.raw.send_type_key

    @property
    def content_type(self) -> str | None:
        return self.raw.content_type

    @property
    def key(self) -> tuple[bool, str, int, str, int]:
        """Fresh first, then least recently used by this creator, better tier, least used globally."""
        r = self.raw
        return (
            not self.fresh,
            r.creator_last_used_date or "",
            r.performance_tier,
            r.global_last_used_date or "",
            r.caption_id,
        )

    def caption(self) -> CaptionRow:
        r = self.raw
        return CaptionRow(
            caption_id=r.caption_id,
            caption_text=r.caption_text,
            send_type=r.send_type_key,
            content_type=r.content_type,
            slot_class=r.slot_class,
            performance_tier=r.performance_tier,
            tier_label=TIER_LABELS.get(r.performance_tier, "UNKNOWN"),
            quality_score=TIER_SCORES.get(r.performance_tier, 0),
            is_paid_page_only=bool(r.is_paid_page_only),
            fresh=self.fresh,
            days_since_used=self.days_since_used,
            creator_times_used=r.creator_times_used or 0,
            creator_last_used=r.creator_last_used_date,
            global_times_used=r.global_times_used or 0,
            global_last_used=r.global_last_used_date,
            suggested_price=r.suggested_price,
            pricing=CaptionPricing(
                suggested_price=r.suggested_price,
                price_min=r.price_min,
                price_max=r.price_max,
                avg_purchase_rate=r.avg_purchase_rate or 0.0,
                has_price_history=r.suggested_price is not None,
            ),
        )


def _usable_types(uow: SqlUnitOfWork, creator_id: str) -> tuple[set[str], set[str]]:
    """(vault types, AVOID types): a caption may show only vault types that are not AVOID."""
    return set(uow.content.vault_type_names(creator_id)), set(uow.content.avoid_types(creator_id))


def _candidates(
    uow: SqlUnitOfWork,
    creator: dict[str, Any],
    allowed: set[str],
    today: date,
    *selectors: CaptionSelector,
) -> list[Candidate]:
    """Usable captions (vault minus AVOID, page type) matching any selector, in selection order."""
    rows = uow.captions.pool(
        creator["creator_id"],
        free_page=creator["page_type"] == PageType.FREE.value,
        usable_types=allowed,
        selectors=selectors,
    )
    pool = [Candidate(row, days_between(row.creator_last_used_date, today)) for row in rows]
    return sorted(pool, key=lambda row: row.key)


def _pick(pool: Sequence[Candidate], limit: int) -> tuple[list[CaptionRow], PoolStats]:
    chosen = [candidate.caption() for candidate in pool[:limit]]
    stats = PoolStats(
        total_available=len(pool),
        fresh_available=sum(1 for row in pool if row.fresh),
        returned_count=len(chosen),
        has_more=len(pool) > len(chosen),
    )
    return chosen, stats


def _hash(ids: Sequence[int]) -> str:
    return short_hash(",".join(str(i) for i in sorted(ids))) if ids else EMPTY_HASH


def get_batch_captions_by_content_types(
    env: ToolEnv,
    creator_id: str,
    content_types: list[str],
    limit_per_type: int = 5,
    schedulable_type: str | None = None,
) -> BatchCaptions:
    """PPV captions per content type, freshest first; vault-less or AVOID types are named, not served."""
    if not content_types:
        raise InvalidInput("content_types is empty", code="EMPTY_CONTENT_TYPES")
    if len(content_types) > MAX_CONTENT_TYPES_PER_CALL:
        raise InvalidInput(
            f"at most {MAX_CONTENT_TYPES_PER_CALL} content types per call, got {len(content_types)}",
            code="CONTENT_TYPES_LIMIT_EXCEEDED",
        )
    in_range(limit_per_type, 1, MAX_CAPTIONS_PER_CONTENT_TYPE, "limit_per_type")
    slot = (schedulable_type or "").strip().lower() or None
    if slot is not None and slot not in SLOT_CLASSES:
        raise InvalidInput(
            f"schedulable_type {schedulable_type!r} is not one of {', '.join(SLOT_CLASSES)}",
            code="INVALID_SCHEDULABLE_TYPE",
        )
    requested = list(dict.fromkeys(name.strip() for name in content_types if name.strip()))
    if not requested:
        raise InvalidInput("content_types holds only blank names", code="EMPTY_CONTENT_TYPES")
    today = env.today()
    with env.uow() as uow:
        creator = dict(uow.creators.resolve_creator(creator_id))
        vault, avoid = _usable_types(uow, creator["creator_id"])
        excluded = {
            name: ("ranked AVOID" if name in avoid else "not in the creator's vault")
            for name in requested
            if name not in vault or name in avoid
        }
        wanted = [name for name in requested if name not in excluded]
        selector = CaptionSelector(content_types=wanted, slot_class=slot)
        pool = _candidates(uow, creator, vault - avoid, today, selector) if wanted else []
    by_type: dict[str, list[Candidate]] = defaultdict(list)
    for row in pool:
        by_type[row.content_type or ""].append(row)
    groups = {}
    for name in wanted:
        chosen, stats = _pick(by_type.get(name, []), limit_per_type)
        groups[name] = CaptionGroup(captions=chosen, pool_stats=stats)
    ids = [row.caption_id for group in groups.values() for row in group.captions]
    return BatchCaptions(
        creator_id=creator["creator_id"],
        page_name=creator["page_name"],
        captions_by_type=groups,
        excluded_types=excluded,
        total_captions=len(ids),
        types_requested=len(requested),
        limit_per_type=limit_per_type,
        schedulable_type=slot,
        captions_hash=_hash(ids),
        fetched_at=env.fetched_at(),
    )


def _check_send_type(send_type: str, page_type: str) -> str:
    key = (send_type or "").strip()
    if key not in SEND_TYPES:
        raise InvalidInput(
            f"send type {send_type!r} is not one of the {len(SEND_TYPES)} send types",
            code="SEND_TYPE_NOT_FOUND",
        )
    if not SEND_TYPES[key].allowed_on(page_type):
        raise InvalidInput(
            f"send type {key!r} is not allowed on {page_type} pages", code="SEND_TYPE_NOT_ALLOWED"
        )
    return key


def get_send_type_captions(
    env: ToolEnv, creator_id: str, send_type: str, limit: int = 10
) -> SendTypeCaptions:
    """Captions written for one send type, freshest first, vault/AVOID/page filters applied."""
    in_range(limit, 1, MAX_CAPTIONS_PER_SEND_TYPE, "limit")
    with env.uow() as uow:
        creator = dict(uow.creators.resolve_creator(creator_id))
        key = _check_send_type(send_type, creator["page_type"])
        vault, avoid = _usable_types(uow, creator["creator_id"])
        pool = _candidates(uow, creator, vault - avoid, env.today(), CaptionSelector(send_types=[key]))
    chosen, stats = _pick(pool, limit)
    return SendTypeCaptions(
        creator_id=creator["creator_id"],
        page_name=creator["page_name"],
        send_type=key,
        captions=chosen,
        count=len(chosen),
        pool_stats=stats,
        captions_hash=_hash([row.caption_id for row in chosen]),
        fetched_at=env.fetched_at(),
    )


def get_captions(
    env: ToolEnv,
    creator_id: str,
    content_types: list[str] | None = None,
    limit_per_type: int = 5,
    send_types: list[str] | None = None,
    limit_per_send_type: int = 10,
) -> WeekCaptions:
    """Preflight's one caption call: media captions per content type and captions per other send type.

    `content_types` (default: every usable type) get `limit_per_type` captions each among captions
    written for send types that need media; `send_types` (default: every schedulable type that needs
    no media, plus follow-ups) get `limit_per_send_type` each. One flat list, fresh first per group.
    """
    in_range(limit_per_type, 1, MAX_CAPTIONS_PER_CONTENT_TYPE, "limit_per_type")
    in_range(limit_per_send_type, 1, MAX_CAPTIONS_PER_SEND_TYPE, "limit_per_send_type")
    if content_types is not None and len(content_types) > MAX_CONTENT_TYPES_PER_CALL:
        raise InvalidInput(
            f"at most {MAX_CONTENT_TYPES_PER_CALL} content types per call, got {len(content_types)}",
            code="CONTENT_TYPES_LIMIT_EXCEEDED",
        )
    today = env.today()
    with env.uow() as uow:
        creator = dict(uow.creators.resolve_creator(creator_id))
        page_type = creator["page_type"]
        if send_types is None:
            keys = [st.key for st in schedulable_types(page_type) if not st.requires_media] + [FOLLOWUP_KEY]
        else:
            keys = [_check_send_type(key, page_type) for key in dict.fromkeys(send_types)]
        vault, avoid = _usable_types(uow, creator["creator_id"])
        usable = vault - avoid
        requested = sorted(usable) if content_types is None else list(dict.fromkeys(content_types))
        excluded = {
            name: ("ranked AVOID" if name in avoid else "not in the creator's vault")
            for name in requested
            if name not in usable
        }
        wanted = [name for name in requested if name in usable]
        media_keys = [st.key for st in schedulable_types(page_type) if st.requires_media]
        pool = _candidates(
            uow,
            creator,
            usable,
            today,
            CaptionSelector(send_types=media_keys, content_types=wanted),
            CaptionSelector(send_types=[k for k in keys if k not in media_keys]),
        )
    media_pool: dict[str, list[Candidate]] = defaultdict(list)
    send_type_pool: dict[str, list[Candidate]] = defaultdict(list)
    for row in pool:
        if row.send_type in media_keys:
            media_pool[row.content_type or ""].append(row)
        else:
            send_type_pool[row.send_type].append(row)
    chosen: list[CaptionRow] = []
    stats: dict[str, PoolStats] = {}
    for name in wanted:
        picked, stats[f"content_type:{name}"] = _pick(media_pool.get(name, []), limit_per_type)
        chosen.extend(picked)
    for key in keys:
        if key in media_keys:
            continue
        picked, stats[f"send_type:{key}"] = _pick(send_type_pool.get(key, []), limit_per_send_type)
        chosen.extend(picked)
    return WeekCaptions(
        creator_id=creator["creator_id"],
        page_name=creator["page_name"],
        captions=chosen,
        pool_stats=stats,
        excluded_types=excluded,
        total_captions=len(chosen),
        captions_hash=_hash([row.caption_id for row in chosen]),
        fetched_at=env.fetched_at(),
    )


def validate_caption_structure(env: ToolEnv, caption_text: str, send_type: str) -> CaptionStructure:
    """Score a caption 0–100 for length, spam phrases, emojis, repetition and caps (PASS ≥ 85, valid ≥ 70)."""
    if not caption_text or not caption_text.strip():
        raise InvalidInput("caption_text is empty", code="EMPTY_CAPTION")
    if len(caption_text) > MAX_CAPTION_LENGTH:
        raise InvalidInput(
            f"caption_text is {len(caption_text)} characters; the limit is {MAX_CAPTION_LENGTH}",
            code="CAPTION_EXCEEDS_LIMIT",
        )
    key = (send_type or "").strip()
    if key not in SEND_TYPES:
        raise InvalidInput(
            f"send type {send_type!r} is not one of the 22 send types", code="INVALID_SEND_TYPE"
        )
    result = score_structure(caption_text, key)
    th = result.thresholds
    return CaptionStructure(
        valid=result.valid,
        score=result.score,
        issues=result.issues,
        send_type=key,
        category=result.category,
        caption_length=len(caption_text),
        thresholds_applied={
            "min": th.minimum,
            "ideal_min": th.ideal_min,
            "ideal_max": th.ideal_max,
            "max": th.maximum,
        },
        recommendation=result.recommendation,
        fetched_at=env.fetched_at(),
    )
