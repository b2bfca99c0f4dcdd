"""Sign what you store (ARCHITECTURE D11) on a week the real pipeline generated and signed.

Issue 11's holes, each pinned: a shuffled list, a changed caption or revenue, unknown fields on
items or certificates, a string or forged score, caller-supplied summaries, oversized fields; and
a property test that mutates any part of the signed save and never gets it stored as approved.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from tests.integration.tools.conftest import SIGNING_KEY, ApprovedWeek

from eros.db.schedules_repo import SIGNED_COLUMNS, summary_counts
from eros.db.schema import GENERATOR_CHARS, schedules
from eros.errors import ErosError, ToolCallError
from eros.models import ScheduleItem, ValidationCertificate, ValidationStatus
from eros.rules.limits import MAX_CAPTION_CHARS, MAX_ITEM_CHARS, MAX_ITEMS, MAX_KEY_CHARS
from eros.tools import ToolEnv
from eros.tools.schedules import save_schedule
from eros.validation.certificate import KeyRing, canonical_json, sign
from support import reading


def save(week: ApprovedWeek, arguments: dict[str, Any]) -> dict[str, Any]:
    """save_schedule through the MCP server, as an agent calls it."""
    return asyncio.run(week.client.call_tool("save_schedule", arguments))


def stored(env: ToolEnv, schedule_id: int) -> dict[str, Any]:
    with reading(env) as conn:
        row = conn.execute(select(schedules).where(schedules.c.schedule_id == schedule_id)).mappings().one()
    return dict(row)


def canonical(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [ScheduleItem.model_validate(item).canonical() for item in items]


def test_the_genuine_week_is_stored_exactly_as_signed(approved_week: ApprovedWeek) -> None:
    saved = save(approved_week, approved_week.arguments())
    assert saved["status"] == "approved" and saved["certificate_verified"]
    row = stored(approved_week.env, saved["schedule_id"])
    assert json.loads(row["items_json"]) == canonical(approved_week.items)
    assert row["quality_score"] == approved_week.certificate["quality_score"]
    revenue = sum(item["expected_revenue"] or 0 for item in approved_week.items)
    assert row["expected_revenue"] == pytest.approx(round(revenue, 2))
    counts = summary_counts(approved_week.items)
    assert (row["total_items"], row["total_ppvs"], row["total_bumps"]) == (
        counts["total_items"],
        counts["total_ppvs"],
        counts["total_bumps"],
    )


def test_a_shuffled_list_is_not_approved(approved_week: ApprovedWeek) -> None:
    """The issue's first hole: follow-ups point at positions, so a shuffle gives them other parents."""
    arguments = approved_week.arguments()
    arguments["items"] = list(reversed(arguments["items"]))
    saved = save(approved_week, arguments)
    assert saved["status"] == "draft" and not saved["certificate_verified"]
    assert any("schedule_hash" in warning for warning in saved["warnings"])


def test_swapping_two_parents_is_not_approved(approved_week: ApprovedWeek) -> None:
    """Even a swap that keeps every follow-up's own fields: its parent index now names another send."""
    arguments = approved_week.arguments()
    items = arguments["items"]
    parents = sorted({item["parent_item_index"] for item in items if item["parent_item_index"] is not None})
    first, second = parents[:2]
    items[first], items[second] = items[second], items[first]
    assert save(approved_week, arguments)["status"] == "draft"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("caption_text", "Limited offer: http://scam.example/pay"),
        ("expected_revenue", 99_999.0),
        ("price", 49.0),
        ("caption_id", 1),
        ("scheduled_time", "03:03"),
        ("channel_key", "wall_post"),
        ("target_key", "everyone"),
        ("content_type", "solo"),
        ("flyer_required", 0),
        ("is_follow_up", True),
        ("parent_item_index", 0),
        ("delay_minutes", 44),
    ],
)
def test_changing_any_field_of_any_item_is_not_approved(
    approved_week: ApprovedWeek, field: str, value: Any
) -> None:
    arguments = approved_week.arguments()
    index = next(i for i, item in enumerate(arguments["items"]) if item.get(field) != value and i > 0)
    arguments["items"][index][field] = value
    saved = save(approved_week, arguments)
    assert saved["status"] == "draft"
    row = stored(approved_week.env, saved["schedule_id"])
    assert (
        row["quality_score"] is None and row["expected_revenue"] is None and row["certificate_json"] is None
    )


def test_every_caption_a_scam_and_every_revenue_99999_is_a_draft_without_a_total(
    approved_week: ApprovedWeek,
) -> None:
    arguments = approved_week.arguments()
    for item in arguments["items"]:
        item["caption_text"] = "http://scam.example"
        item["expected_revenue"] = 99_999.0
    saved = save(approved_week, arguments)
    row = stored(approved_week.env, saved["schedule_id"])
    assert saved["status"] == "draft" and row["expected_revenue"] is None


@pytest.mark.parametrize("where", ["item", "certificate"])
def test_unknown_fields_are_refused_and_nothing_is_written(approved_week: ApprovedWeek, where: str) -> None:
    arguments = approved_week.arguments()
    target = arguments["items"][3] if where == "item" else arguments["validation_certificate"]
    target["note"] = "x" * 1000
    before = stored_revision(approved_week)
    with pytest.raises(ToolCallError) as caught:
        save(approved_week, arguments)
    assert caught.value.code == "VALIDATION_ERROR"
    assert any("note" in problem for problem in caught.value.details["validation_errors"])
    assert stored_revision(approved_week) == before


def stored_revision(week: ApprovedWeek) -> int | None:
    with reading(week.env) as conn:
        return conn.execute(select(schedules.c.revision)).scalar()


@pytest.mark.parametrize("score", ["91", "ninety", None, True])
def test_a_score_that_is_not_a_number_is_refused_not_stored_as_null(
    approved_week: ApprovedWeek, score: Any
) -> None:
    arguments = approved_week.arguments()
    arguments["validation_certificate"]["quality_score"] = score
    with pytest.raises(ToolCallError) as caught:
        save(approved_week, arguments)
    assert caught.value.code == "VALIDATION_ERROR"


def test_a_forged_score_is_not_stored(approved_week: ApprovedWeek) -> None:
    arguments = approved_week.arguments()
    arguments["validation_certificate"]["quality_score"] = 100.0
    saved = save(approved_week, arguments)
    row = stored(approved_week.env, saved["schedule_id"])
    assert saved["status"] == "draft" and row["quality_score"] is None and row["certificate_json"] is None


def test_a_signed_needs_review_certificate_keeps_its_score_on_the_draft(approved_week: ApprovedWeek) -> None:
    """Not approvable, but the server's own judgement of exactly these items: its score stays."""
    cert = ValidationCertificate.model_validate(approved_week.certificate)
    review = sign(
        cert.model_copy(update={"validation_status": ValidationStatus.NEEDS_REVIEW, "quality_score": 70.0}),
        SIGNING_KEY,
    )
    saved = save(
        approved_week, approved_week.arguments(validation_certificate=review.model_dump(mode="json"))
    )
    row = stored(approved_week.env, saved["schedule_id"])
    assert saved["status"] == "draft" and row["quality_score"] == 70.0 and row["expected_revenue"] is not None


def test_summary_fields_from_the_caller_are_not_stored(approved_week: ApprovedWeek) -> None:
    """save_schedule takes no summary: extra arguments are refused or ignored, never stored."""
    arguments = approved_week.arguments(total_items=1, expected_revenue=13_900_000.0, quality_score=100.0)
    try:
        saved = save(approved_week, arguments)
    except ToolCallError:
        return
    row = stored(approved_week.env, saved["schedule_id"])
    assert row["total_items"] == len(approved_week.items)
    assert (
        row["expected_revenue"] < 100_000
        and row["quality_score"] == approved_week.certificate["quality_score"]
    )


def test_the_same_items_for_another_week_are_not_approved(approved_week: ApprovedWeek) -> None:
    arguments = approved_week.arguments(week_start="2026-01-04")
    arguments["items"] = [i for i in arguments["items"] if i["scheduled_date"] != "2026-01-11"]
    saved = save(approved_week, arguments)
    assert saved["status"] == "draft"


# --- size limits: at the limit and one over ---------------------------------------------------


def one_item(**fields: Any) -> dict[str, Any]:
    return {
        "send_type_key": "bump_normal",
        "scheduled_date": "2026-01-05",
        "scheduled_time": "14:22",
        **fields,
    }


def refused_code(env: ToolEnv, items: list[Any], **arguments: Any) -> str | None:
    """The error code a save of `items` is refused with, or None when it is saved."""
    try:
        save_schedule(env, "alexia", "2026-01-05", items, **arguments)
    except ErosError as exc:
        return exc.code
    return None


@pytest.mark.parametrize(
    ("field", "limit"),
    [("caption_text", MAX_CAPTION_CHARS), ("target_key", MAX_KEY_CHARS), ("content_type", MAX_KEY_CHARS)],
)
def test_string_fields_at_their_limit_are_read_and_one_over_is_payload_too_large(
    write_env: ToolEnv, field: str, limit: int
) -> None:
    value = "a" * limit
    at_limit = refused_code(write_env, [one_item(**{field: value})])
    assert at_limit in (None, "VALIDATION_ERROR") and at_limit != "PAYLOAD_TOO_LARGE"
    assert refused_code(write_env, [one_item(**{field: value + "a"})]) == "PAYLOAD_TOO_LARGE"


def test_an_item_at_the_json_limit_is_read_and_one_over_is_payload_too_large(write_env: ToolEnv) -> None:
    """Measured before reading: a caption of backslashes (two JSON characters each) reaches it."""

    def item_of(size: int) -> dict[str, Any]:
        base = one_item(caption_text="")
        room = size - len(canonical_json(base))
        item = one_item(caption_text="\\" * (room // 2) + "a" * (room % 2))
        assert len(canonical_json(item)) == size
        return item

    assert refused_code(write_env, [item_of(MAX_ITEM_CHARS)]) is None
    assert refused_code(write_env, [item_of(MAX_ITEM_CHARS + 1)]) == "PAYLOAD_TOO_LARGE"


def test_items_per_save_at_the_limit_and_one_over(write_env: ToolEnv) -> None:
    assert refused_code(write_env, [one_item()] * MAX_ITEMS) is None
    assert refused_code(write_env, [one_item()] * (MAX_ITEMS + 1)) == "PAYLOAD_TOO_LARGE"


def test_a_fifty_megabyte_field_is_refused_before_it_is_read(write_env: ToolEnv) -> None:
    assert refused_code(write_env, [one_item(caption_text="x" * 50_000_000)]) == "PAYLOAD_TOO_LARGE"
    with reading(write_env) as conn:
        assert conn.execute(select(schedules.c.schedule_id)).first() is None


def test_the_generator_label_at_its_limit_and_one_over(write_env: ToolEnv) -> None:
    assert refused_code(write_env, [one_item()], generator="g" * GENERATOR_CHARS) is None
    assert refused_code(write_env, [one_item()], generator="g" * (GENERATOR_CHARS + 1)) == "PAYLOAD_TOO_LARGE"


# --- rotation: the replaced key verifies for its grace period ---------------------------------


def test_after_rotation_the_old_keys_certificate_saves_approved_and_the_new_keys_too(
    approved_week: ApprovedWeek,
) -> None:
    env = approved_week.env
    ring = KeyRing(SIGNING_KEY).rotated(b"the-new-key", env.now())
    rotated = ToolEnv(env.uow, env.clock, ring.current, verifying=ring.verifying)
    old = approved_week.arguments()
    assert save_schedule(rotated, **old).status == "approved"
    cert = ValidationCertificate.model_validate(approved_week.certificate)
    new = approved_week.arguments(validation_certificate=sign(cert, ring.current).model_dump(mode="json"))
    assert save_schedule(rotated, **new).status == "approved"
    forgotten = ToolEnv(env.uow, env.clock, ring.current)  # a ring without the replaced key
    assert save_schedule(forgotten, **approved_week.arguments()).status == "draft"


# --- the property: no mutation of a signed save is stored as approved -------------------------

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
ITEM_FIELDS = sorted(ScheduleItem.model_fields)
CERT_FIELDS = sorted(ValidationCertificate.model_fields)
#: Values of the right type for each item field, so most changes are read and reach the certificate.
TYPED = {
    "str": st.text(min_size=1, max_size=20),
    "int": st.integers(min_value=-5, max_value=500),
    "float": st.floats(min_value=0, max_value=100_000, allow_nan=False),
    "bool": st.booleans(),
}
FIELD_TYPES = {
    name: next(kind for kind in ("bool", "int", "float", "str") if kind in str(field.annotation))
    for name, field in ScheduleItem.model_fields.items()
}
#: Values a certificate field could plausibly hold: statuses, scores, counts, hashes, timestamps.
CERT_VALUES = st.one_of(
    st.sampled_from([status.value for status in ValidationStatus]),
    st.floats(min_value=0, max_value=100, allow_nan=False),
    st.integers(min_value=0, max_value=500),
    st.from_regex(r"\Asha256:[0-9a-f]{16}\Z"),
    st.sampled_from(["2026-01-04T12:00:00Z", "2026-01-04T11:56:00Z", "2026-01-04T12:00:20Z"]),
    st.dictionaries(st.sampled_from(["critical", "vault_compliance"]), st.integers(0, 3)),
)
KINDS = ("order", "item_field", "item_extra", "drop", "repeat", "cert_field", "cert_extra", "week", "summary")


def mutate(draw: st.DrawFn, kind: str, week: ApprovedWeek) -> dict[str, Any]:
    """One change of `kind` to the signed save's arguments: the order, an item field, an added field,
    an item dropped or repeated, a certificate field, the week, or a summary argument."""
    arguments = week.arguments()
    items = arguments["items"]
    cert = arguments["validation_certificate"]
    index = draw(st.integers(0, len(items) - 1))
    if kind == "order":
        other = draw(st.integers(0, len(items) - 2))
        other += other >= index
        items[index], items[other] = items[other], items[index]
        if draw(st.booleans()):
            draw(st.randoms(use_true_random=False)).shuffle(items)
    elif kind == "item_field":
        field = draw(st.sampled_from(ITEM_FIELDS))
        seen = sorted({json.dumps(item.get(field)) for item in items})
        real = st.sampled_from(seen).map(json.loads)  # another item's value: read, then verified
        items[index][field] = draw(real | TYPED[FIELD_TYPES[field]] | JSON_VALUES)
    elif kind == "item_extra":
        items[index][draw(st.text(min_size=1, max_size=12).filter(lambda k: k not in ITEM_FIELDS))] = draw(
            JSON_VALUES
        )
    elif kind == "drop":
        del items[index]
    elif kind == "repeat":
        items.insert(draw(st.integers(0, len(items))), dict(items[index]))
    elif kind == "cert_field":
        cert[draw(st.sampled_from(CERT_FIELDS))] = draw(CERT_VALUES | JSON_VALUES)
    elif kind == "cert_extra":
        cert[draw(st.text(min_size=1, max_size=12).filter(lambda k: k not in CERT_FIELDS))] = draw(
            JSON_VALUES
        )
    elif kind == "week":
        arguments["week_start"] = draw(
            st.sampled_from(["2026-01-04", "2026-01-06", "2026-01-12", "2025-12-29"])
        )
    else:
        summary = draw(
            st.sampled_from(["total_items", "total_ppvs", "expected_revenue", "quality_score", "status"])
        )
        arguments[summary] = draw(JSON_VALUES)
    return arguments


@pytest.fixture(scope="module")
def signed_baseline(approved_week: ApprovedWeek) -> dict[str, Any]:
    """What the genuine save stores; a mutation may only be approved if it stores exactly this."""
    saved = save(approved_week, approved_week.arguments())
    row = stored(approved_week.env, saved["schedule_id"])
    return {key: row[key] for key in SIGNED_COLUMNS}


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_mutation_of_a_signed_save_is_stored_as_approved(
    approved_week: ApprovedWeek, signed_baseline: dict[str, Any], kind: str, data: st.DataObject
) -> None:
    """Whatever changes, the save is refused, a draft, or approved storing exactly what was signed."""
    arguments = mutate(data.draw, kind, approved_week)
    try:
        saved = save(approved_week, arguments)
    except ToolCallError as refused:
        assert refused.code not in {"INTERNAL_ERROR", "DATABASE_ERROR"}, refused
        event(f"refused {refused.code}")
        return
    event(saved["status"])
    if saved["status"] != "approved":
        return
    row = stored(approved_week.env, saved["schedule_id"])
    assert {key: row[key] for key in SIGNED_COLUMNS} == signed_baseline
