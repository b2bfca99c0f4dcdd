"""Follow-ups to non-buyers (DOMAIN §5)."""

from __future__ import annotations

import random
from datetime import time

DELAY_MIN_MINUTES = 15
DELAY_MAX_MINUTES = 45
DELAY_MEAN_MINUTES = 28
DELAY_SD_MINUTES = 8
#: A follow-up that would land after this moves to NEXT_DAY_TIME the next day.
LATE_NIGHT_CUTOFF = time(23, 30)
NEXT_DAY_TIME = time(8, 0)
MAX_PER_DAY = 5
MIN_MINUTES_APART = 60
TARGET_NON_PURCHASERS = "ppv_non_purchasers"
TARGET_NON_TIPPERS = "non_tippers"


def followup_target(parent_send_type: str) -> str:
    return TARGET_NON_TIPPERS if parent_send_type == "tip_goal" else TARGET_NON_PURCHASERS


def draw_delay(rng: random.Random) -> int:
    """Truncated normal(28, 8) on [15, 45], whole minutes; the caller seeds `rng` (ARCHITECTURE D2)."""
    for _ in range(100):
        value = rng.gauss(DELAY_MEAN_MINUTES, DELAY_SD_MINUTES)
        if DELAY_MIN_MINUTES <= value <= DELAY_MAX_MINUTES:
            return round(value)
    return rng.randint(DELAY_MIN_MINUTES, DELAY_MAX_MINUTES)


def delay_is_valid(minutes: int) -> bool:
    return DELAY_MIN_MINUTES <= minutes <= DELAY_MAX_MINUTES
