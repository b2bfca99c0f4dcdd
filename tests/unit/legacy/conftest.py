"""Small hand-made inputs for the pure v4 phases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from eros.models import ContentRanking, CreatorContext

WEEK = date(2026, 1, 5)
ContextFactory = Callable[..., CreatorContext]


def _make_context(**overrides: Any) -> CreatorContext:
    values: dict[str, Any] = {
        "creator_id": "c1",
        "page_name": "c1",
        "page_type": "paid",
        "week_start": WEEK,
        "fan_count": 5000,
        "volume_config": {"tier": "STANDARD"},
        "vault_types": ("lingerie", "solo", "tease", "shower"),
        "avoid_types": ("shower",),
        "top_types": ("solo",),
        "rankings": (
            ContentRanking(
                content_type="solo",
                performance_tier="TOP",
                revenue_per_send=40.0,
                conversion=0.07,
                sends_30d=12,
            ),
            ContentRanking(
                content_type="lingerie",
                performance_tier="MID",
                revenue_per_send=20.0,
                conversion=0.03,
                sends_30d=8,
            ),
            ContentRanking(
                content_type="tease",
                performance_tier="LOW",
                revenue_per_send=10.0,
                conversion=0.01,
                sends_30d=6,
            ),
            ContentRanking(
                content_type="shower",
                performance_tier="AVOID",
                revenue_per_send=1.0,
                conversion=0.0,
                sends_30d=4,
            ),
        ),
    }
    values.update(overrides)
    return CreatorContext(**values)


@pytest.fixture
def make_context() -> ContextFactory:
    """A paid STANDARD creator with four vault types (one AVOID); keyword overrides replace fields."""
    return _make_context


@pytest.fixture
def context() -> CreatorContext:
    return _make_context()
