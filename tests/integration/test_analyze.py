"""eros.db.analyze and eros.db.triggers_repo against real SQLite files."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from eros.clock import iso_z
from eros.db.analyze import analyze_all, analyze_creator, previous_tier
from eros.db.schema import content_type_rankings, creators, mass_messages, tier_history, volume_triggers
from eros.db.triggers_repo import TriggerRepository, TriggerWrite
from eros.errors import CreatorNotFound, InvalidInput
from eros.rules.tiers import Tier

NOW = datetime(2026, 1, 4, 12, tzinfo=UTC)
TODAY = NOW.date()


def _creator(engine: Engine, creator_id: str = "kim", **extra: Any) -> None:
    with engine.begin() as conn:
        conn.execute(
            creators.insert().values(
                creator_id=creator_id,
                page_name=creator_id,
                display_name=creator_id.title(),
                page_type="paid",
                current_fan_count=1000,
                **extra,
            )
        )


def _send(
    creator_id: str,
    days_ago: int,
    content: str | None,
    earnings: float,
    viewed: int = 100,
    purchased: int = 3,
    sent: int = 300,
) -> dict[str, Any]:
    day = TODAY - timedelta(days=days_ago)
    return {
        "creator_id": creator_id,
        "sent_at": f"{day.isoformat()}T20:00:00Z",
        "sent_date": day.isoformat(),
        "sent_hour": 15,
        "send_type_key": "ppv_unlock",
        "content_type": content,
        "price": 15.0,
        "sent_count": sent,
        "viewed_count": viewed,
        "purchased_count": purchased,
        "earnings": earnings,
    }


def _history(engine: Engine, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        conn.execute(mass_messages.insert(), rows)


def _record_tier(engine: Engine, creator_id: str, tier: str, days_ago: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            tier_history.insert().values(
                creator_id=creator_id,
                tier=tier,
                mm_revenue=0.0,
                source="test",
                recorded_at=iso_z(NOW - timedelta(days=days_ago)),
            )
        )


def test_rankings_tier_and_triggers_from_crafted_history(empty_db: Engine) -> None:
    _creator(empty_db)
    rows = []
    for d in range(2, 60, 6):  # 10 sends each, spread over two months
        rows.append(_send("kim", d, "lingerie", 300.0, purchased=7))  # converts 7 %: HIGH_PERFORMER
        rows.append(_send("kim", d + 1, "feet", 140.0))
        rows.append(_send("kim", d + 2, "solo", 20.0))
    rows.append(_send("kim", 200, "gfe", 10_000.0))  # older than 90 days: ignored
    _history(empty_db, rows)

    with empty_db.begin() as conn:
        result = analyze_creator(conn, "kim", NOW)
    with empty_db.connect() as conn:
        ranked = dict(
            conn.execute(
                select(content_type_rankings.c.content_type, content_type_rankings.c.performance_tier).where(
                    content_type_rankings.c.analysis_date == TODAY.isoformat()
                )
            ).all()
        )
        history = conn.execute(select(tier_history.c.tier, tier_history.c.source)).all()
        triggers = conn.execute(
            select(
                volume_triggers.c.content_type, volume_triggers.c.trigger_type, volume_triggers.c.metrics_json
            )
        ).all()
        stored = conn.execute(select(creators.c.previous_tier)).scalar_one()

    assert ranked == {"lingerie": "TOP", "feet": "MID", "solo": "AVOID"}
    assert result.top_types == ("lingerie",)
    assert result.avoid_types == ("solo",)
    # 30-day MM revenue: sends on days 2..29 → lingerie 5, feet 5, solo 5 sends (days 2,8,14,20,26 and +1/+2)
    assert result.mm_revenue.amount == pytest.approx(5 * 300 + 5 * 140 + 5 * 20)
    assert result.tier is Tier.STANDARD
    assert history == [("STANDARD", "mass_messages_30d")]
    assert stored == "STANDARD"
    assert [(ct, tt) for ct, tt, _ in triggers] == [("lingerie", "HIGH_PERFORMER")]
    assert json.loads(triggers[0][2])["conversion"] == pytest.approx(0.07)


def test_analysis_is_idempotent_for_the_same_moment(empty_db: Engine) -> None:
    _creator(empty_db)
    _history(empty_db, [_send("kim", d, "lingerie", 50.0) for d in range(1, 20, 2)])
    with empty_db.begin() as conn:
        analyze_creator(conn, "kim", NOW)
        analyze_creator(conn, "kim", NOW)
    with empty_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(content_type_rankings)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(tier_history)).scalar_one() == 1


@pytest.mark.parametrize(("revenue", "expected"), [(680.0, Tier.STANDARD), (679.0, Tier.LITE)])
def test_tier_hysteresis_uses_the_last_recorded_tier(
    empty_db: Engine, revenue: float, expected: Tier
) -> None:
    _creator(empty_db)
    _record_tier(empty_db, "kim", "STANDARD", days_ago=30)
    _history(empty_db, [_send("kim", d, None, revenue / 4) for d in (1, 5, 9, 13)])
    with empty_db.begin() as conn:
        assert previous_tier(conn, "kim", NOW) is Tier.STANDARD
        assert analyze_creator(conn, "kim", NOW).tier is expected


def test_previous_tier_falls_back_to_the_creator_row(empty_db: Engine) -> None:
    _creator(empty_db, previous_tier="PREMIUM")
    with empty_db.connect() as conn:
        assert previous_tier(conn, "kim", NOW) is Tier.PREMIUM


def test_without_history_the_tier_comes_from_the_metrics_snapshot(empty_db: Engine) -> None:
    _creator(empty_db, current_message_net=3000.0, current_posts_net=500.0)
    with empty_db.begin() as conn:
        result = analyze_creator(conn, "kim", NOW)
    assert result.mm_revenue.source.value == "creator_metrics"
    assert result.tier is Tier.HIGH_VALUE
    assert result.ranked_types == 0


def test_unknown_creator(empty_db: Engine) -> None:
    with empty_db.begin() as conn, pytest.raises(CreatorNotFound):
        analyze_creator(conn, "nobody", NOW)


def test_upsert_keeps_first_detection_counts_and_never_lowers_confidence(empty_db: Engine) -> None:
    _creator(empty_db)
    first = TriggerWrite("lingerie", "HIGH_PERFORMER", 1.2, confidence="high", reason="a", metrics={"x": 1})
    later = TriggerWrite("lingerie", "HIGH_PERFORMER", 1.25, confidence="low", reason="b")
    with empty_db.begin() as conn:
        created = TriggerRepository(conn).upsert_triggers("kim", [first], NOW)
        updated = TriggerRepository(conn).upsert_triggers("kim", [later], NOW + timedelta(days=2))
    assert updated.updated_ids == created.created_ids
    assert updated.created_ids == ()
    with empty_db.connect() as conn:
        row = conn.execute(select(volume_triggers)).mappings().one()
    assert row["detection_count"] == 2
    assert row["confidence"] == "high"
    assert row["first_detected_at"] == "2026-01-04T12:00:00Z"
    assert row["detected_at"] == "2026-01-06T12:00:00Z"
    assert row["expires_at"] == "2026-01-13T12:00:00Z"  # default time to live: 7 days
    assert row["adjustment_multiplier"] == 1.25
    assert row["metrics_json"] is None


def test_upsert_rejects_the_whole_batch_on_any_bad_trigger(empty_db: Engine) -> None:
    _creator(empty_db)
    good = TriggerWrite("lingerie", "HIGH_PERFORMER", 1.2)
    bad = TriggerWrite("feet", "SUPER", 2.5, confidence="sure")
    with empty_db.begin() as conn, pytest.raises(InvalidInput) as err:
        TriggerRepository(conn).upsert_triggers("kim", [good, bad], NOW)
    assert err.value.code == "VALIDATION_ERROR"
    problems = err.value.details["validation_errors"]
    assert len(problems) == 3
    assert all(p.startswith("trigger[1]:") for p in problems)
    with empty_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(volume_triggers)).scalar_one() == 0


def test_analyze_all_on_the_sample_reproduces_its_tiers(sample_db: Engine) -> None:
    with sample_db.connect() as conn:
        before = dict(conn.execute(select(creators.c.creator_id, creators.c.previous_tier)).all())
    later = NOW + timedelta(hours=1)
    with sample_db.begin() as conn:
        results = analyze_all(conn, later)
    assert len(results) == 37
    assert {r.creator_id: r.tier.value for r in results} == before
    assert date.fromisoformat(results[0].analysis_date) == TODAY
