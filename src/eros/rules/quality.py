"""Quality score bands and validation status (DOMAIN §9)."""

from __future__ import annotations

from eros.models import ValidationStatus

MAX_SCORE = 100.0
#: 85–100 approved; 75–84 approved with recommendations; 60–74 needs review; below 60 rejected.
APPROVED_CLEAN_MIN = 85.0
APPROVED_MIN = 75.0
NEEDS_REVIEW_MIN = 60.0
#: At save time a certificate is at most this many seconds old and this many in the future (DOMAIN §10).
CERTIFICATE_MAX_AGE_SECONDS = 300
CERTIFICATE_MAX_FUTURE_SECONDS = 30


def status_for(score: float, hard_gate_violations: int) -> ValidationStatus:
    """Any hard-gate violation rejects whatever the score; otherwise the score's band decides."""
    if hard_gate_violations:
        return ValidationStatus.REJECTED
    if score >= APPROVED_MIN:
        return ValidationStatus.APPROVED
    if score >= NEEDS_REVIEW_MIN:
        return ValidationStatus.NEEDS_REVIEW
    return ValidationStatus.REJECTED


def wants_recommendations(score: float) -> bool:
    """Approved schedules between 75 and 84 are saved with recommendations."""
    return score < APPROVED_CLEAN_MIN
