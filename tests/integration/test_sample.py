"""The sample agency: deterministic, the spread DOMAIN §14 promises, and structure worth learning."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, Table, func, select

from eros.bootstrap import bootstrap, new_database_engine
from eros.clock import FixedClock, parse_instant
from eros.config import load_settings
from eros.db.creators import CreatorRepository
from eros.db.engine import create_schema, make_engine
from eros.db.sample import build_mini_sample, build_sample, ensure_sample_database
from eros.db.schema import (
    caption_creator_usage,
    captions,
    content_type_rankings,
    content_types,
    creator_personas,
    creators,
    mass_messages,
    tier_history,
    vault_matrix,
    volume_triggers,
)
from eros.errors import ConfigError
from eros.rules.health import DEATH_SPIRAL_WEEKS, declining_weeks
from eros.rules.send_types import SEND_TYPES, PageRestriction
from eros.rules.tiers import Tier

AS_OF = date(2026, 1, 4)
NOW = "2026-01-04T12:00:00Z"
SAMPLE_TABLES: tuple[Table, ...] = (
    creators,
    content_types,
    vault_matrix,
    creator_personas,
    captions,
    caption_creator_usage,
    mass_messages,
    content_type_rankings,
    tier_history,
    volume_triggers,
)


def _rows_hash(engine: Engine) -> str:
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in SAMPLE_TABLES:
            order = list(table.primary_key.columns) or list(table.columns)
            for row in conn.execute(select(table).order_by(*order)):
                digest.update(json.dumps([table.name, *row], default=str).encode())
    return digest.hexdigest()


def _fresh_engine(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}", create=True)
    create_schema(engine)
    return engine


def _current_tiers(engine: Engine) -> dict[str, tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(creators.c.page_name, creators.c.page_type, tier_history.c.tier)
            .join(tier_history, tier_history.c.creator_id == creators.c.creator_id)
            .where(tier_history.c.recorded_at == NOW)
        ).all()
    return {page: (tier, page_type) for page, page_type, tier in rows}


@pytest.fixture(scope="module")
def sample(sample_db_path: Path) -> Engine:
    return make_engine(f"sqlite:///{sample_db_path}")


def test_same_seed_gives_identical_rows_and_another_seed_does_not(sample: Engine, tmp_path: Path) -> None:
    again = _fresh_engine(tmp_path / "again.db")
    build_sample(again, seed=7, as_of=AS_OF)
    other = _fresh_engine(tmp_path / "other.db")
    build_sample(other, seed=8, as_of=AS_OF)
    assert _rows_hash(again) == _rows_hash(sample)
    assert _rows_hash(other) != _rows_hash(sample)


def test_counts(sample: Engine) -> None:
    with sample.connect() as conn:

        def count(table: Table) -> int:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

        active = conn.execute(select(func.count()).where(creators.c.is_active.is_(True))).scalar_one()
        assert active == 37
        assert count(content_types) == 35
        assert 2000 <= count(captions) <= 5000
        assert count(mass_messages) > 3000
        assert count(creator_personas) == 37
        vault_creators = conn.execute(
            select(func.count(func.distinct(vault_matrix.c.creator_id)))
        ).scalar_one()
        assert vault_creators == 37
        ranked = conn.execute(
            select(func.count(func.distinct(content_type_rankings.c.creator_id))).where(
                content_type_rankings.c.analysis_date == AS_OF.isoformat()
            )
        ).scalar_one()
        assert ranked == 37
        active_triggers = conn.execute(
            select(func.count()).where(
                volume_triggers.c.is_active.is_(True), volume_triggers.c.expires_at > NOW
            )
        ).scalar_one()
        assert 5 <= active_triggers <= 150


def test_history_is_90_days_ending_the_day_before_as_of(sample: Engine) -> None:
    with sample.connect() as conn:
        first, last = conn.execute(
            select(func.min(mass_messages.c.sent_date), func.max(mass_messages.c.sent_date))
        ).one()
        late = conn.execute(select(func.max(mass_messages.c.sent_at))).scalar_one()
    assert last == (AS_OF - timedelta(days=1)).isoformat()
    assert first >= (AS_OF - timedelta(days=90)).isoformat()
    assert late < NOW


def test_named_creators_every_tier_and_both_page_types(sample: Engine) -> None:
    tiers = _current_tiers(sample)
    assert tiers["alexia"] == ("STANDARD", "paid")
    assert tiers["grace_bennett"] == ("HIGH_VALUE", "paid")
    assert tiers["luna_free"] == ("STANDARD", "free")
    assert tiers["maya_hill"] == ("PREMIUM", "paid")
    assert {tier for tier, _ in tiers.values()} == {t.value for t in Tier}
    assert {page for _, page in tiers.values()} == {"paid", "free"}
    with sample.connect() as conn:
        stored = conn.execute(
            select(creators.c.previous_tier).where(creators.c.page_name == "maya_hill")
        ).scalar()
    assert stored == "PREMIUM"


def test_time_zones_mostly_new_york(sample: Engine) -> None:
    with sample.connect() as conn:
        zones = [z for (z,) in conn.execute(select(creators.c.timezone))]
    assert zones.count("America/New_York") > len(zones) / 2
    assert len(set(zones)) >= 3


def test_captions_cover_every_send_type_with_tiers_prices_and_mixed_freshness(sample: Engine) -> None:
    with sample.connect() as conn:
        by_type = dict(
            conn.execute(
                select(captions.c.send_type_key, func.count()).group_by(captions.c.send_type_key)
            ).all()
        )
        tiers = {t for (t,) in conn.execute(select(func.distinct(captions.c.performance_tier)))}
        unpriced_ppv = conn.execute(
            select(func.count()).where(
                captions.c.send_type_key == "ppv_unlock", captions.c.suggested_price.is_(None)
            )
        ).scalar_one()
        paid_only_retention = conn.execute(
            select(func.count()).where(
                captions.c.send_type_key == "renew_on_message", captions.c.is_paid_page_only.is_(False)
            )
        ).scalar_one()
        usage_dates = [
            d
            for (d,) in conn.execute(
                select(caption_creator_usage.c.last_used_date).where(
                    caption_creator_usage.c.creator_id == "alexia"
                )
            )
        ]
    assert set(by_type) == set(SEND_TYPES)
    assert all(n >= 20 for n in by_type.values())
    assert tiers == {1, 2, 3, 4}
    assert unpriced_ppv == 0
    assert paid_only_retention == 0
    cutoff = (AS_OF - timedelta(days=90)).isoformat()
    assert any(d < cutoff for d in usage_dates)  # used long ago: fresh again
    assert any(d >= cutoff for d in usage_dates)  # used lately: not fresh


def test_paid_only_send_types_never_appear_in_free_page_history(sample: Engine) -> None:
    paid_only = [k for k, st in SEND_TYPES.items() if st.page is PageRestriction.PAID_ONLY]
    free_only = [k for k, st in SEND_TYPES.items() if st.page is PageRestriction.FREE_ONLY]
    with sample.connect() as conn:
        wrong = conn.execute(
            select(func.count())
            .select_from(mass_messages.join(creators, creators.c.creator_id == mass_messages.c.creator_id))
            .where(
                ((creators.c.page_type == "free") & mass_messages.c.send_type_key.in_(paid_only))
                | ((creators.c.page_type == "paid") & mass_messages.c.send_type_key.in_(free_only))
            )
        ).scalar_one()
    assert wrong == 0


def test_history_has_decliners_fatigue_and_creator_specific_content(sample: Engine) -> None:
    with sample.connect() as conn:
        rows = conn.execute(
            select(
                mass_messages.c.creator_id,
                mass_messages.c.sent_date,
                mass_messages.c.content_type,
                mass_messages.c.viewed_count,
                mass_messages.c.purchased_count,
                mass_messages.c.earnings,
            ).order_by(mass_messages.c.creator_id, mass_messages.c.sent_at)
        ).all()
        tiers_by_type: dict[str, set[str]] = defaultdict(set)
        for ct, tier in conn.execute(
            select(content_type_rankings.c.content_type, content_type_rankings.c.performance_tier).where(
                content_type_rankings.c.analysis_date == AS_OF.isoformat()
            )
        ):
            tiers_by_type[ct].add(tier)

    weekly: dict[str, list[float]] = defaultdict(lambda: [0.0] * 8)
    last_seen: dict[tuple[str, str], date] = {}
    soon = [0, 0]  # purchases, views of re-sends within 2 days
    later = [0, 0]  # ... and after 5 days or more
    for creator_id, sent_date, content, viewed, purchased, earnings in rows:
        day = date.fromisoformat(sent_date)
        days_ago = (AS_OF - day).days
        if days_ago <= 56:
            weekly[creator_id][7 - (days_ago - 1) // 7] += earnings
        if content is None:
            continue
        previous = last_seen.get((creator_id, content))
        if previous is not None:
            bucket = soon if (day - previous).days <= 2 else later if (day - previous).days >= 5 else None
            if bucket is not None:
                bucket[0] += purchased
                bucket[1] += viewed
        last_seen[(creator_id, content)] = day

    spirals = [c for c, weeks in weekly.items() if declining_weeks(weeks) >= DEATH_SPIRAL_WEEKS]
    assert len(spirals) >= 2
    assert soon[0] / soon[1] < 0.85 * later[0] / later[1]
    assert any({"TOP"} <= tiers and tiers & {"LOW", "AVOID"} for tiers in tiers_by_type.values())


def test_build_refuses_a_database_that_already_has_creators(sample_db: Engine) -> None:
    with pytest.raises(ConfigError):
        build_sample(sample_db)


def test_mini_sample_has_the_test_creator_with_what_a_week_needs(tmp_path: Path) -> None:
    engine = _fresh_engine(tmp_path / "mini.db")
    build_mini_sample(engine)
    with engine.connect() as conn:
        creator = CreatorRepository(conn).resolve_creator("test")
        vault = conn.execute(select(func.count()).where(vault_matrix.c.creator_id == "test")).scalar_one()
        ranked = conn.execute(
            select(func.count()).where(content_type_rankings.c.creator_id == "test")
        ).scalar_one()
        send_types = {s for (s,) in conn.execute(select(func.distinct(captions.c.send_type_key)))}
        n_creators = conn.execute(select(func.count()).select_from(creators)).scalar_one()
    assert creator["creator_id"] == "test"
    assert creator["page_type"] == "paid"
    assert vault >= 8
    assert ranked > 0
    assert send_types == set(SEND_TYPES)
    assert n_creators == 3
    assert _current_tiers(engine)["test"] == ("STANDARD", "paid")


def test_ensure_sample_database_builds_once_as_of_the_clocks_today(tmp_path: Path) -> None:
    settings = load_settings({"EROS_DB_PATH": str(tmp_path / "eros.db"), "EROS_SIGNING_KEY": "k"})
    container = bootstrap(settings, FixedClock(parse_instant("2026-03-02T09:00:00Z")))
    engine = new_database_engine(container)  # the configured engine never creates the file
    assert ensure_sample_database(engine, container.clock) is True
    assert ensure_sample_database(engine, container.clock) is False
    with container.engine.connect() as conn:
        last = conn.execute(select(func.max(mass_messages.c.sent_date))).scalar_one()
        count = conn.execute(select(func.count()).select_from(creators)).scalar_one()
    assert last == "2026-03-01"
    assert count == 37
