"""The deterministic sample agency of DOMAIN §14, and the tiny one the pipeline's mock uses.

The history is simulated from hidden per-creator truths — favourite content types and hours that
really earn more, a few types that really flop, fatigue when a type is re-sent within days, price
sensitivity, a few creators in decline — so a scheduler that learns from the history earns more
than one that does not. Rankings, tiers and triggers are then derived from that history by
`eros.db.analyze` (the same code `eros analyze` runs), never written by hand.

Every random draw comes from `random.Random` seeded with (seed, creator) or (seed, "captions"), so
the same seed and as-of date give the same rows.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func, select

from eros.clock import Clock, iso_z
from eros.db.analyze import analyze_all
from eros.db.engine import advance_id_sequence, create_schema, database_exists, require_database
from eros.db.importer import caption_hash, content_type_ids
from eros.db.schema import (
    caption_creator_usage,
    captions,
    content_types,
    creator_personas,
    creators,
    mass_messages,
    vault_matrix,
)
from eros.errors import ConfigError
from eros.rules.captions import slot_class
from eros.rules.pricing import PRICE_CEILING, PRICE_FLOOR, typical_range
from eros.rules.rounding import clamp
from eros.rules.send_types import SEND_TYPES, Category, PageRestriction
from eros.rules.tiers import Tier
from eros.rules.timing import DEAD_ZONE_END_HOUR, DEAD_ZONE_START_HOUR, PRIME_HOURS, SECONDARY_HOURS

DEFAULT_SEED = 7
DEFAULT_AS_OF = date(2026, 1, 4)
HISTORY_DAYS = 90
#: Analyses recorded before the current one, so tier_history has a past for hysteresis.
PAST_ANALYSES_DAYS_AGO = (60, 30)

#: The content-type dictionary: name, category, explicit.
CONTENT_TYPES: tuple[tuple[str, str, bool], ...] = (
    ("anal", "explicit", True),
    ("behind_scenes", "lifestyle", False),
    ("blowjob", "explicit", True),
    ("blowjob_dildo", "explicit", True),
    ("boy_girl", "explicit", True),
    ("boy_girl_girl", "explicit", True),
    ("cosplay", "softcore", False),
    ("creampie", "explicit", True),
    ("deepthroat", "explicit", True),
    ("deepthroat_dildo", "explicit", True),
    ("dick_rating", "specialty", True),
    ("dom_sub", "specialty", True),
    ("exclusive_content", "softcore", False),
    ("feet", "specialty", False),
    ("gfe", "softcore", False),
    ("girl_girl", "explicit", True),
    ("girl_girl_girl", "explicit", True),
    ("implied_pussy_play", "teasing", False),
    ("implied_solo", "teasing", False),
    ("implied_tits_play", "teasing", False),
    ("implied_toy_play", "teasing", False),
    ("joi", "specialty", True),
    ("lingerie", "softcore", False),
    ("live_stream", "lifestyle", False),
    ("pool_outdoor", "softcore", False),
    ("pov", "explicit", True),
    ("pussy_play", "explicit", True),
    ("shower_bath", "softcore", False),
    ("solo", "explicit", True),
    ("squirt", "explicit", True),
    ("story_roleplay", "specialty", False),
    ("teasing", "teasing", False),
    ("tits_play", "explicit", True),
    ("toy_play", "explicit", True),
    ("workout", "lifestyle", False),
)
CONTENT_NAMES: tuple[str, ...] = tuple(name for name, _, _ in CONTENT_TYPES)
SOFT_NAMES: tuple[str, ...] = tuple(name for name, _, explicit in CONTENT_TYPES if not explicit)


@dataclass(frozen=True, slots=True)
class CreatorSpec:
    """Who a sample creator is; everything else about them is drawn from the seed."""

    page_name: str
    display_name: str
    tier: Tier  # the tier the simulated revenue aims at (the stored tier is derived from history)
    page_type: str
    timezone: str = "America/New_York"
    content_category: str = "softcore"
    declining: bool = False
    monthly_revenue: float | None = None  # pinned target for the named creators
    ab_test_running: bool = False


NY, LA, CHI, DEN, LON = (
    "America/New_York",
    "America/Los_Angeles",
    "America/Chicago",
    "America/Denver",
    "Europe/London",
)
T = Tier

SAMPLE_CREATORS: tuple[CreatorSpec, ...] = (
    CreatorSpec("alexia", "Alexia", T.STANDARD, "paid", NY, "amateur", monthly_revenue=1650.0),
    CreatorSpec(
        "grace_bennett", "Grace Bennett", T.HIGH_VALUE, "paid", NY, "explicit", monthly_revenue=4900.0
    ),
    CreatorSpec("luna_free", "Luna", T.STANDARD, "free", NY, "softcore", monthly_revenue=1500.0),
    CreatorSpec("maya_hill", "Maya Hill", T.PREMIUM, "paid", NY, "explicit", monthly_revenue=13000.0),
    CreatorSpec("ivy_rose_free", "Ivy Rose", T.MINIMAL, "free", NY, "lifestyle"),
    CreatorSpec("nora_lane", "Nora Lane", T.MINIMAL, "paid", CHI, "softcore"),
    CreatorSpec("sadie_moon", "Sadie Moon", T.MINIMAL, "paid", NY, "lifestyle"),
    CreatorSpec("chloe_rivers", "Chloe Rivers", T.LITE, "paid", NY, "softcore"),
    CreatorSpec("bella_marie_free", "Bella Marie", T.LITE, "free", LA, "softcore"),
    CreatorSpec("jade_kim", "Jade Kim", T.LITE, "paid", LA, "amateur"),
    CreatorSpec("ruby_fox_free", "Ruby Fox", T.LITE, "free", NY, "amateur"),
    CreatorSpec("hazel_grey", "Hazel Grey", T.LITE, "paid", LON, "softcore"),
    CreatorSpec("piper_lynn", "Piper Lynn", T.LITE, "paid", NY, "explicit"),
    CreatorSpec("olivia_hansley_paid", "Olivia Hansley", T.STANDARD, "paid", NY, "explicit"),
    CreatorSpec("olivia_hansley_free", "Olivia Hansley (free)", T.STANDARD, "free", NY, "softcore"),
    CreatorSpec("skye_harper", "Skye Harper", T.STANDARD, "paid", CHI, "amateur"),
    CreatorSpec("riley_james", "Riley James", T.STANDARD, "paid", NY, "explicit", declining=True),
    CreatorSpec("stella_nova", "Stella Nova", T.STANDARD, "paid", LA, "softcore", ab_test_running=True),
    CreatorSpec("willow_west", "Willow West", T.STANDARD, "paid", DEN, "amateur"),
    CreatorSpec("camila_cruz_free", "Camila Cruz", T.STANDARD, "free", NY, "explicit"),
    CreatorSpec("daisy_blue", "Daisy Blue", T.STANDARD, "paid", NY, "lifestyle"),
    CreatorSpec("autumn_lee", "Autumn Lee", T.STANDARD, "paid", NY, "softcore"),
    CreatorSpec("kira_snow", "Kira Snow", T.STANDARD, "paid", NY, "explicit", declining=True),
    CreatorSpec("zoe_parker", "Zoe Parker", T.STANDARD, "paid", LA, "amateur"),
    CreatorSpec("mia_santos", "Mia Santos", T.HIGH_VALUE, "paid", NY, "explicit"),
    CreatorSpec("aria_vale", "Aria Vale", T.HIGH_VALUE, "paid", NY, "amateur"),
    CreatorSpec("lily_hart_free", "Lily Hart", T.HIGH_VALUE, "free", NY, "explicit"),
    CreatorSpec("eva_monroe", "Eva Monroe", T.HIGH_VALUE, "paid", CHI, "explicit", declining=True),
    CreatorSpec("sophie_lark", "Sophie Lark", T.HIGH_VALUE, "paid", NY, "softcore"),
    CreatorSpec("nina_ray", "Nina Ray", T.HIGH_VALUE, "paid", LON, "amateur"),
    CreatorSpec("tessa_quinn", "Tessa Quinn", T.HIGH_VALUE, "paid", NY, "explicit", declining=True),
    CreatorSpec("faye_morgan", "Faye Morgan", T.HIGH_VALUE, "paid", LA, "softcore", ab_test_running=True),
    CreatorSpec("scarlett_vega", "Scarlett Vega", T.PREMIUM, "paid", NY, "explicit"),
    CreatorSpec("jasmine_belle", "Jasmine Belle", T.PREMIUM, "paid", LA, "explicit"),
    CreatorSpec("valentina_cole", "Valentina Cole", T.PREMIUM, "paid", NY, "amateur"),
    CreatorSpec("aurora_sky_free", "Aurora Sky", T.PREMIUM, "free", NY, "explicit"),
    CreatorSpec("paige_wilde", "Paige Wilde", T.PREMIUM, "paid", CHI, "explicit"),
)

#: The mini sample: creator `test` (id and page name) and two others, for mocks and quick tests.
MINI_CREATORS: tuple[CreatorSpec, ...] = (
    CreatorSpec("test", "Test Creator", T.STANDARD, "paid", NY, "explicit", monthly_revenue=1600.0),
    CreatorSpec("test_free", "Test Free", T.LITE, "free", NY, "softcore", monthly_revenue=400.0),
    CreatorSpec("test_premium", "Test Premium", T.PREMIUM, "paid", LA, "explicit", monthly_revenue=12000.0),
)
MINI_SEED = 1

#: Monthly MM revenue a creator of each tier aims at: inside the band, away from its edges.
TARGET_REVENUE: dict[Tier, tuple[float, float]] = {
    T.MINIMAL: (60.0, 125.0),
    T.LITE: (230.0, 640.0),
    T.STANDARD: (1100.0, 2400.0),
    T.HIGH_VALUE: (3700.0, 6600.0),
    T.PREMIUM: (9500.0, 18000.0),
}
#: Mass messages a day by tier (times 0.75–1.25 per creator): saturation spreads from low to high.
SENDS_PER_DAY: dict[Tier, float] = {
    T.MINIMAL: 0.45,
    T.LITE: 0.8,
    T.STANDARD: 1.3,
    T.HIGH_VALUE: 1.6,
    T.PREMIUM: 1.9,
}
HISTORY_MIX: dict[str, tuple[tuple[str, float], ...]] = {
    "paid": (
        ("ppv_unlock", 0.66),
        ("bundle", 0.07),
        ("flash_bundle", 0.04),
        ("tip_goal", 0.04),
        ("bump_normal", 0.07),
        ("link_drop", 0.04),
        ("renew_on_message", 0.04),
        ("expired_winback", 0.04),
    ),
    "free": (
        ("ppv_unlock", 0.52),
        ("ppv_wall", 0.20),
        ("bundle", 0.07),
        ("flash_bundle", 0.04),
        ("bump_normal", 0.10),
        ("link_drop", 0.07),
    ),
}


@dataclass(frozen=True, slots=True)
class Economics:
    """How a send type earns in the simulation: conversion and price relative to the creator's base.

    Whether it carries media or a price is the rulebook's (`SEND_TYPES`), not repeated here.
    """

    conversion: float
    price: float


ECONOMICS: dict[str, Economics] = {
    "ppv_unlock": Economics(1.0, 1.0),
    "ppv_wall": Economics(0.8, 0.7),
    "bundle": Economics(0.5, 2.0),
    "flash_bundle": Economics(0.65, 1.5),
    "tip_goal": Economics(0.2, 1.8),
    "bump_normal": Economics(0.012, 0.6),
    "link_drop": Economics(0.01, 0.6),
    "renew_on_message": Economics(0.06, 0.7),
    "expired_winback": Economics(0.03, 0.7),
}
PRICE_STEPS = (0.6, 0.8, 1.0, 1.0, 1.25, 1.6)
BASE_PRICES = (10.0, 12.0, 15.0, 15.0, 18.0, 20.0, 25.0)
#: Revenue multiplier when a content type is re-sent after N days (0 = same day); ≥ 5 days: none.
FATIGUE_BY_GAP = {0: 0.5, 1: 0.6, 2: 0.72, 3: 0.84, 4: 0.93}
#: Declining creators keep this share of their revenue week after week over the last weeks of history.
DECLINE_PER_WEEK = 0.72
DECLINE_WEEKS = 6

#: Captions per content type for media send types, and in total for the others (full sample).
CAPTIONS_PER_CONTENT: dict[str, int] = {
    "ppv_unlock": 24,
    "ppv_wall": 6,
    "bundle": 3,
    "flash_bundle": 2,
    "snapchat_bundle": 2,
    "wall_link_drop": 2,
    "bump_flyer": 2,
    "live_promo": 2,
}
CAPTIONS_PER_TYPE: dict[str, int] = {
    "tip_goal": 80,
    "vip_program": 40,
    "game_post": 80,
    "first_to_tip": 60,
    "link_drop": 80,
    "bump_normal": 400,
    "bump_descriptive": 150,
    "bump_text_only": 120,
    "dm_farm": 80,
    "like_farm": 40,
    "renew_on_post": 80,
    "renew_on_message": 60,
    "ppv_followup": 120,
    "expired_winback": 60,
}
CAPTION_TIER_WEIGHTS = (0.10, 0.25, 0.40, 0.25)


# --- caption text ------------------------------------------------------------------------------------

_REV_OPEN = (
    "Just filmed something special for you",
    "I couldn't wait to show you this",
    "You've been so good to me lately",
    "Okay I'm actually nervous to send this",
    "This one is only for my favourite people",
    "Guess what I made for you today",
    "I've never shared anything like this before",
    "Freshly filmed and I'm still blushing",
    "Been saving this one all week",
    "Tell me if this is too much",
)
_REV_BODY = (
    "my {c} set is waiting in your inbox",
    "{c} like you've never seen from me",
    "a full {c} video, {n} minutes of me",
    "{c} and I didn't hold anything back",
    "{n} brand new pics from my {c} shoot",
    "the {c} clip everyone keeps asking about",
)
_REV_CLOSE = (
    "unlock it and tell me what you think 💋",
    "open it before I change my mind 😈",
    "I want to hear every single reaction",
    "it's all yours if you want it",
    "don't keep me waiting babe",
    "let me know your favourite part 🔥",
    "I think you'll love the ending",
)
_LEADS: dict[str, tuple[str, ...]] = {
    "tip_goal": ("Tip goal is live!", "Help me hit my goal", "Let's play a tip game"),
    "vip_program": ("VIP list is open", "Want to be in my VIP circle?", "My VIPs get everything first"),
    "game_post": ("Spin the wheel with me", "Game time!", "Pick a number from 1 to 10"),
    "first_to_tip": ("First one to tip wins", "Race you!", "Fastest tipper gets a prize"),
    "link_drop": ("New post is up", "Did you catch my latest post?", "Fresh on my page"),
    "wall_link_drop": ("Just posted this", "New on my wall", "Go look at my latest"),
    "bump_normal": ("Hey you 👀", "Miss me?", "Are you awake?", "Come talk to me"),
    "bump_descriptive": ("I'm lying in bed in my softest outfit", "Just got out of the shower"),
    "bump_text_only": ("Thinking about you", "Bored and a little lonely", "Can't sleep"),
    "bump_flyer": ("Look what's waiting for you", "Sneak peek 👀", "You'll want to see this"),
    "dm_farm": ("Reply with your favourite emoji", "Say hi and I'll answer", "Tell me one secret"),
    "like_farm": ("Double tap if you're up", "Like this if you missed me", "Hit like for a surprise"),
    "live_promo": ("Going live tonight", "Live show later!", "Join my stream"),
    "renew_on_post": ("Turn on auto-renew", "Keep renew on", "Don't miss next month"),
    "renew_on_message": ("Your sub is renewing soon", "Quick reminder about renew", "Stay with me"),
    "ppv_followup": ("Did you see what I sent?", "Still waiting on you", "You haven't opened it yet"),
    "expired_winback": ("I miss you", "Come back to me", "It's been too long"),
    "snapchat_bundle": ("Snapchat access is open", "Want my private snap?", "Snap bundle time"),
    "ppv_unlock": ("",),
    "ppv_wall": ("",),
    "bundle": ("Bundle deal", "Everything in one"),
    "flash_bundle": ("Flash bundle", "Quick bundle"),
}
_MIDDLES: dict[Category, tuple[str, ...]] = {
    Category.REVENUE: (
        "this one is worth every penny",
        "I made it just for my top fans",
        "there's a little surprise inside",
        "I went all out on this one",
        "you'll want to keep this forever",
    ),
    Category.ENGAGEMENT: (
        "I'm online right now",
        "reply and I'll answer everyone",
        "check what I just sent",
        "my DMs are open for the next hour",
        "tell me your plans tonight",
        "what should I wear tomorrow?",
        "I read every message",
    ),
    Category.RETENTION: (
        "I have so much planned for next month",
        "the best content is still coming",
        "you'd miss my weekly specials",
        "I'd hate to lose you",
        "there's a welcome back gift for you",
    ),
}
_PET_NAMES = ("babe", "handsome", "love", "cutie", "darling", "you")
_ENDS = ("💕", "😘", "🙈", "✨", "😉", "🔥", "💋", "")


def _caption_text(rng: random.Random, send_type: str, content: str | None) -> str:
    category = SEND_TYPES[send_type].category
    if send_type in ("ppv_unlock", "ppv_wall", "bundle", "flash_bundle") and content:
        phrase = content.replace("_", " ")
        body = rng.choice(_REV_BODY).format(c=phrase, n=rng.randint(3, 25))
        lead = rng.choice(_LEADS[send_type])
        opener = rng.choice(_REV_OPEN)
        text = f"{opener}... {body} — {rng.choice(_REV_CLOSE)}"
        return f"{lead}: {text}" if lead else text
    lead = rng.choice(_LEADS[send_type])
    middle = rng.choice(_MIDDLES[category])
    about = f" ({content.replace('_', ' ')})" if content else ""
    return f"{lead}{about} {middle}, {rng.choice(_PET_NAMES)} {rng.choice(_ENDS)}".strip()


def _nice_price(value: float) -> float:
    """A shop price: whole dollars minus a cent, inside the hard bounds."""
    return round(clamp(round(value) - 0.01, PRICE_FLOOR, PRICE_CEILING), 2)


@dataclass
class CaptionBank:
    rows: list[dict[str, Any]] = field(default_factory=list)
    pools: dict[tuple[str, str | None], list[int]] = field(default_factory=dict)


def caption_bank(seed: int, scale: float, now: datetime, type_ids: dict[str, int]) -> CaptionBank:
    rng = random.Random(f"{seed}:captions")
    bank = CaptionBank()
    seen: set[str] = set()
    plan: list[tuple[str, str | None, int]] = []
    for st, per in CAPTIONS_PER_CONTENT.items():
        plan.extend((st, name, max(2, round(per * scale))) for name in CONTENT_NAMES)
    plan.extend((st, None, max(8, round(n * scale))) for st, n in CAPTIONS_PER_TYPE.items())
    for send_type, content, count in plan:
        spec = SEND_TYPES[send_type]
        for _ in range(count):
            text = _caption_text(rng, send_type, content)
            attempt = 1
            while caption_hash(text) in seen:
                attempt += 1
                text = _caption_text(rng, send_type, content)
                if attempt > 20:
                    text = f"{text} (part {attempt})"
            digest = caption_hash(text)
            seen.add(digest)
            caption_id = len(bank.rows) + 1
            suggested = low = high = purchase_rate = None
            if spec.requires_price:
                lo, hi = typical_range(send_type)
                suggested = _nice_price(rng.uniform(lo, hi))
                low = _nice_price(max(PRICE_FLOOR, suggested * 0.7))
                high = _nice_price(min(PRICE_CEILING, suggested * 1.4))
                purchase_rate = round(rng.uniform(0.01, 0.08), 4)
            bank.rows.append(
                {
                    "caption_id": caption_id,
                    "caption_text": text,
                    "caption_hash": digest,
                    "send_type_key": send_type,
                    "content_type_id": type_ids[content] if content else None,
                    "slot_class": slot_class(send_type),
                    "performance_tier": rng.choices((1, 2, 3, 4), CAPTION_TIER_WEIGHTS)[0],
                    "suggested_price": suggested,
                    "price_min": low,
                    "price_max": high,
                    "avg_purchase_rate": purchase_rate,
                    "is_paid_page_only": spec.page is PageRestriction.PAID_ONLY or rng.random() < 0.05,
                    "is_active": True,
                    "global_times_used": 0,
                    "global_last_used_date": None,
                    "created_at": iso_z(now - timedelta(days=rng.randint(100, 400))),
                }
            )
            bank.pools.setdefault((send_type, content), []).append(caption_id)
    return bank


# --- per-creator truth and history ---------------------------------------------------------------


@dataclass
class _Truth:
    """The hidden facts the history is simulated from (what a good scheduler should discover)."""

    target_revenue: float
    sends_per_day: float
    base_price: float
    elasticity: float
    base_conversion: float
    base_open: float
    subscription_price: float | None
    vault: list[str]
    content_effect: dict[str, float]
    favourite_hours: tuple[int, ...]
    weak_hour: int
    best_weekday: int


def _truth(rng: random.Random, spec: CreatorSpec) -> _Truth:
    low, high = TARGET_REVENUE[spec.tier]
    target = spec.monthly_revenue or math.exp(rng.uniform(math.log(low), math.log(high)))
    soft = spec.content_category in ("lifestyle", "softcore")
    pool = list(SOFT_NAMES if soft else CONTENT_NAMES)
    size = min(len(pool), rng.randint(8, 13) if soft else rng.randint(10, 22))
    vault = sorted(rng.sample(pool, size))
    effect = {name: math.exp(rng.gauss(0.0, 0.18)) for name in vault}
    shuffled = rng.sample(vault, len(vault))
    for name in shuffled[: rng.randint(2, 3)]:
        effect[name] *= rng.uniform(1.6, 2.3)
    for name in shuffled[3 : 3 + rng.randint(0, 2)]:
        effect[name] *= rng.uniform(0.25, 0.4)
    conversion = rng.uniform(0.012, 0.028) * (0.75 if spec.page_type == "free" else 1.0)
    return _Truth(
        target_revenue=target,
        sends_per_day=SENDS_PER_DAY[spec.tier] * rng.uniform(0.75, 1.25),
        base_price=rng.choice(BASE_PRICES),
        elasticity=rng.uniform(0.5, 1.7),
        base_conversion=conversion,
        base_open=rng.uniform(0.22, 0.42) * (1.1 if spec.page_type == "free" else 1.0),
        subscription_price=rng.choice((4.99, 7.99, 9.99, 12.99, 14.99)) if spec.page_type == "paid" else None,
        vault=vault,
        content_effect=effect,
        favourite_hours=tuple(sorted(rng.sample(range(9, 24), 2))),
        weak_hour=rng.choice((8, 9, 10, 15, 16)),
        best_weekday=rng.randrange(7),
    )


def _in_windows(hour: int, windows: Sequence[tuple[int, int]]) -> bool:
    return any(start <= hour < end or start <= hour + 24 < end for start, end in windows)


def _hour_effect(truth: _Truth, weekday: int, hour: int) -> float:
    effect = 1.0
    if _in_windows(hour, PRIME_HOURS[weekday]):
        effect = 1.15
    elif _in_windows(hour, SECONDARY_HOURS[weekday]):
        effect = 1.05
    elif hour < DEAD_ZONE_START_HOUR or DEAD_ZONE_END_HOUR <= hour < 10:
        effect = 0.85
    if hour in truth.favourite_hours:
        effect *= 1.45
    if hour == truth.weak_hour:
        effect *= 0.7
    return effect


#: Hours history sends go out at (local), with how often; nothing in the 03–07 dead zone.
SEND_HOURS: tuple[tuple[int, float], ...] = (
    (0, 0.6),
    (1, 0.4),
    (2, 0.2),
    *((h, 0.5) for h in (7, 8, 9)),
    *((h, 1.0) for h in range(10, 24)),
)


@dataclass
class _PlannedSend:
    local: datetime
    send_type: str
    content: str | None
    price: float | None
    day_index: int  # days before as_of
    expected_per_fan: float
    open_rate: float
    conversion: float
    unit_value: float  # earnings per purchase


def _plan_history(rng: random.Random, spec: CreatorSpec, truth: _Truth, as_of: date) -> list[_PlannedSend]:
    zone = ZoneInfo(spec.timezone)
    mix = HISTORY_MIX[spec.page_type]
    hours = [h for h, _ in SEND_HOURS]
    weights = [w for _, w in SEND_HOURS]
    last_sent: dict[str, int] = {}
    planned: list[_PlannedSend] = []
    for day_index in range(HISTORY_DAYS, 0, -1):
        day = as_of - timedelta(days=day_index)
        whole = int(truth.sends_per_day)
        count = whole + (1 if rng.random() < truth.sends_per_day - whole else 0)
        day_hours = sorted(rng.choices(hours, weights, k=count), key=lambda h: (h < DEAD_ZONE_START_HOUR, h))
        decline = 1.0
        if spec.declining and day_index <= DECLINE_WEEKS * 7:
            decline = DECLINE_PER_WEEK ** (DECLINE_WEEKS - (day_index - 1) // 7)
        for hour in day_hours:
            send_type = rng.choices([k for k, _ in mix], [w for _, w in mix])[0]
            econ = ECONOMICS[send_type]
            content: str | None = None
            effect = 1.0
            if SEND_TYPES[send_type].requires_media:
                recent = [ct for ct, d in last_sent.items() if d - day_index <= 3]
                content = (
                    rng.choice(sorted(recent)) if recent and rng.random() < 0.2 else rng.choice(truth.vault)
                )
                effect = truth.content_effect[content]
                if content in last_sent:
                    effect *= FATIGUE_BY_GAP.get(last_sent[content] - day_index, 1.0)
                last_sent[content] = day_index
            reference_price = truth.base_price * econ.price
            price: float | None = None
            unit_value = reference_price
            price_effect = 1.0
            if SEND_TYPES[send_type].requires_price:
                price = _nice_price(reference_price * rng.choice(PRICE_STEPS))
                unit_value = price
                price_effect = (price / reference_price) ** (-truth.elasticity)
            elif send_type in ("renew_on_message", "expired_winback") and truth.subscription_price:
                unit_value = truth.subscription_price
            weekday = day.weekday()
            day_effect = (1.08 if weekday >= 4 else 1.0) * (1.15 if weekday == truth.best_weekday else 1.0)
            open_rate = min(
                0.95, truth.base_open * decline**0.3 * (1.05 if hour in truth.favourite_hours else 1)
            )
            conversion = min(
                0.5,
                truth.base_conversion
                * econ.conversion
                * effect
                * price_effect
                * _hour_effect(truth, weekday, hour)
                * day_effect,
            )
            local = datetime.combine(
                day + timedelta(days=1 if hour < DEAD_ZONE_START_HOUR else 0),
                time(hour, rng.randrange(60)),
                tzinfo=zone,
            )
            planned.append(
                _PlannedSend(
                    local=local,
                    send_type=send_type,
                    content=content,
                    price=price,
                    day_index=day_index,
                    expected_per_fan=open_rate * conversion * unit_value,
                    open_rate=open_rate,
                    conversion=conversion,
                    unit_value=unit_value,
                )
            )
    kept = [p for p in planned if p.local.date() < as_of]
    if spec.declining:
        _shape_decline(kept)
    return kept


def _shape_decline(planned: list[_PlannedSend]) -> None:
    """Make a declining creator's expected weekly revenue fall by DECLINE_PER_WEEK week after week.

    Per-send randomness (content, price, hour) alone would hide a trend in a handful of weekly
    sends; the health rules count consecutive declining weeks, so the trend is shaped by week.
    """
    weeks: dict[int, list[_PlannedSend]] = {}
    for p in planned:
        weeks.setdefault((p.day_index - 1) // 7, []).append(p)
    before = [
        sum(p.expected_per_fan for p in weeks.get(w, [])) for w in range(DECLINE_WEEKS, 2 * DECLINE_WEEKS + 2)
    ]
    level = sum(before) / len(before)
    for week in range(DECLINE_WEEKS):
        sends = weeks.get(week, [])
        expected = sum(p.expected_per_fan for p in sends)
        if expected <= 0:
            continue
        factor = level * DECLINE_PER_WEEK ** (DECLINE_WEEKS - week) / expected
        for p in sends:
            p.conversion *= factor
            p.expected_per_fan *= factor


def _binomial(rng: random.Random, n: int, p: float) -> int:
    if n <= 0 or p <= 0:
        return 0
    if n < 40:
        return sum(1 for _ in range(n) if rng.random() < p)
    mean = n * p
    return int(clamp(round(rng.gauss(mean, math.sqrt(mean * (1 - p)))), 0, n))


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


@dataclass
class CreatorRows:
    creator: dict[str, Any]
    persona: dict[str, Any]
    vault: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    usage: dict[int, dict[str, Any]]


TONES = ("playful", "seductive", "sultry", "aggressive")
SECONDARY_TONES = ("bratty", "sweet", "playful", "seductive", None)
EMOJIS = ("💋", "🔥", "😈", "💕", "😘", "🙈", "✨", "🍑", "💦", "😉")


def creator_rows(
    seed: int, spec: CreatorSpec, as_of: date, now: datetime, bank: CaptionBank, type_ids: dict[str, int]
) -> CreatorRows:
    rng = random.Random(f"{seed}:{spec.page_name}")
    truth = _truth(rng, spec)
    planned = _plan_history(rng, spec, truth, as_of)
    per_fan_30d = sum(p.expected_per_fan for p in planned if p.day_index <= 30)
    fans = max(30, round(truth.target_revenue / per_fan_30d)) if per_fan_30d > 0 else 30
    creator_id = spec.page_name
    stamp = iso_z(now)
    messages: list[dict[str, Any]] = []
    usage: dict[int, dict[str, Any]] = {}
    for p in planned:
        sent = round(fans * rng.uniform(0.9, 0.99))
        viewed = _binomial(rng, sent, p.open_rate)
        purchased = min(viewed, _poisson(rng, viewed * p.conversion))
        priced = SEND_TYPES[p.send_type].requires_price
        unit = p.unit_value if priced else p.unit_value * rng.uniform(0.6, 1.6)
        earnings = round(purchased * unit, 2)
        pool = bank.pools.get((p.send_type, p.content)) or bank.pools.get((p.send_type, None)) or []
        caption_id = rng.choice(pool) if pool else None
        sent_date = p.local.date().isoformat()
        messages.append(
            {
                "creator_id": creator_id,
                "sent_at": iso_z(p.local),
                "sent_date": sent_date,
                "sent_hour": p.local.hour,
                "send_type_key": p.send_type,
                "content_type": p.content,
                "caption_id": caption_id,
                "price": p.price,
                "sent_count": sent,
                "viewed_count": viewed,
                "purchased_count": purchased,
                "earnings": earnings,
                "imported_at": stamp,
            }
        )
        if caption_id is not None:
            _use(usage, caption_id, creator_id, sent_date, earnings)
    # Older use (before the history window): these captions are fresh again, or soon will be.
    for caption_id in rng.sample(range(1, len(bank.rows) + 1), k=min(len(bank.rows), 40)):
        if caption_id not in usage:
            old_day = (as_of - timedelta(days=rng.randint(80, 300))).isoformat()
            _use(usage, caption_id, creator_id, old_day, round(rng.uniform(0, 300), 2))

    month = [m for m in messages if m["sent_date"] >= (as_of - timedelta(days=30)).isoformat()]
    message_net = round(sum(float(m["earnings"]) for m in month) * rng.uniform(0.95, 1.1), 2)
    posts_net = round(message_net * rng.uniform(0.1, 0.4), 2)
    subscription_net = round(fans * (truth.subscription_price or 0) * rng.uniform(0.2, 0.4), 2)
    tips_net = round(message_net * rng.uniform(0.05, 0.2), 2)
    creator = {
        "creator_id": creator_id,
        "page_name": spec.page_name,
        "display_name": spec.display_name,
        "page_type": spec.page_type,
        "subscription_price": truth.subscription_price,
        "timezone": spec.timezone,
        "content_category": spec.content_category,
        "is_active": True,
        "current_fan_count": round(fans * rng.uniform(1.0, 1.3)),
        "current_active_fans": fans,
        "current_total_earnings": round(message_net + posts_net + subscription_net + tips_net, 2),
        "current_message_net": message_net,
        "current_posts_net": posts_net,
        "current_subscription_net": subscription_net,
        "current_tips_net": tips_net,
        "current_renew_on_pct": round(rng.uniform(20, 60), 1) if spec.page_type == "paid" else None,
        "extra_metrics": None,
        "metrics_snapshot_date": iso_z(now - timedelta(days=1)),
        "base_price": truth.base_price,
        "ab_test_running": spec.ab_test_running,
        "previous_tier": None,
        "created_at": iso_z(now - timedelta(days=rng.randint(200, 900))),
        "updated_at": stamp,
    }
    emoji_frequency = rng.choice(("none", "light", "moderate", "moderate", "heavy"))
    persona = {
        "creator_id": creator_id,
        "primary_tone": rng.choice(TONES),
        "secondary_tone": rng.choice(SECONDARY_TONES),
        "emoji_frequency": emoji_frequency,
        "favorite_emojis": json.dumps(rng.sample(EMOJIS, 3) if emoji_frequency != "none" else []),
        "slang_level": rng.choice(("none", "light", "light", "heavy")),
        "avg_sentiment": round(rng.uniform(0.55, 0.9), 2),
        "avg_caption_length": rng.randint(60, 220),
        "last_analyzed": iso_z(now - timedelta(days=rng.randint(1, 20))),
    }
    vault = [
        {
            "creator_id": creator_id,
            "content_type_id": type_ids[name],
            "has_content": True,
            "quantity_available": rng.randint(3, 60),
            "updated_at": stamp,
        }
        for name in truth.vault
    ]
    return CreatorRows(creator, persona, vault, messages, usage)


def _use(
    usage: dict[int, dict[str, Any]], caption_id: int, creator_id: str, day: str, revenue: float
) -> None:
    row = usage.setdefault(
        caption_id,
        {
            "caption_id": caption_id,
            "creator_id": creator_id,
            "times_used": 0,
            "first_used_date": day,
            "last_used_date": day,
            "total_revenue": 0.0,
        },
    )
    row["times_used"] += 1
    row["first_used_date"] = min(row["first_used_date"], day)
    row["last_used_date"] = max(row["last_used_date"], day)
    row["total_revenue"] = round(row["total_revenue"] + revenue, 2)


# --- building ------------------------------------------------------------------------------------------


def sample_now(as_of: date) -> datetime:
    """The moment the sample is 'taken': noon UTC of the as-of day (history ends the day before)."""
    return datetime.combine(as_of, time(12), tzinfo=UTC)


def _build(
    engine: Engine, specs: Sequence[CreatorSpec], *, seed: int, as_of: date, caption_scale: float
) -> None:
    require_database(engine)
    with engine.begin() as conn:
        fill_sample(conn, specs, seed=seed, as_of=as_of, caption_scale=caption_scale)


def fill_sample(
    conn: Connection, specs: Sequence[CreatorSpec], *, seed: int, as_of: date, caption_scale: float
) -> CaptionBank:
    """The caption bank and `specs`' creators with their history and analyses, into an empty
    database; the bank as stored (with its use counts), for creators added after them."""
    now = sample_now(as_of)
    if any(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in (creators, captions)):
        raise ConfigError(
            "The database already has creators or captions; build the sample into an empty one."
        )
    type_ids = seed_content_types(conn)
    bank = caption_bank(seed, caption_scale, now, type_ids)
    built = [creator_rows(seed, spec, as_of, now, bank, type_ids) for spec in specs]
    for rows in built:
        for use in rows.usage.values():
            caption = bank.rows[use["caption_id"] - 1]
            caption["global_times_used"] += use["times_used"]
            last = caption["global_last_used_date"]
            caption["global_last_used_date"] = max(last or "", use["last_used_date"])
    conn.execute(creators.insert(), [b.creator for b in built])
    conn.execute(creator_personas.insert(), [b.persona for b in built])
    conn.execute(vault_matrix.insert(), [v for b in built for v in b.vault])
    conn.execute(captions.insert(), bank.rows)
    advance_id_sequence(conn, captions)
    conn.execute(caption_creator_usage.insert(), [u for b in built for u in b.usage.values()])
    conn.execute(mass_messages.insert(), [m for b in built for m in b.messages])
    for days_ago in PAST_ANALYSES_DAYS_AGO:
        analyze_all(conn, now - timedelta(days=days_ago))
    analyze_all(conn, now)
    return bank


def seed_content_types(conn: Connection) -> dict[str, int]:
    """Add the standard content-type dictionary's missing names; every name → id afterwards."""
    known = content_type_ids(conn)
    missing = [
        {
            "type_name": name,
            "type_category": category,
            "is_explicit": explicit,
            "description": name.replace("_", " "),
        }
        for name, category, explicit in CONTENT_TYPES
        if name not in known
    ]
    if missing:
        conn.execute(content_types.insert(), missing)
        known = content_type_ids(conn)
    return known


def build_sample(engine: Engine, *, seed: int = DEFAULT_SEED, as_of: date = DEFAULT_AS_OF) -> None:
    """The full sample agency (37 creators, 90 days of history ending the day before `as_of`)."""
    _build(engine, SAMPLE_CREATORS, seed=seed, as_of=as_of, caption_scale=1.0)


def build_mini_sample(engine: Engine, *, as_of: date = DEFAULT_AS_OF) -> None:
    """Three creators (`test`, `test_free`, `test_premium`) and a small caption bank, for mocks."""
    _build(engine, MINI_CREATORS, seed=MINI_SEED, as_of=as_of, caption_scale=0.3)


def ensure_sample_database(engine: Engine, clock: Clock) -> bool:
    """Create the schema and the sample (as of the clock's today) when there is no database yet.

    Returns True when it built one; an existing database is left alone.
    """
    if database_exists(engine):
        return False
    create_schema(engine)
    build_sample(engine, seed=DEFAULT_SEED, as_of=clock.now().date())
    return True
