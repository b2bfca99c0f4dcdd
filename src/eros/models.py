"""Typed models for what crosses a boundary: schedules, certificates, creator context, results."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from eros.rules.limits import (
    MAX_CAPTION_CHARS,
    MAX_ITEM_INTEGER,
    MAX_KEY_CHARS,
    MAX_RECOMMENDATION_CHARS,
    MAX_RECOMMENDATIONS,
)

#: A key or label of an item or certificate (send type, date, time, content type, hash, …).
Key = Annotated[str, StringConstraints(max_length=MAX_KEY_CHARS)]
#: A `sha256:` hash (DOMAIN §10: 16 hex digits; a certificate's schedule hash carries all 64).
Digest = Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{16,64}$")]
#: An integer a database column can hold.
ItemInteger = Annotated[int, Field(ge=-MAX_ITEM_INTEGER - 1, le=MAX_ITEM_INTEGER)]


class ValidationStatus(StrEnum):
    APPROVED = "APPROVED"
    NEEDS_REVIEW = "NEEDS_REVIEW"
    REJECTED = "REJECTED"


class ScheduleStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    QUEUED = "queued"
    COMPLETED = "completed"


class ScheduleItem(BaseModel):
    """One send. Dates and times are wall-clock in the creator's zone; follow-ups point at their parent
    by its position in the list (the certificate signs the list in its order, so positions are bound).

    Unknown fields are refused and every field is bounded (eros.rules.limits): what is stored is
    exactly what the certificate's hash covers (ARCHITECTURE D11)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    send_type_key: Key
    scheduled_date: Key
    scheduled_time: Key
    channel_key: Key | None = None
    content_type: Key | None = None
    caption_id: ItemInteger | None = None
    caption_text: Annotated[str, StringConstraints(max_length=MAX_CAPTION_CHARS)] | None = None
    price: float | None = None
    flyer_required: ItemInteger = 0
    is_follow_up: bool = False
    parent_item_index: ItemInteger | None = None
    delay_minutes: ItemInteger | None = None
    target_key: Key | None = None
    expected_revenue: float | None = None

    def canonical(self) -> dict[str, Any]:
        """Every field that is set, as JSON values: what is hashed, stored and shown."""
        return self.model_dump(mode="json", exclude_none=True)


class Schedule(BaseModel):
    creator_id: str
    week_start: str
    items: list[ScheduleItem]
    generator: str = "v5"
    objective: float | None = None
    upper_bound: float | None = None
    expected_revenue: float | None = None


class ValidationCertificate(BaseModel):
    """DOMAIN §10, version 3.0; `certificate_signature` is an HMAC over the rest.

    Strict: unknown fields are refused (they would be stored unsigned), numbers must be numbers
    (a score of "91" is an error, not a NULL), and every string is bounded."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    certificate_version: Key = "3.0"
    creator_id: Key
    validation_timestamp: Key
    schedule_hash: Digest
    vault_types_hash: Digest
    avoid_types_hash: Digest
    items_validated: int
    quality_score: float
    validation_status: ValidationStatus = Field(strict=False)
    checks_performed: dict[Key, bool]
    violations_found: dict[Key, int]
    recommendations: Annotated[
        list[Annotated[str, StringConstraints(max_length=MAX_RECOMMENDATION_CHARS)]],
        Field(max_length=MAX_RECOMMENDATIONS),
    ] = Field(default_factory=list)
    upstream_proof_verified: bool = True
    certificate_signature: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{0,64}$")] = ""


class ContentRanking(BaseModel):
    model_config = ConfigDict(frozen=True)

    content_type: str
    performance_tier: str
    revenue_per_send: float = 0.0
    conversion: float = 0.0
    sends_30d: int = 0
    earnings: float = 0.0
    confidence: float = 0.0


class CaptionOption(BaseModel):
    model_config = ConfigDict(frozen=True)

    caption_id: int
    caption_text: str
    send_type: str
    content_type: str | None = None
    performance_tier: int = 3
    fresh: bool = True
    days_since_used: int | None = None
    suggested_price: float | None = None


class ActiveTrigger(BaseModel):
    model_config = ConfigDict(frozen=True)

    content_type: str
    trigger_type: str
    multiplier: float
    confidence: str = "moderate"


#: A learning's `applies_to` for every creator (else `creator:ID`, `tier:NAME` or `page_type:paid|free`).
APPLIES_ALL = "all"


class Learning(BaseModel):
    """A rule from LEARNINGS.md the generator follows and the validator scores."""

    model_config = ConfigDict(frozen=True)

    id: str
    confidence: str
    title: str
    applies_to: str = APPLIES_ALL
    source: str = "validation"
    directive: dict[str, Any] = Field(default_factory=dict)

    def applies(self, *, creator_id: str, page_name: str, tier: str, page_type: str | None = None) -> bool:
        """Does this learning apply to the creator? Page-type learnings apply when the page type is unknown.

        Pure, on the model, so the validator's score need not import the LEARNINGS.md file reader."""
        if self.applies_to == APPLIES_ALL:
            return True
        kind, _, target = self.applies_to.partition(":")
        if kind == "creator":
            return target in (creator_id, page_name)
        if kind == "tier":
            return target == tier.upper()
        return page_type is None or target == page_type


class CreatorContext(BaseModel):
    """Everything a generator may know about a creator's week; immutable once preflight builds it."""

    model_config = ConfigDict(frozen=True)

    creator_id: str
    page_name: str
    display_name: str = ""
    page_type: str
    timezone: str = "America/New_York"
    fan_count: int = 0
    base_price: float | None = None
    ab_test_running: bool = False
    week_start: date
    volume_config: dict[str, Any]
    vault_types: tuple[str, ...]
    avoid_types: tuple[str, ...]
    top_types: tuple[str, ...] = ()
    rankings: tuple[ContentRanking, ...] = ()
    rankings_stale: bool = False
    triggers: tuple[ActiveTrigger, ...] = ()
    trigger_multipliers: dict[str, float] = Field(default_factory=dict)
    health: dict[str, Any] = Field(default_factory=dict)
    analytics: dict[str, Any] = Field(default_factory=dict)
    trends: dict[str, Any] = Field(default_factory=dict)
    persona: dict[str, Any] = Field(default_factory=dict)
    captions: tuple[CaptionOption, ...] = ()
    learnings: tuple[Learning, ...] = ()
    degraded: tuple[str, ...] = ()
    mcp_calls_made: int = 0
    preflight_duration_ms: float = 0.0


class Violation(BaseModel):
    """One broken hard gate, named so a scheduler can find and fix it."""

    code: str
    message: str
    items: list[int] = Field(default_factory=list)
    #: Which rule inside the gate broke (e.g. "dead_zone" within TIMING_COLLISION).
    rule: str = ""


class ScoreComponent(BaseModel):
    name: str
    points: float
    max_points: float
    reasons: list[str] = Field(default_factory=list)


class ValidationResult(BaseModel):
    status: ValidationStatus
    quality_score: float
    violations: list[Violation] = Field(default_factory=list)
    components: list[ScoreComponent] = Field(default_factory=list)
    recommendations: list[str] = Field(default_factory=list)
    certificate: ValidationCertificate | None = None
