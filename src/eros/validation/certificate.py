"""Canonical hashes, the signed ValidationCertificate and the keys that verify it (DOMAIN §10,
ARCHITECTURE D6, D11).

One hash function for every certificate field; `save_schedule` and the validator both use it.
The schedule hash covers the week and every field of every item in the list's own order, so a
follow-up's `parent_item_index` names a signed position: a shuffled list is another schedule
(docs/DECISIONS.md, "The certificate signs the list as it is stored").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from eros.clock import parse_instant
from eros.errors import InvalidInput
from eros.models import ScheduleItem, ValidationCertificate, ValidationStatus
from eros.rules.limits import MAX_CERTIFICATE_CHARS, MAX_RECOMMENDATION_CHARS, MAX_RECOMMENDATIONS
from eros.rules.quality import CERTIFICATE_MAX_AGE_SECONDS, CERTIFICATE_MAX_FUTURE_SECONDS

CERTIFICATE_VERSION = "3.0"
HASH_PREFIX = "sha256:"
#: Hex digits of the short hashes (DOMAIN §10) that are stored and shown.
SHORT_HASH_DIGITS = 16
#: How long a replaced key still verifies: a certificate it signed just before the rotation stays
#: fresh for at most this long (300 s old + 30 s in the future).
KEY_GRACE = timedelta(seconds=CERTIFICATE_MAX_AGE_SECONDS + CERTIFICATE_MAX_FUTURE_SECONDS)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
#: pydantic's error types for a value past its size bound (a string, a list).
SIZE_ERRORS = frozenset({"string_too_long", "too_long"})


class PayloadTooLarge(InvalidInput):
    """A save past a size limit of eros.rules.limits; nothing is written."""

    code = "PAYLOAD_TOO_LARGE"


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 kept: the same bytes for the same content on every machine."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def short_hash(text: str) -> str:
    return HASH_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:SHORT_HASH_DIGITS]


def _item_dict(item: ScheduleItem | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(item, ScheduleItem):
        return item.canonical()
    return ScheduleItem.model_validate(item).canonical()


def schedule_hash(items: Sequence[ScheduleItem | Mapping[str, Any]], week_start: date) -> str:
    """The week and every field of every item, in list order, as canonical JSON: all 64 hex digits,
    so finding two schedules with one hash costs 2^128 work, not the 2^32 of a 16-digit prefix."""
    document = {"week_start": week_start.isoformat(), "items": [_item_dict(item) for item in items]}
    return HASH_PREFIX + hashlib.sha256(canonical_json(document).encode()).hexdigest()


def stored_hash(digest: str) -> str:
    """The short form of a schedule hash that the schedule tables keep and the tools show."""
    return digest[: len(HASH_PREFIX) + SHORT_HASH_DIGITS]


def names_hash(names: Iterable[str]) -> str:
    """Vault and AVOID sets: names sorted and joined by `|` (the empty set hashes the empty string)."""
    return short_hash("|".join(sorted(set(names))))


def key_fingerprint(key: bytes) -> str:
    """What may be printed about a key: enough to tell two keys apart, nothing to sign with."""
    return short_hash("eros-signing-key:" + hashlib.sha256(key).hexdigest())


def bounded_recommendations(recommendations: Sequence[str]) -> list[str]:
    """The recommendations a certificate carries, cut to the limits `save_schedule` accepts."""
    cut = []
    for text in recommendations[:MAX_RECOMMENDATIONS]:
        clean = _CONTROL_CHARACTERS.sub(" ", text)
        if len(clean) > MAX_RECOMMENDATION_CHARS:
            clean = clean[: MAX_RECOMMENDATION_CHARS - 1] + "…"
        cut.append(clean)
    return cut


def _signing_payload(cert: ValidationCertificate) -> str:
    return canonical_json(cert.model_dump(mode="json", exclude={"certificate_signature"}))


def sign(cert: ValidationCertificate, key: bytes) -> ValidationCertificate:
    signature = hmac.new(key, _signing_payload(cert).encode(), hashlib.sha256).hexdigest()
    return cert.model_copy(update={"certificate_signature": signature})


def signature_valid(cert: ValidationCertificate, keys: Sequence[bytes]) -> bool:
    """Signed under one of `keys` (the current key, and a replaced one during its grace period)."""
    payload = _signing_payload(cert).encode()
    return any(
        hmac.compare_digest(hmac.new(key, payload, hashlib.sha256).hexdigest(), cert.certificate_signature)
        for key in keys
    )


def read_certificate(raw: Any) -> ValidationCertificate:
    """A certificate exactly as DOMAIN §10 defines it, or a coded error: PAYLOAD_TOO_LARGE past
    MAX_CERTIFICATE_CHARS or a field's bound, else VALIDATION_ERROR naming every unknown, missing
    or mistyped field."""
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"validation_certificate must be an object, got {type(raw).__name__}")
    try:
        size = len(canonical_json(raw))
    except (TypeError, ValueError, RecursionError):
        raise InvalidInput("validation_certificate is not plain JSON") from None
    if size > MAX_CERTIFICATE_CHARS:
        raise PayloadTooLarge(
            f"validation_certificate is {size} characters of JSON; at most {MAX_CERTIFICATE_CHARS}",
            details={"limit": MAX_CERTIFICATE_CHARS, "size": size},
        )
    try:
        return ValidationCertificate.model_validate(dict(raw))
    except ValidationError as exc:
        errors = exc.errors()
        problems = [
            f"validation_certificate.{'.'.join(str(part) for part in err['loc'])}: {err['msg']}"
            for err in errors
        ]
        error = PayloadTooLarge if any(err["type"] in SIZE_ERRORS for err in errors) else InvalidInput
        raise error(
            f"the certificate is malformed: {'; '.join(problems[:10])}",
            details={"validation_errors": problems},
        ) from None


def freshness_problem(cert: ValidationCertificate, now: datetime) -> str | None:
    """None when at most 300 s old and at most 30 s in the future; else why not."""
    try:
        issued = parse_instant(cert.validation_timestamp)
    except ValueError:
        return f"certificate timestamp {cert.validation_timestamp!r} is not ISO-8601"
    age = (now - issued).total_seconds()
    if age < -CERTIFICATE_MAX_FUTURE_SECONDS:
        return f"certificate timestamp is {-age:.0f}s in the future"
    if age > CERTIFICATE_MAX_AGE_SECONDS:
        return f"certificate expired (age {age:.0f}s > {CERTIFICATE_MAX_AGE_SECONDS}s)"
    return None


@dataclass(frozen=True, slots=True)
class RetiredKey:
    """A replaced key and the instant it stops verifying."""

    key: bytes
    until: datetime


@dataclass(frozen=True, slots=True)
class KeyRing:
    """The key that signs, and replaced keys that still verify during their grace period."""

    current: bytes
    retired: tuple[RetiredKey, ...] = ()

    def verifying(self, now: datetime) -> tuple[bytes, ...]:
        """The keys a certificate may be signed under at `now`."""
        return (self.current, *(old.key for old in self.retired if now <= old.until))

    def rotated(self, new_key: bytes, now: datetime) -> KeyRing:
        """`new_key` signs from `now`; the current key verifies for KEY_GRACE more; expired ones go."""
        kept = tuple(old for old in self.retired if now <= old.until)
        return KeyRing(new_key, (RetiredKey(self.current, now + KEY_GRACE), *kept))


@dataclass(frozen=True, slots=True)
class CertificateCheck:
    """`approved`: may be saved as approved. `authentic`: signed under a verifying key for exactly
    these items and this creator, so its score is the server's own for what is stored."""

    approved: bool
    reasons: tuple[str, ...]
    authentic: bool = False


def verify(
    cert: ValidationCertificate | None,
    items: Sequence[ScheduleItem | Mapping[str, Any]],
    week_start: date,
    creator_id: str,
    vault_types: Iterable[str],
    avoid_types: Iterable[str],
    keys: Sequence[bytes],
    now: datetime,
) -> CertificateCheck:
    """May this schedule be saved as approved? Every reason it may not is returned."""
    if cert is None:
        return CertificateCheck(False, ("no validation certificate",))
    bound: list[str] = []
    if not signature_valid(cert, keys):
        bound.append("certificate signature does not verify under this installation's key")
    if cert.creator_id != creator_id:
        bound.append(f"certificate is for creator {cert.creator_id!r}, not {creator_id!r}")
    if cert.schedule_hash != schedule_hash(items, week_start):
        bound.append("certificate schedule_hash does not match these items")
    if cert.items_validated != len(items):
        bound.append(f"certificate validated {cert.items_validated} items, not {len(items)}")
    reasons = list(bound)
    if cert.validation_status is not ValidationStatus.APPROVED:
        reasons.append(f"certificate status is {cert.validation_status.value}, not APPROVED")
    stale = freshness_problem(cert, now)
    if stale:
        reasons.append(stale)
    if cert.vault_types_hash != names_hash(vault_types):
        reasons.append("certificate vault_types_hash does not match the creator's current vault")
    if cert.avoid_types_hash != names_hash(avoid_types):
        reasons.append("certificate avoid_types_hash does not match the creator's current AVOID types")
    return CertificateCheck(not reasons, tuple(reasons), authentic=not bound)
