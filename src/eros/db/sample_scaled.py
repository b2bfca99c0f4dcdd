"""The sample agency scaled to N creators (`eros db init --sample --creators N`, issue 14).

The 37 named creators are built exactly as the plain sample builds them (same rows, same ids);
the N − 37 generated ones follow, drawn from the seed with the named roster's mix of tiers, page
types, time zones, categories, decline and A/B tests, and simulated by the same code
(`eros.db.sample.creator_rows`: hidden truth, vault, history, caption use) and analysed by the
same `eros analyze` code. They go in chunks, each an executemany per table inside the one
transaction, so memory stays flat however many there are.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import TypeVar

from sqlalchemy import Connection, Engine, bindparam

from eros.db.analyze import analyze_creator
from eros.db.engine import require_database
from eros.db.sample import (
    PAST_ANALYSES_DAYS_AGO,
    SAMPLE_CREATORS,
    CaptionBank,
    CreatorSpec,
    creator_rows,
    fill_sample,
    sample_now,
    seed_content_types,
)
from eros.db.schema import (
    caption_creator_usage,
    captions,
    creator_personas,
    creators,
    mass_messages,
    vault_matrix,
)
from eros.errors import ConfigError

V = TypeVar("V")
NAMED = len(SAMPLE_CREATORS)
#: Generated creators simulated and inserted together (bounds memory: ~120 history rows each).
CHUNK = 250
FIRST_NAMES = (
    "Amber", "Brooke", "Cara", "Dana", "Elle", "Freya", "Gemma", "Holly", "Iris", "June", "Kat", "Leah",
    "Macy", "Nell", "Opal", "Poppy", "Quinn", "Rosa", "Sage", "Tara", "Uma", "Vera", "Wren", "Yara", "Zara",
)  # fmt: skip
LAST_NAMES = (
    "Ash", "Blake", "Cole", "Dale", "Ellis", "Frost", "Gray", "Hale", "Ives", "Jett", "Knox", "Lane",
    "Marsh", "North", "Oak", "Price", "Reed", "Stone", "Todd", "Vance", "Wells", "York",
)  # fmt: skip


def _mix(values: Sequence[V]) -> tuple[list[V], list[int]]:
    """The named roster's values and how often each occurs (the generated roster's weights)."""
    counts = Counter(values)
    keys = sorted(counts, key=str)
    return keys, [counts[k] for k in keys]


def generated_specs(seed: int, count: int) -> list[CreatorSpec]:
    """`count` creators drawn from the seed, distributed like the named ones; page names unique."""
    rng = random.Random(f"{seed}:generated-roster")
    tiers, tier_weights = _mix([s.tier for s in SAMPLE_CREATORS])
    kinds, kind_weights = _mix([(s.page_type, s.content_category) for s in SAMPLE_CREATORS])
    zones, zone_weights = _mix([s.timezone for s in SAMPLE_CREATORS])
    declining = sum(s.declining for s in SAMPLE_CREATORS) / NAMED
    ab_tests = sum(s.ab_test_running for s in SAMPLE_CREATORS) / NAMED
    specs = []
    for number in range(NAMED + 1, NAMED + count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        page_type, category = rng.choices(kinds, kind_weights)[0]
        specs.append(
            CreatorSpec(
                page_name=f"{first}_{last}_{number:05d}".lower(),
                display_name=f"{first} {last}",
                tier=rng.choices(tiers, tier_weights)[0],
                page_type=page_type,
                timezone=rng.choices(zones, zone_weights)[0],
                content_category=category,
                declining=rng.random() < declining,
                ab_test_running=rng.random() < ab_tests,
            )
        )
    return specs


def _chunks(specs: Sequence[CreatorSpec]) -> Iterator[Sequence[CreatorSpec]]:
    for start in range(0, len(specs), CHUNK):
        yield specs[start : start + CHUNK]


def _add_generated(
    conn: Connection, specs: Sequence[CreatorSpec], bank: CaptionBank, *, seed: int, as_of: date
) -> None:
    """The generated creators after the named ones, each analysed as the sample's are (the past
    analyses first, for tier hysteresis); the shared caption bank's use counts updated once at the end."""
    now = sample_now(as_of)
    type_ids = seed_content_types(conn)
    used = {row["caption_id"]: [row["global_times_used"], row["global_last_used_date"]] for row in bank.rows}
    for chunk in _chunks(specs):
        built = [creator_rows(seed, spec, as_of, now, bank, type_ids) for spec in chunk]
        conn.execute(creators.insert(), [b.creator for b in built])
        conn.execute(creator_personas.insert(), [b.persona for b in built])
        conn.execute(vault_matrix.insert(), [v for b in built for v in b.vault])
        conn.execute(caption_creator_usage.insert(), [u for b in built for u in b.usage.values()])
        conn.execute(mass_messages.insert(), [m for b in built for m in b.messages])
        for rows in built:
            for use in rows.usage.values():
                total = used[use["caption_id"]]
                total[0] += use["times_used"]
                total[1] = max(total[1] or "", use["last_used_date"])
            for days_ago in (*PAST_ANALYSES_DAYS_AGO, 0):
                analyze_creator(conn, rows.creator["creator_id"], now - timedelta(days=days_ago))
    conn.execute(
        captions.update()
        .where(captions.c.caption_id == bindparam("id"))
        .values(global_times_used=bindparam("times"), global_last_used_date=bindparam("last")),
        [{"id": cid, "times": times, "last": last} for cid, (times, last) in sorted(used.items())],
    )


def check_creators_total(creators_total: int) -> None:
    """TOO_FEW_CREATORS below the named 37 (checked before anything is built)."""
    if creators_total < NAMED:
        raise ConfigError(
            f"--creators {creators_total} is fewer than the sample's {NAMED} named creators",
            code="TOO_FEW_CREATORS",
        )


def build_scaled_sample(engine: Engine, *, creators_total: int, seed: int, as_of: date) -> None:
    """The sample with `creators_total` creators: the 37 named ones, then generated ones (one transaction)."""
    check_creators_total(creators_total)
    require_database(engine)
    with engine.begin() as conn:
        bank = fill_sample(conn, SAMPLE_CREATORS, seed=seed, as_of=as_of, caption_scale=1.0)
        _add_generated(conn, generated_specs(seed, creators_total - NAMED), bank, seed=seed, as_of=as_of)
