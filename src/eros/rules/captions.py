"""Caption freshness, tiers and structure scoring (DOMAIN §12)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from eros.rules.send_types import SEND_TYPES

#: Fresh = never used by this creator, or last used at least this many days ago.
FRESH_AFTER_DAYS = 90
TIER_LABELS = {1: "ELITE", 2: "PROVEN", 3: "STANDARD", 4: "UNPROVEN"}
TIER_SCORES = {1: 100, 2: 75, 3: 50, 4: 25}
SLOT_CLASSES = ("ppv", "ppv_bump", "wall")
MAX_CAPTION_LENGTH = 2000
#: How many captions one caption-tool call serves (DOMAIN §13): per content type, per send type,
#: and how many content types one call may name.
MAX_CAPTIONS_PER_CONTENT_TYPE = 20
MAX_CAPTIONS_PER_SEND_TYPE = 50
MAX_CONTENT_TYPES_PER_CALL = 50
PASS_SCORE = 85
REVIEW_SCORE = 70


@dataclass(frozen=True, slots=True)
class LengthThresholds:
    minimum: int
    ideal_min: int
    ideal_max: int
    maximum: int


LENGTH_THRESHOLDS: dict[str, LengthThresholds] = {
    "revenue": LengthThresholds(40, 80, 300, 450),
    "engagement": LengthThresholds(15, 30, 150, 250),
    "retention": LengthThresholds(25, 50, 200, 300),
    "default": LengthThresholds(10, 20, 300, 500),
}
UNIVERSAL_SPAM = {"click here": 15, "act now": 15, "buy now": 15, "hurry": 5}
#: Sales language tolerated in revenue captions only.
NON_REVENUE_SPAM = {"limited time": 10, "exclusive offer": 10, "don't miss": 10}
EMOJI_CODEPOINT_FLOOR = 0x1F300


def is_fresh(days_since_creator_used: int | None) -> bool:
    return days_since_creator_used is None or days_since_creator_used >= FRESH_AFTER_DAYS


def slot_class(send_type: str) -> str | None:
    """Coarse slot class a caption written for `send_type` fits."""
    if send_type in ("ppv_unlock", "ppv_wall", "bundle", "flash_bundle", "snapchat_bundle"):
        return "ppv"
    if send_type.startswith("bump_"):
        return "ppv_bump"
    if SEND_TYPES.get(send_type) is not None and SEND_TYPES[send_type].channel.value == "wall_post":
        return "wall"
    return None


@dataclass(frozen=True, slots=True)
class StructureScore:
    score: int
    issues: list[str] = field(default_factory=list)
    category: str = "default"
    thresholds: LengthThresholds = LENGTH_THRESHOLDS["default"]

    @property
    def valid(self) -> bool:
        return self.score >= REVIEW_SCORE

    @property
    def recommendation(self) -> str:
        if self.score >= PASS_SCORE:
            return "PASS"
        return "REVIEW" if self.score >= REVIEW_SCORE else "REJECT"


def score_structure(caption_text: str, send_type: str) -> StructureScore:
    """0–100 from length, spam phrases, emoji count, repeated words and all caps."""
    st = SEND_TYPES.get(send_type)
    category = st.category.value if st else "default"
    th = LENGTH_THRESHOLDS.get(category, LENGTH_THRESHOLDS["default"])
    score = 100
    issues: list[str] = []
    length = len(caption_text)
    if length < th.minimum:
        score -= 30
        issues.append(f"Too short ({length} < {th.minimum} characters)")
    elif length < th.ideal_min:
        score -= 10
        issues.append(f"Shorter than ideal ({length} < {th.ideal_min} characters)")
    elif length > th.maximum:
        score -= 15
        issues.append(f"Too long ({length} > {th.maximum} characters)")
    elif length > th.ideal_max:
        score -= 5
        issues.append(f"Longer than ideal ({length} > {th.ideal_max} characters)")
    lowered = caption_text.lower()
    spam = dict(UNIVERSAL_SPAM)
    if category != "revenue":
        spam.update(NON_REVENUE_SPAM)
    for phrase, penalty in spam.items():
        if phrase in lowered:
            score -= penalty
            issues.append(f"Spam phrase: '{phrase}'")
    emojis = sum(1 for ch in caption_text if ord(ch) >= EMOJI_CODEPOINT_FLOOR)
    if emojis > 10:
        score -= 15
        issues.append(f"Excessive emojis ({emojis})")
    elif emojis > 5:
        score -= 5
        issues.append(f"High emoji count ({emojis})")
    words = re.findall(r"[a-z']+", lowered)
    if len(words) > 5:
        counts: dict[str, int] = {}
        for word in words:
            if len(word) > 3:
                counts[word] = counts.get(word, 0) + 1
        repeated = sorted(w for w, n in counts.items() if n > 2)
        if repeated:
            score -= 10
            issues.append(f"Repeated words: {', '.join(repeated[:3])}")
    if length > 20 and caption_text.isupper():
        score -= 20
        issues.append("All caps")
    return StructureScore(max(0, min(100, score)), issues, category, th)
