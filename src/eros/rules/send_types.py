"""The 22 send types and their rule fields (DOMAIN §1)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from eros.rules.calendar import DAYS_PER_WEEK


class Category(StrEnum):
    REVENUE = "revenue"
    ENGAGEMENT = "engagement"
    RETENTION = "retention"


class PageType(StrEnum):
    PAID = "paid"
    FREE = "free"


class PageRestriction(StrEnum):
    BOTH = "both"
    PAID_ONLY = "paid"
    FREE_ONLY = "free"


class Channel(StrEnum):
    MASS_MESSAGE = "mass_message"
    WALL_POST = "wall_post"
    TARGETED_MESSAGE = "targeted_message"


@dataclass(frozen=True, slots=True)
class SendType:
    key: str
    category: Category
    page: PageRestriction
    max_per_day: int
    max_per_week: int | None
    gap_minutes: int
    requires_media: bool
    requires_price: bool
    requires_flyer: bool
    channel: Channel
    display_name: str

    def allowed_on(self, page_type: PageType | str) -> bool:
        return self.page is PageRestriction.BOTH or self.page.value == str(page_type)

    @property
    def week_cap(self) -> int:
        """Sends of this type a week can hold: its weekly cap, else seven days at the daily cap."""
        return self.max_per_week or DAYS_PER_WEEK * self.max_per_day

    def rule_fields(self) -> dict[str, object]:
        """The nine rule fields of DOMAIN §1 as plain values (the table row, the tools' answer)."""
        return {
            "send_type_key": self.key,
            "category": self.category.value,
            "page_restriction": self.page.value,
            "max_per_day": self.max_per_day,
            "max_per_week": self.max_per_week,
            "gap_minutes": self.gap_minutes,
            "requires_media": self.requires_media,
            "requires_price": self.requires_price,
            "requires_flyer": self.requires_flyer,
        }


def _st(
    key: str,
    category: Category,
    page: PageRestriction,
    max_day: int,
    max_week: int | None,
    gap_hours: int,
    media: bool,
    price: bool,
    flyer: bool,
    channel: Channel,
) -> SendType:
    return SendType(
        key=key,
        category=category,
        page=page,
        max_per_day=max_day,
        max_per_week=max_week,
        gap_minutes=gap_hours * 60,
        requires_media=media,
        requires_price=price,
        requires_flyer=flyer,
        channel=channel,
        display_name=key.replace("_", " ").title(),
    )


R, E, T = Category.REVENUE, Category.ENGAGEMENT, Category.RETENTION
BOTH, PAID, FREE = PageRestriction.BOTH, PageRestriction.PAID_ONLY, PageRestriction.FREE_ONLY
MM, WALL, TGT = Channel.MASS_MESSAGE, Channel.WALL_POST, Channel.TARGETED_MESSAGE

SEND_TYPES: dict[str, SendType] = {
    st.key: st
    for st in (
        _st("ppv_unlock", R, BOTH, 4, None, 2, True, True, True, MM),
        _st("ppv_wall", R, FREE, 3, None, 3, True, True, True, WALL),
        _st("tip_goal", R, PAID, 2, None, 4, False, True, False, WALL),
        _st("bundle", R, BOTH, 1, None, 3, True, True, True, MM),
        _st("flash_bundle", R, BOTH, 1, None, 6, True, True, True, MM),
        _st("vip_program", R, BOTH, 1, 1, 24, False, False, True, WALL),
        _st("game_post", R, BOTH, 1, None, 4, False, False, False, WALL),
        _st("snapchat_bundle", R, BOTH, 1, 1, 24, True, False, True, MM),
        _st("first_to_tip", R, BOTH, 1, None, 6, False, False, True, WALL),
        _st("link_drop", E, BOTH, 2, None, 2, False, False, False, MM),
        _st("wall_link_drop", E, BOTH, 2, None, 3, True, False, False, WALL),
        _st("bump_normal", E, BOTH, 3, None, 1, False, False, False, MM),
        _st("bump_descriptive", E, BOTH, 2, None, 2, False, False, False, MM),
        _st("bump_text_only", E, BOTH, 2, None, 2, False, False, False, MM),
        _st("bump_flyer", E, BOTH, 2, None, 4, True, False, True, MM),
        _st("dm_farm", E, BOTH, 2, None, 4, False, False, False, MM),
        _st("like_farm", E, BOTH, 1, None, 24, False, False, False, WALL),
        _st("live_promo", E, BOTH, 2, None, 2, True, False, True, WALL),
        _st("renew_on_post", T, PAID, 2, None, 12, False, False, False, WALL),
        _st("renew_on_message", T, PAID, 1, None, 24, False, False, False, TGT),
        _st("ppv_followup", T, BOTH, 5, None, 1, False, False, False, TGT),
        _st("expired_winback", T, PAID, 1, None, 24, False, False, False, TGT),
    )
}

FOLLOWUP_KEY = "ppv_followup"
#: Send types whose non-buyers (non-tippers for tip_goal) get a follow-up (DOMAIN §5).
FOLLOWUP_PARENTS: frozenset[str] = frozenset({"ppv_unlock", "ppv_wall", "tip_goal"})
#: Multi-PPV bundles take the bundle price discount (DOMAIN §6).
BUNDLE_TYPES: frozenset[str] = frozenset({"bundle", "flash_bundle"})
PPV_TYPES: frozenset[str] = frozenset({"ppv_unlock", "ppv_wall"})
BUMP_TYPES: frozenset[str] = frozenset({"bump_normal", "bump_descriptive", "bump_text_only", "bump_flyer"})


def get_send_type(key: str) -> SendType:
    """Look a send type up by key; KeyError names the unknown key."""
    try:
        return SEND_TYPES[key]
    except KeyError:
        raise KeyError(f"unknown send type {key!r}") from None


def send_types_for_page(page_type: PageType | str) -> list[SendType]:
    """The types a page may use, in rulebook order (21 for paid, 18 for free)."""
    return [st for st in SEND_TYPES.values() if st.allowed_on(page_type)]


def schedulable_types(page_type: PageType | str) -> list[SendType]:
    """Types a generator may place on its own: everything but follow-ups (they hang off a parent)."""
    return [st for st in send_types_for_page(page_type) if st.key != FOLLOWUP_KEY]


def types_in(category: Category, page_type: PageType | str) -> list[SendType]:
    return [st for st in send_types_for_page(page_type) if st.category is category]


#: Week-level diversity a schedule must reach (DOMAIN §3, INSUFFICIENT_DIVERSITY); follow-ups count.
MIN_DISTINCT_TYPES = 10
MIN_DISTINCT_BY_CATEGORY: dict[Category, int] = {Category.REVENUE: 4, Category.ENGAGEMENT: 4}
#: Retention diversity is required on paid pages only (free pages have only follow-ups).
MIN_DISTINCT_RETENTION_PAID = 2


def min_distinct_by_category(page_type: PageType | str) -> dict[Category, int]:
    """Distinct send types each category must reach in a week on this page type (DOMAIN §3)."""
    minimums = {cat: MIN_DISTINCT_BY_CATEGORY.get(cat, 0) for cat in Category}
    if str(page_type) == PageType.PAID.value:
        minimums[Category.RETENTION] = MIN_DISTINCT_RETENTION_PAID
    return minimums
