"""Canonical hashes and the signed ValidationCertificate (DOMAIN §10, ARCHITECTURE D6).

One hash function for every certificate field; `save_schedule` and the validator both use it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eros.clock import parse_instant
from eros.models import ScheduleItem, ValidationCertificate, ValidationStatus
from eros.rules.quality import CERTIFICATE_MAX_AGE_SECONDS, CERTIFICATE_MAX_FUTURE_SECONDS

CERTIFICATE_VERSION = "3.0"
HASH_PREFIX = "sha256:"


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 kept: the same bytes for the same content on every machine."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def short_hash(text: str) -> str:
    return HASH_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:16]


def _item_dict(item: ScheduleItem | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(item, ScheduleItem):
        return item.canonical()
    return ScheduleItem.model_validate(item).canonical()


def schedule_hash(items: Sequence[ScheduleItem | Mapping[str, Any]]) -> str:
    """Items sorted by (date, time, send type) as canonical JSON; list order does not matter."""
    rows = [_item_dict(item) for item in items]
    rows.sort(key=lambda r: (r["scheduled_date"], r["scheduled_time"], r["send_type_key"], canonical_json(r)))
    return short_hash(canonical_json(rows))


def names_hash(names: Iterable[str]) -> str:
    """Vault and AVOID sets: names sorted and joined by `|` (the empty set hashes the empty string)."""
    return short_hash("|".join(sorted(set(names))))


def _signing_payload(cert: ValidationCertificate) -> str:
    return canonical_json(cert.model_dump(mode="json", exclude={"certificate_signature"}))


def sign(cert: ValidationCertificate, key: bytes) -> ValidationCertificate:
    signature = hmac.new(key, _signing_payload(cert).encode(), hashlib.sha256).hexdigest()
    return cert.model_copy(update={"certificate_signature": signature})


def signature_valid(cert: ValidationCertificate, key: bytes) -> bool:
    expected = hmac.new(key, _signing_payload(cert).encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, cert.certificate_signature)


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
class CertificateCheck:
    approved: bool
    reasons: tuple[str, ...]


def verify(
    certificate: Mapping[str, Any] | None,
    items: Sequence[ScheduleItem | Mapping[str, Any]],
    creator_id: str,
    vault_types: Iterable[str],
    avoid_types: Iterable[str],
    key: bytes,
    now: datetime,
) -> CertificateCheck:
    """May this schedule be saved as approved? Every reason it may not is returned."""
    if certificate is None:
        return CertificateCheck(False, ("no validation certificate",))
    try:
        cert = ValidationCertificate.model_validate(certificate)
    except ValueError as exc:
        return CertificateCheck(False, (f"certificate is malformed: {str(exc).splitlines()[0]}",))
    reasons: list[str] = []
    if not signature_valid(cert, key):
        reasons.append("certificate signature does not verify under this installation's key")
    if cert.validation_status is not ValidationStatus.APPROVED:
        reasons.append(f"certificate status is {cert.validation_status.value}, not APPROVED")
    if cert.creator_id != creator_id:
        reasons.append(f"certificate is for creator {cert.creator_id!r}, not {creator_id!r}")
    stale = freshness_problem(cert, now)
    if stale:
        reasons.append(stale)
    if cert.schedule_hash != schedule_hash(items):
        reasons.append("certificate schedule_hash does not match these items")
    if cert.vault_types_hash != names_hash(vault_types):
        reasons.append("certificate vault_types_hash does not match the creator's current vault")
    if cert.avoid_types_hash != names_hash(avoid_types):
        reasons.append("certificate avoid_types_hash does not match the creator's current AVOID types")
    return CertificateCheck(not reasons, tuple(reasons))
