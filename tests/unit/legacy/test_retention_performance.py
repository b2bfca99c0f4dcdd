"""Phases 2 and 3: retention risk, multi-horizon fusion, confidence, content ranking."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from eros.legacy import p02_retention, p03_performance
from eros.models import CreatorContext


def test_declines_score_from_zero_to_full() -> None:
    assert p02_retention.decline_score(None, -0.10) == 0.0
    assert p02_retention.decline_score(0.05, -0.10) == 0.0
    assert p02_retention.decline_score(-0.05, -0.10) == 50.0
    assert p02_retention.decline_score(-0.30, -0.10) == 100.0


def test_one_content_type_over_half_the_sends_is_fatigue() -> None:
    tired = {"performance_by_content_type": {"a": {"sends": 6}, "b": {"sends": 4}}}
    varied = {"performance_by_content_type": {"a": {"sends": 5}, "b": {"sends": 5}}}
    assert p02_retention.content_fatigue(tired) == 100.0
    assert p02_retention.content_fatigue(varied) == 0.0


def test_falling_trends_raise_the_risk_tier_and_retention(
    make_context: Callable[..., CreatorContext],
) -> None:
    calm = p02_retention.analyze(make_context(trends={"views_wow_change": 0.1, "revenue_wow_change": 0.0}))
    falling = make_context(
        trends={"views_wow_change": -0.2, "revenue_wow_change": -0.3},
        analytics={"performance_by_content_type": {"a": {"sends": 9}, "b": {"sends": 1}}},
    )
    risk = p02_retention.analyze(falling)
    assert calm.tier == "LOW" and calm.extra_retention_per_day == 0
    assert risk.score == 60.0  # 0.25·100 + 0.25·100 + 0.10·100
    assert risk.tier == "HIGH" and risk.extra_retention_per_day == 1


def test_horizon_saturation_is_sends_against_two_a_day() -> None:
    assert p03_performance.horizon_scores({"period": "7d", "total_sends": 7}) == {
        "saturation": 50.0,
        "opportunity": 50.0,
        "sends": 7.0,
    }
    assert p03_performance.horizon_scores({"period": "7d", "total_sends": 0}) is None


def test_fusion_weights_divergence_and_missing_horizons() -> None:
    h = {"saturation": 20.0, "opportunity": 80.0, "sends": 10.0}
    hi = {"saturation": 60.0, "opportunity": 40.0, "sends": 10.0}
    assert p03_performance.fuse({"7d": None, "14d": None, "30d": None}) == (50.0, 50.0, False)
    # no divergence (|20 − 30| < 15): 0.3·20 + 0.5·20 + 0.2·30 = 22
    assert p03_performance.fuse({"7d": h, "14d": h, "30d": {**h, "saturation": 30.0}}) == (22.0, 80.0, False)
    # 7d vs 30d differ by 40 ≥ 15: weights 0.5/0.35/0.15
    saturation, _, divergent = p03_performance.fuse({"7d": hi, "14d": h, "30d": h})
    assert divergent and saturation == pytest.approx(0.5 * 60 + 0.35 * 20 + 0.15 * 20)
    # only 14d present: it takes all the weight
    assert p03_performance.fuse({"7d": None, "14d": hi, "30d": None})[0] == 60.0


def test_confidence_grows_with_messages_and_horizons() -> None:
    assert p03_performance.confidence(250, 3) == 1.0
    assert p03_performance.confidence(60, 3) == 0.6
    assert p03_performance.confidence(250, 1) == pytest.approx(0.33)
    assert p03_performance.confidence(0, 0) < p03_performance.confidence(10, 3)


def test_content_ranking_excludes_avoid_and_weights_tier_and_triggers(context: CreatorContext) -> None:
    ranked, weights = p03_performance.rank_content(context, ())
    assert "shower" not in ranked
    assert ranked[0] == "solo" and weights["solo"] == pytest.approx(1.3 * 40.0)
    assert weights["tease"] == pytest.approx(0.7 * 10.0)


def test_detection_uses_the_rulebook_and_skips_active_and_avoid(context: CreatorContext) -> None:
    found = p03_performance.detect_triggers(context)
    assert [(t.content_type, t.trigger_type.value) for t in found] == [("solo", "HIGH_PERFORMER")]
    performance = p03_performance.analyze(context, {})
    assert performance.detected_triggers == found
    assert performance.content_weights["solo"] == pytest.approx(1.3 * 1.2 * 40.0)
