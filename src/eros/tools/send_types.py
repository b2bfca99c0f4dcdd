"""The send-type taxonomy from the rulebook (DOMAIN §1), filtered by page type."""

from __future__ import annotations

from pydantic import BaseModel

from eros.rules.send_types import (
    FOLLOWUP_KEY,
    FOLLOWUP_PARENTS,
    SEND_TYPES,
    Category,
    PageType,
    SendType,
    send_types_for_page,
)
from eros.tools.env import ToolEnv, one_of
from eros.validation.certificate import short_hash


class SendTypeConstraints(BaseModel):
    """The nine rule fields a generator or validator needs."""

    send_type_key: str
    category: str
    page_restriction: str
    max_per_day: int
    max_per_week: int | None
    gap_minutes: int
    requires_media: bool
    requires_price: bool
    requires_flyer: bool


class SendTypeFull(SendTypeConstraints):
    channel: str
    display_name: str
    is_followup_parent: bool
    is_followup: bool


class SendTypeConstraintsList(BaseModel):
    page_type_filter: str | None
    by_category: dict[str, list[SendTypeConstraints]]
    all_send_type_keys: list[str]
    counts: dict[str, int]
    types_hash: str
    fetched_at: str


class SendTypeList(BaseModel):
    page_type_filter: str | None
    by_category: dict[str, list[SendTypeFull]]
    all_send_type_keys: list[str]
    counts: dict[str, int]
    types_hash: str
    fetched_at: str


def _selected(page_type: str | None) -> tuple[str | None, list[SendType]]:
    page = one_of(page_type, tuple(p.value for p in PageType), "page_type", "INVALID_PAGE_TYPE")
    return page, send_types_for_page(page) if page else list(SEND_TYPES.values())


def _counts(types: list[SendType]) -> dict[str, int]:
    counts = {cat.value: sum(1 for st in types if st.category is cat) for cat in Category}
    counts["total"] = len(types)
    return counts


def get_send_types_constraints(env: ToolEnv, page_type: str | None = None) -> SendTypeConstraintsList:
    """The 22 send types (21 on paid pages, 18 on free) with only their nine rule fields."""
    page, types = _selected(page_type)
    return SendTypeConstraintsList(
        page_type_filter=page,
        by_category={
            cat.value: [
                SendTypeConstraints.model_validate(st.rule_fields()) for st in types if st.category is cat
            ]
            for cat in Category
        },
        all_send_type_keys=[st.key for st in types],
        counts=_counts(types),
        types_hash=short_hash(",".join(sorted(st.key for st in types))),
        fetched_at=env.fetched_at(),
    )


def get_send_types(env: ToolEnv, page_type: str | None = None) -> SendTypeList:
    """The full send-type records for a page type, grouped by category."""
    page, types = _selected(page_type)
    return SendTypeList(
        page_type_filter=page,
        by_category={
            cat.value: [
                SendTypeFull.model_validate(
                    {
                        **st.rule_fields(),
                        "channel": st.channel.value,
                        "display_name": st.display_name,
                        "is_followup_parent": st.key in FOLLOWUP_PARENTS,
                        "is_followup": st.key == FOLLOWUP_KEY,
                    }
                )
                for st in types
                if st.category is cat
            ]
            for cat in Category
        },
        all_send_type_keys=[st.key for st in types],
        counts=_counts(types),
        types_hash=short_hash(",".join(sorted(st.key for st in types))),
        fetched_at=env.fetched_at(),
    )
