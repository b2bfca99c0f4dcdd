"""Recompute what the tools read from history: rankings, tier (with hysteresis) and volume triggers.

`eros analyze`, the importer and the sample builder all come through here, so derived data has
one producer; the rules themselves live in eros.rules (rankings, tiers, triggers).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, select

from eros.clock import iso_z
from eros.db.creators import CreatorRepository
from eros.db.schema import content_type_rankings, creators, mass_messages, tier_history
from eros.db.triggers_repo import TriggerRepository, TriggerWrite, UpsertResult
from eros.rules.rankings import (
    RANKING_WINDOW_DAYS,
    RankTier,
    SendRecord,
    content_stats,
    rank_content_types,
    trigger_signals,
)
from eros.rules.tiers import MM_WINDOW_DAYS, MMRevenue, Tier, mm_revenue, tier_for_revenue
from eros.rules.triggers import detect


@dataclass(frozen=True, slots=True)
class CreatorAnalysis:
    """What one analysis run derived for a creator."""

    creator_id: str
    page_name: str
    analysis_date: str
    tier: Tier
    previous_tier: Tier | None
    mm_revenue: MMRevenue
    top_types: tuple[str, ...]
    avoid_types: tuple[str, ...]
    ranked_types: int
    triggers: UpsertResult


@dataclass(frozen=True, slots=True)
class Send:
    """One mass message of the history, as the analysis and the tools read it."""

    sent_at: str
    sent_date: date
    sent_hour: int
    send_type: str
    content_type: str | None
    price: float | None
    sent: int
    viewed: int
    purchased: int
    earnings: float


def load_history(
    conn: Connection, creator_id: str, now: datetime, days: int = RANKING_WINDOW_DAYS
) -> list[Send]:
    """Sends dated on or after `today − days` and sent before `now` (sent_at is UTC), oldest first."""
    m = mass_messages.c
    rows = conn.execute(
        select(
            m.sent_at,
            m.sent_date,
            m.sent_hour,
            m.send_type_key,
            m.content_type,
            m.price,
            m.sent_count,
            m.viewed_count,
            m.purchased_count,
            m.earnings,
        )
        .where(
            m.creator_id == creator_id,
            m.sent_date >= (now.date() - timedelta(days=days)).isoformat(),
            m.sent_at < iso_z(now),
        )
        .order_by(m.sent_at, m.message_id)
    ).all()
    return [
        Send(
            r[0],
            date.fromisoformat(r[1]),
            int(r[2]),
            r[3],
            r[4],
            r[5],
            r[6] or 0,
            r[7] or 0,
            r[8] or 0,
            r[9] or 0.0,
        )
        for r in rows
    ]


def history_mm_revenue(
    sends: Iterable[tuple[date, float]], creator: Mapping[str, object], today: date
) -> MMRevenue:
    """The one MM-revenue definition (DOMAIN §2): picks the last 30 days from (sent_date, earnings) pairs."""
    cutoff = today - timedelta(days=MM_WINDOW_DAYS)
    recent = [(day, earnings) for day, earnings in sends if day >= cutoff]
    newest_age = (today - max(day for day, _ in recent)).days if recent else None
    return mm_revenue(
        history_earnings_30d=sum(earnings for _, earnings in recent),
        history_sends_30d=len(recent),
        newest_send_age_days=newest_age,
        metrics_message_net=_opt_float(creator.get("current_message_net")),
        metrics_posts_net=_opt_float(creator.get("current_posts_net")),
        fan_count=int(str(creator.get("current_fan_count") or 0)),
    )


def _opt_float(value: object) -> float | None:
    return None if value is None else float(str(value))


def previous_tier(conn: Connection, creator_id: str, now: datetime) -> Tier | None:
    """The last recorded tier before `now` (tier_history), else the creator's stored previous tier."""
    row = conn.execute(
        select(tier_history.c.tier)
        .where(tier_history.c.creator_id == creator_id, tier_history.c.recorded_at < iso_z(now))
        .order_by(tier_history.c.recorded_at.desc(), tier_history.c.id.desc())
        .limit(1)
    ).first()
    if row is not None:
        return Tier(row[0])
    stored = conn.execute(select(creators.c.previous_tier).where(creators.c.creator_id == creator_id)).first()
    return Tier(stored[0]) if stored is not None and stored[0] else None


def analyze_creator(conn: Connection, creator_id_or_page: str, now: datetime) -> CreatorAnalysis:
    """Rankings as of `now`'s date, the tier (recorded in tier_history) and detected triggers."""
    creator = dict(CreatorRepository(conn).resolve_creator(creator_id_or_page))
    creator_id = str(creator["creator_id"])
    today = now.date()
    history = load_history(conn, creator_id, now)

    records: dict[str, list[SendRecord]] = defaultdict(list)
    for send in history:
        if send.content_type:
            records[send.content_type].append(
                SendRecord(
                    day_index=(today - send.sent_date).days,
                    sent=send.sent,
                    viewed=send.viewed,
                    purchased=send.purchased,
                    earnings=send.earnings,
                )
            )

    rankings = rank_content_types(content_stats(ct, recs) for ct, recs in sorted(records.items()))
    analysis_date = today.isoformat()
    conn.execute(
        content_type_rankings.delete().where(
            content_type_rankings.c.creator_id == creator_id,
            content_type_rankings.c.analysis_date == analysis_date,
        )
    )
    if rankings:
        conn.execute(
            content_type_rankings.insert(),
            [
                {
                    "creator_id": creator_id,
                    "analysis_date": analysis_date,
                    "content_type": r.content_type,
                    "performance_tier": r.tier.value,
                    "revenue_per_send": r.revenue_per_send,
                    "conversion": r.conversion,
                    "sends_30d": r.sends_30d,
                    "earnings": r.earnings,
                    "confidence": r.confidence,
                }
                for r in rankings
            ],
        )

    revenue = history_mm_revenue(((s.sent_date, s.earnings) for s in history), creator, today)
    before = previous_tier(conn, creator_id, now)
    tier = tier_for_revenue(revenue.amount, before)
    stamp = iso_z(now)
    conn.execute(
        tier_history.delete().where(
            tier_history.c.creator_id == creator_id, tier_history.c.recorded_at == stamp
        )
    )
    conn.execute(
        tier_history.insert().values(
            creator_id=creator_id,
            tier=tier.value,
            mm_revenue=revenue.amount,
            source=revenue.source.value,
            recorded_at=stamp,
        )
    )
    conn.execute(
        creators.update()
        .where(creators.c.creator_id == creator_id)
        .values(previous_tier=tier.value, updated_at=stamp)
    )

    detected = []
    for ct, recs in sorted(records.items()):
        signals = trigger_signals(ct, recs)
        found = detect(signals) if signals is not None else None
        if found is not None and signals is not None:
            detected.append(
                TriggerWrite(
                    content_type=found.content_type,
                    trigger_type=found.trigger_type.value,
                    adjustment_multiplier=found.multiplier,
                    confidence=found.confidence,
                    reason=found.reason,
                    metrics={
                        "conversion": round(signals.conversion, 4),
                        "sends_30d": signals.sends_30d,
                        "revenue_wow_change": signals.revenue_wow_change,
                        "conversion_declining_days": signals.conversion_declining_days,
                        "open_rate_change_7d": signals.open_rate_change_7d,
                    },
                )
            )
    written = TriggerRepository(conn).upsert_triggers(creator_id, detected, now)

    return CreatorAnalysis(
        creator_id=creator_id,
        page_name=str(creator["page_name"]),
        analysis_date=analysis_date,
        tier=tier,
        previous_tier=before,
        mm_revenue=revenue,
        top_types=tuple(r.content_type for r in rankings if r.tier is RankTier.TOP),
        avoid_types=tuple(r.content_type for r in rankings if r.tier is RankTier.AVOID),
        ranked_types=len(rankings),
        triggers=written,
    )


def analyze_all(conn: Connection, now: datetime) -> list[CreatorAnalysis]:
    """Analyse every active creator, in creator-id order."""
    return [analyze_creator(conn, cid, now) for cid in CreatorRepository(conn).active_creator_ids()]
