"""The legacy (v4) design's own numbers, as the reference system published them.

These are not rulebook constants (DOMAIN.md does not know them): they are how the old
ten-phase pipeline made its greedy choices. Every hard rule the v4 pipeline obeys comes
from `eros.rules`; section numbers below refer to `reference/legacy-pipeline.md`.
"""

from __future__ import annotations

from eros.rules.send_types import MIN_DISTINCT_TYPES
from eros.rules.timing import DEAD_ZONE_END_HOUR, DEAD_ZONE_START_HOUR

# --- Phase 1: preflight blocking checks (§1.1 Ph 0) -----------------------------------
#: BLOCK when fewer usable captions remain after the vault/AVOID filter.
MIN_USABLE_CAPTIONS = 50
#: WARN when the volume confidence is below this.
LOW_CONFIDENCE_WARNING = 0.5
#: Captions sampled per content type when counting the usable pool.
POOL_PROBE_LIMIT = 1

# --- Phase 2: retention risk (§2.11) ------------------------------------------------
RISK_WEIGHTS: dict[str, float] = {
    "engagement_decline": 0.25,
    "purchase_decline": 0.25,
    "reply_decline": 0.15,
    "login_decline": 0.15,
    "rebill_window": 0.10,
    "content_fatigue": 0.10,
}
#: Open-rate (engagement) drop over 7 days and conversion (purchase) drop over 14 days that score 100.
ENGAGEMENT_DECLINE_FULL = -0.10
PURCHASE_DECLINE_FULL = -0.15
#: A single content type above this share of sends is content fatigue.
FATIGUE_SHARE = 0.50
#: Risk tiers: (lower bound exclusive, tier, extra retention sends per day).
RISK_TIERS: tuple[tuple[float, str, int], ...] = (
    (75.0, "CRITICAL", 1),
    (50.0, "HIGH", 1),
    (25.0, "MODERATE", 0),
)
LOW_RISK_TIER = "LOW"

# --- Phase 3: multi-horizon fusion and confidence (§2.3, §2.4) ----------------------
HORIZON_DAYS: dict[str, int] = {"7d": 7, "14d": 14, "30d": 30}
HORIZONS: tuple[str, ...] = tuple(HORIZON_DAYS)
HORIZON_WEIGHTS: dict[str, float] = {"7d": 0.30, "14d": 0.50, "30d": 0.20}
DIVERGENT_WEIGHTS: dict[str, float] = {"7d": 0.50, "14d": 0.35, "30d": 0.15}
DIVERGENCE_POINTS = 15.0
NEUTRAL_SCORE = 50.0
#: (minimum messages, confidence) from the message count, checked in order.
CONFIDENCE_BY_MESSAGES: tuple[tuple[int, float], ...] = ((200, 1.0), (100, 0.8), (50, 0.6), (20, 0.4))
MIN_CONFIDENCE = 0.2
#: Content-tier weights when ranking content for PPV rotation (OPTIMIZATION_WEIGHTS, §2.6.2).
CONTENT_TIER_WEIGHTS: dict[str, float] = {"TOP": 1.3, "MID": 1.0, "LOW": 0.7}
UNRANKED_WEIGHT = 1.0
#: PPV slots rotate through this many best content types (caption-selection-pro, §2.6.2).
PPV_ROTATION_SIZE = 10

# --- Phase 4: allocation (§2.5) -----------------------------------------------------
STRATEGIES: tuple[str, ...] = (
    "revenue_focus",
    "engagement_burst",
    "balanced_standard",
    "variety_max",
    "storytelling",
)
#: Send types each strategy moves to the front of its category's pool.
STRATEGY_BOOSTS: dict[str, tuple[str, ...]] = {
    "revenue_focus": ("bundle", "flash_bundle", "vip_program"),
    "engagement_burst": ("dm_farm", "like_farm", "bump_normal"),
    "balanced_standard": (),
    "variety_max": (),
    "storytelling": ("bump_descriptive", "bump_normal"),
}
#: Daily flavour emphasis of the Python allocator, Monday first.
DAILY_FLAVOR: tuple[tuple[str, ...], ...] = (
    ("bundle", "game_post"),
    ("dm_farm", "like_farm"),
    ("flash_bundle", "bundle"),
    ("game_post", "first_to_tip"),
    ("first_to_tip", "game_post"),
    ("vip_program",),
    ("link_drop", "dm_farm"),
)
#: Strategy weights move to these values when saturation / opportunity is above 70.
SATURATED_WEIGHTS = {"revenue_focus": 0.1, "engagement_burst": 0.3}
OPPORTUNITY_WEIGHTS = {"revenue_focus": 0.3, "engagement_burst": 0.1}
HIGH_SCORE = 70.0
#: Diversity the allocator aims for: one type above the gate so one lost send cannot fail it.
TARGET_DISTINCT_TOTAL = MIN_DISTINCT_TYPES + 1

# --- Phase 5: caption matcher (§2.6.1) ----------------------------------------------
CAPTION_WEIGHTS: dict[str, float] = {
    "freshness": 0.40,
    "performance": 0.35,
    "type_priority": 0.15,
    "diversity": 0.05,
    "persona": 0.05,
}
#: Fallback ladder: (level, minimum performance, minimum freshness, may reuse a caption).
LADDER: tuple[tuple[str, float, float, bool], ...] = (
    ("L1", 70.0, 60.0, False),
    ("L2", 50.0, 40.0, False),
    ("L3", 40.0, 0.0, False),
    ("L4", 60.0, 0.0, True),
    ("L5", 0.0, 0.0, False),
)
MANUAL_LEVEL = "L6"
CAPTIONS_PER_SLOT = 5
#: Caption written for the slot's own send type / the same slot class / anything else.
TYPE_PRIORITY_SCORES = (100.0, 70.0, 30.0)
PERSONA_MATCH, PERSONA_MISMATCH, PERSONA_UNKNOWN = 100.0, 40.0, 50.0
#: A caption within this share of the persona's average length fits the persona's voice.
PERSONA_LENGTH_TOLERANCE = 0.5

# --- Phase 6: timing (§2.7) ---------------------------------------------------------
SLOT_STEP_MINUTES = 15
#: The day grid starts where the rulebook's dead zone ends (DOMAIN §4).
DAY_START_HOUR = DEAD_ZONE_END_HOUR
SLOT_BASE_SCORE = 50.0
PRIME_BONUS = 15.0
SECONDARY_BONUS = 5.0
HISTORY_BONUS_MAX = 20.0
PPV_EVENING_HOURS = frozenset({19, 21, 22})
PPV_EVENING_BONUS = 10.0
#: After-midnight slots (00:00–02:59) are the last resort of a crowded day.
AFTER_MIDNIGHT_PENALTY = 30.0
AFTER_MIDNIGHT_END_HOUR = DEAD_ZONE_START_HOUR
#: Send types at least this far apart are placed at the earliest free time, not the best-scoring.
LONG_GAP_MINUTES = 12 * 60

# --- Phase 7: follow-ups (§2.8) -----------------------------------------------------
FOLLOWUP_SCALING = 0.80
FOLLOWUP_CAPTION_LIMIT = 10
