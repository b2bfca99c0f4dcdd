"""One of each (issue 10): one seeded RNG behind v5 and v4, one fatigue window in the rulebook.

The pinned draws are the streams the stored schedules were generated from: if they moved, every
schedule digest (benchmarks/schedule_digests.py) would move with them.
"""

from __future__ import annotations

import random
from datetime import date

import pytest

from eros.legacy import state
from eros.rules.seeding import seeded_rng
from eros.rules.timing import FATIGUE_WINDOW_DAYS
from eros.scheduling import assemble
from eros.scheduling.revenue_model import fit
from eros.tools.history import fatigue_by_gap

WEEK = date(2026, 1, 5)


def _draws(rng: random.Random) -> tuple[float, float, int]:
    return rng.random(), rng.random(), rng.randint(-7, 8)


@pytest.mark.parametrize(
    ("creator", "week", "revision", "expected"),
    [
        ("alexia", WEEK, 0, (0.0001225834361547884, 0.22626370381790062, 1)),
        ("grace_bennett", date(2026, 1, 12), 3, (0.7458947524523835, 0.22049372445086413, 2)),
    ],
)
def test_a_v5_plan_draws_the_stream_it_always_drew(
    creator: str, week: date, revision: int, expected: tuple[float, float, int]
) -> None:
    assert _draws(assemble.seeded_rng(creator, week, revision)) == expected
    assert _draws(seeded_rng(creator, week, revision)) == expected


@pytest.mark.parametrize(
    ("purpose", "expected"),
    [
        ("strategy", (0.03972405510717314, 0.31838720472167203, 3)),
        ("jitter", (0.3453228766585066, 0.04976231511190288, -1)),
        ("followups", (0.4423071269474914, 0.3521927108120445, -4)),
    ],
)
def test_a_v4_phase_draws_the_stream_it_always_drew(purpose: str, expected: tuple[float, float, int]) -> None:
    assert _draws(state.seeded_rng("alexia", WEEK, purpose)) == expected
    assert _draws(seeded_rng("v4", "alexia", WEEK, purpose)) == expected


def test_a_date_in_the_key_reads_as_its_iso_form() -> None:
    assert _draws(seeded_rng("alexia", WEEK, 0)) == _draws(seeded_rng("alexia", "2026-01-05", "0"))


def test_the_history_and_the_revenue_model_share_the_fatigue_window() -> None:
    """The history reports gaps 1..window; the model reads those gaps and no further."""
    assert FATIGUE_WINDOW_DAYS == 7  # the analytics contract's "1".."7" (docs/MCP.md)
    reported = fatigue_by_gap([])
    assert list(reported) == [str(gap) for gap in range(1, FATIGUE_WINDOW_DAYS + 1)]
    model = fit({"fatigue_by_gap_days": {gap: 0.3 for gap in (*reported, str(FATIGUE_WINDOW_DAYS + 1))}})
    assert [model.fatigue_factor(gap) for gap in range(1, FATIGUE_WINDOW_DAYS + 1)] == [
        0.3
    ] * FATIGUE_WINDOW_DAYS
    assert model.fatigue_factor(FATIGUE_WINDOW_DAYS + 1) == 1.0
