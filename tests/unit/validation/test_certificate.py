"""Certificates cannot be forged: any change to items, order, week, status, time, key, creator or data
fails verify; what verifies is exactly DOMAIN §10's certificate; replaced keys verify for 330 s only."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from eros.clock import iso_z, parse_instant
from eros.errors import InvalidInput
from eros.models import ScheduleItem, ValidationCertificate, ValidationStatus
from eros.rules.limits import MAX_CERTIFICATE_CHARS, MAX_RECOMMENDATION_CHARS, MAX_RECOMMENDATIONS
from eros.validation.certificate import (
    KEY_GRACE,
    KeyRing,
    bounded_recommendations,
    canonical_json,
    key_fingerprint,
    names_hash,
    read_certificate,
    schedule_hash,
    sign,
    stored_hash,
    verify,
)

KEY = b"unit-key"
NOW = parse_instant("2026-01-04T12:00:00Z")
WEEK = date(2026, 1, 5)


@pytest.fixture
def signed(week):
    items = week.items()
    facts = week.facts()
    cert = sign(
        ValidationCertificate(
            creator_id="c1",
            validation_timestamp=iso_z(NOW),
            schedule_hash=schedule_hash(items, WEEK),
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


def _verify(cert, items, facts, keys=(KEY,), now=NOW, creator="c1", week=WEEK):
    return verify(cert, items, week, creator, facts.vault_types, facts.avoid_types, keys, now)


def test_a_genuine_certificate_verifies(signed):
    items, facts, cert = signed
    check = _verify(cert, items, facts)
    assert check.approved and check.authentic and check.reasons == ()


def test_a_reordered_list_is_another_schedule(signed):
    """Follow-ups name their parent by position: the same items in another order have other parents."""
    items, facts, cert = signed
    for reordered in (list(reversed(items)), [items[1], items[0], *items[2:]]):
        check = _verify(cert, reordered, facts)
        assert not check.approved and not check.authentic
        assert any("schedule_hash" in r for r in check.reasons)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("caption_text", "click http://scam.example"),
        ("expected_revenue", 99_999.0),
        ("price", 19.0),
        ("content_type", "shower"),
        ("channel_key", "wall_post"),
        ("flyer_required", 0),  # item 2 is a PPV with a flyer
        ("caption_id", 4242),
        ("target_key", "non_purchasers"),
        ("scheduled_time", "14:12"),
        ("parent_item_index", 2),
        ("delay_minutes", 29),
        ("is_follow_up", False),
    ],
)
def test_every_item_field_is_signed(signed, field: str, value: Any) -> None:
    items, facts, cert = signed
    index = {"parent_item_index": 1, "delay_minutes": 1, "is_follow_up": 1, "flyer_required": 2}.get(field, 0)
    assert getattr(items[index], field) != value
    check = _verify(cert, _replace(items, index, field, value), facts)
    assert not check.approved and any("schedule_hash" in r for r in check.reasons)


def _replace(items: list[ScheduleItem], index: int, field: str, value: Any) -> list[ScheduleItem]:
    changed = list(items)
    changed[index] = items[index].model_copy(update={field: value})
    return changed


def test_every_model_field_is_in_the_canonical_form() -> None:
    """A field added to ScheduleItem later is hashed unless someone excludes it on purpose."""
    full = ScheduleItem(
        send_type_key="ppv_followup",
        scheduled_date="2026-01-05",
        scheduled_time="12:35",
        channel_key="targeted_message",
        content_type="lingerie",
        caption_id=7,
        caption_text="hi",
        price=10.0,
        flyer_required=1,
        is_follow_up=True,
        parent_item_index=0,
        delay_minutes=28,
        target_key="non_purchasers",
        expected_revenue=1.5,
    )
    assert set(full.canonical()) == set(ScheduleItem.model_fields)


def test_the_hash_binds_the_week_and_has_all_64_digits(signed):
    items, facts, cert = signed
    assert len(cert.schedule_hash) == len("sha256:") + 64
    assert stored_hash(cert.schedule_hash) == cert.schedule_hash[: len("sha256:") + 16]
    assert not _verify(cert, items, facts, week=WEEK - timedelta(days=1)).approved


def test_editing_the_certificate_breaks_its_signature(signed):
    items, facts, cert = signed
    for change in (
        {"quality_score": 99.0},
        {"items_validated": 1},
        {"recommendations": ["all good"]},
        {"upstream_proof_verified": False},
    ):
        forged = cert.model_copy(update=change)
        check = _verify(forged, items, facts)
        assert not check.approved and not check.authentic


def test_a_certificate_for_fewer_items_than_saved_is_not_bound(signed):
    items, facts, cert = signed
    short = sign(cert.model_copy(update={"items_validated": len(items) - 1}), KEY)
    check = _verify(short, items, facts)
    assert not check.authentic and any("validated" in r for r in check.reasons)


def test_wrong_key_stale_and_future_timestamps_fail(signed):
    items, facts, cert = signed
    assert not _verify(cert, items, facts, keys=(b"other",)).approved
    assert _verify(cert, items, facts, now=NOW + timedelta(seconds=300)).approved
    assert not _verify(cert, items, facts, now=NOW + timedelta(seconds=301)).approved
    assert _verify(cert, items, facts, now=NOW - timedelta(seconds=30)).approved
    assert not _verify(cert, items, facts, now=NOW - timedelta(seconds=31)).approved


def test_stale_and_needs_review_certificates_stay_authentic(signed):
    """Not approvable, yet the server's own judgement of these items: its score may be kept."""
    items, facts, cert = signed
    review = sign(cert.model_copy(update={"validation_status": ValidationStatus.NEEDS_REVIEW}), KEY)
    for check in (
        _verify(review, items, facts),
        _verify(cert, items, facts, now=NOW + timedelta(seconds=301)),
    ):
        assert not check.approved and check.authentic


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


# --- reading a certificate: exactly DOMAIN §10, bounded ---------------------------------------


def test_read_certificate_round_trips_a_signed_one(signed):
    _, _, cert = signed
    assert read_certificate(cert.model_dump(mode="json")) == cert


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"quality_score": "91"}, "quality_score"),
        ({"quality_score": True}, "quality_score"),
        ({"items_validated": "140"}, "items_validated"),
        ({"checks_performed": {"vault_compliance": "yes"}}, "checks_performed"),
        ({"note": "unsigned"}, "note"),
        ({"schedule_hash": "md5:abc"}, "schedule_hash"),
        ({"certificate_signature": "Z" * 64}, "certificate_signature"),
        ({"quality_score": float("nan")}, "not plain JSON"),
    ],
)
def test_read_certificate_refuses_anything_but_the_contract(signed, change, problem):
    _, _, cert = signed
    raw = {**cert.model_dump(mode="json"), **change}
    with pytest.raises(InvalidInput) as caught:
        read_certificate(raw)
    assert caught.value.code == "VALIDATION_ERROR"
    assert any(
        problem in line for line in caught.value.details.get("validation_errors", [caught.value.message])
    )


def _padded(cert: ValidationCertificate, size: int) -> dict[str, Any]:
    """The certificate with valid recommendations whose JSON makes it exactly `size` characters:
    control characters are written as six (`\\u0001`), so 40 of 240 can reach the limit."""
    raw = cert.model_dump(mode="json")
    raw["recommendations"] = []
    while True:
        room = size - len(canonical_json(raw)) - (3 if raw["recommendations"] else 2)  # quotes, comma
        if room <= 6 * MAX_RECOMMENDATION_CHARS:
            raw["recommendations"].append("\x01" * (room // 6) + "a" * (room % 6))
            break
        raw["recommendations"].append("\x01" * MAX_RECOMMENDATION_CHARS)
    assert len(canonical_json(raw)) == size and len(raw["recommendations"]) <= MAX_RECOMMENDATIONS
    return raw


def test_the_certificate_size_limit_holds_at_the_limit_and_one_over(signed):
    _, _, cert = signed
    assert len(read_certificate(_padded(cert, MAX_CERTIFICATE_CHARS)).recommendations) > 1
    with pytest.raises(InvalidInput) as over:
        read_certificate(_padded(cert, MAX_CERTIFICATE_CHARS + 1))
    assert over.value.code == "PAYLOAD_TOO_LARGE"


def test_recommendation_limits_at_the_limit_and_one_over(signed):
    _, _, cert = signed
    raw = cert.model_dump(mode="json")
    fits = {**raw, "recommendations": ["r" * MAX_RECOMMENDATION_CHARS] * MAX_RECOMMENDATIONS}
    assert len(read_certificate(fits).recommendations) == MAX_RECOMMENDATIONS
    for over in (
        ["r" * (MAX_RECOMMENDATION_CHARS + 1)],
        ["r"] * (MAX_RECOMMENDATIONS + 1),
    ):
        with pytest.raises(InvalidInput) as caught:
            read_certificate({**raw, "recommendations": over})
        assert caught.value.code == "PAYLOAD_TOO_LARGE"


def test_the_validator_cuts_its_recommendations_to_what_is_accepted(signed):
    _, _, cert = signed
    long = ["line\nbreak " + "y" * 1000] * (MAX_RECOMMENDATIONS + 5)
    cut = bounded_recommendations(long)
    assert len(cut) == MAX_RECOMMENDATIONS and all(len(r) == MAX_RECOMMENDATION_CHARS for r in cut)
    assert "\n" not in cut[0] and cut[0].endswith("…")
    read_certificate({**cert.model_dump(mode="json"), "recommendations": cut})


# --- keys: rotation keeps the replaced key for the freshness window only ----------------------


def test_a_replaced_key_verifies_for_330_seconds_and_then_not():
    assert timedelta(seconds=330) == KEY_GRACE
    ring = KeyRing(b"old").rotated(b"new", NOW)
    assert ring.current == b"new"
    assert ring.verifying(NOW + KEY_GRACE) == (b"new", b"old")
    assert ring.verifying(NOW + KEY_GRACE + timedelta(seconds=1)) == (b"new",)


def test_a_certificate_signed_just_before_rotation_saves_until_it_is_stale(signed):
    items, facts, cert = signed
    ring = KeyRing(KEY).rotated(b"new-key", NOW)
    for age in (0, 300):
        assert _verify(
            cert,
            items,
            facts,
            keys=ring.verifying(NOW + timedelta(seconds=age)),
            now=NOW + timedelta(seconds=age),
        ).approved
    future = sign(cert.model_copy(update={"validation_timestamp": iso_z(NOW + timedelta(seconds=30))}), KEY)
    late = NOW + KEY_GRACE
    assert _verify(future, items, facts, keys=ring.verifying(late), now=late).approved
    after = late + timedelta(seconds=1)
    assert not _verify(future, items, facts, keys=ring.verifying(after), now=after).approved


def test_rotating_twice_keeps_both_replaced_keys_in_their_windows():
    first = KeyRing(b"a").rotated(b"b", NOW)
    second = first.rotated(b"c", NOW + timedelta(seconds=100))
    assert second.verifying(NOW + timedelta(seconds=101)) == (b"c", b"b", b"a")
    assert second.verifying(NOW + timedelta(seconds=331)) == (b"c", b"b")
    third = second.rotated(b"d", NOW + timedelta(seconds=1000))
    assert [old.key for old in third.retired] == [b"c"]


def test_a_fingerprint_tells_keys_apart_and_does_not_contain_them():
    assert key_fingerprint(b"a" * 64) != key_fingerprint(b"b" * 64)
    assert "aaaa" not in key_fingerprint(b"a" * 64)
    assert key_fingerprint(b"k").startswith("sha256:") and len(key_fingerprint(b"k")) == 23
