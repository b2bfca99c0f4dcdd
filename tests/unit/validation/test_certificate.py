"""Certificates cannot be forged: any change to items, status, time, key, creator or data fails verify."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eros.clock import iso_z, parse_instant
from eros.models import ValidationCertificate, ValidationStatus
from eros.validation.certificate import names_hash, schedule_hash, sign, verify

KEY = b"unit-key"
NOW = parse_instant("2026-01-04T12:00:00Z")


@pytest.fixture
def signed(week):
    items = week.items()
    facts = week.facts()
    cert = sign(
        ValidationCertificate(
            creator_id="c1",
            validation_timestamp=iso_z(NOW),
            schedule_hash=schedule_hash(items),
            vault_types_hash=names_hash(facts.vault_types),
            avoid_types_hash=names_hash(facts.avoid_types),
            items_validated=len(items),
            quality_score=88.0,
            validation_status=ValidationStatus.APPROVED,
            checks_performed={"vault_compliance": True},
            violations_found={"critical": 0},
        ),
        KEY,
    )
    return items, facts, cert


def _verify(cert, items, facts, key=KEY, now=NOW, creator="c1"):
    return verify(
        cert.model_dump(mode="json"), items, creator, facts.vault_types, facts.avoid_types, key, now
    )


def test_a_genuine_certificate_verifies(signed):
    items, facts, cert = signed
    assert _verify(cert, items, facts).approved
    assert _verify(cert, list(reversed(items)), facts).approved  # order does not matter


def test_one_changed_item_field_fails(signed):
    items, facts, cert = signed
    changed = list(items)
    changed[4] = items[4].model_copy(update={"scheduled_time": "14:12"})
    check = _verify(cert, changed, facts)
    assert not check.approved and any("schedule_hash" in r for r in check.reasons)


def test_editing_the_certificate_breaks_its_signature(signed):
    items, facts, cert = signed
    for change in (
        {"quality_score": 99.0},
        {"validation_status": ValidationStatus.APPROVED, "items_validated": 1},
    ):
        forged = cert.model_copy(update=change)
        assert not _verify(forged, items, facts).approved


def test_wrong_key_stale_and_future_timestamps_fail(signed):
    items, facts, cert = signed
    assert not _verify(cert, items, facts, key=b"other").approved
    assert _verify(cert, items, facts, now=NOW + timedelta(seconds=300)).approved
    assert not _verify(cert, items, facts, now=NOW + timedelta(seconds=301)).approved
    assert _verify(cert, items, facts, now=NOW - timedelta(seconds=30)).approved
    assert not _verify(cert, items, facts, now=NOW - timedelta(seconds=31)).approved


def test_other_creator_or_changed_vault_fails(signed):
    items, facts, cert = signed
    assert not _verify(cert, items, facts, creator="c2").approved
    moved = facts.with_content(facts.vault_types | {"new"}, facts.avoid_types)
    assert not _verify(cert, items, moved).approved
    assert not _verify(cert, items, facts.with_content(facts.vault_types, {"feet", "solo"})).approved


def test_a_needs_review_certificate_never_approves(signed):
    items, facts, cert = signed
    review = sign(cert.model_copy(update={"validation_status": ValidationStatus.NEEDS_REVIEW}), KEY)
    check = _verify(review, items, facts)
    assert not check.approved and any("NEEDS_REVIEW" in r for r in check.reasons)
