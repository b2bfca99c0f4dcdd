"""Quality score bands and validation status (DOMAIN §9)."""

from __future__ import annotations

from eros.models import ValidationStatus

MAX_SCORE = 100.0
#: 85–100 approved; 75–84 approved with recommendations; 60–74 needs review; below 60 the generator
#: tries again (docs/DECISIONS.md: a week that breaks no hard gate is never REJECTED, it needs review).
APPROVED_CLEAN_MIN = 85.0
APPROVED_MIN = 75.0
NEEDS_REVIEW_MIN = 60.0
#: At save time a certificate is at most this many seconds old and this many in the future (DOMAIN §10).
CERTIFICATE_MAX_AGE_SECONDS = 300
CERTIFICATE_MAX_FUTURE_SECONDS = 30
#: Learning confidences the score counts (DOMAIN §9 "learnings followed"); LOW ones are notes, not rules.
SCORED_LEARNING_CONFIDENCES: frozenset[str] = frozenset({"HIGH", "MEDIUM"})


def status_for(score: float, hard_gate_violations: int) -> ValidationStatus:
    """REJECTED means a hard gate is broken, whatever the score; a valid week is approved from 75 up,
    and below that a person reviews it (REJECTED must never name a week that breaks no rule)."""
    if hard_gate_violations:
        return ValidationStatus.REJECTED
    if score >= APPROVED_MIN:
        return ValidationStatus.APPROVED
    return ValidationStatus.NEEDS_REVIEW


def generator_should_retry(score: float, hard_gate_violations: int) -> bool:
    """DOMAIN §9: a week that breaks a gate, or scores below 60, goes back to the generator."""
    return hard_gate_violations > 0 or score < NEEDS_REVIEW_MIN


def wants_recommendations(score: float) -> bool:
    """Approved schedules between 75 and 84 are saved with recommendations."""
    return score < APPROVED_CLEAN_MIN
