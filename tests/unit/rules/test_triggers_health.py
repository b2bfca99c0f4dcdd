"""Volume triggers (DOMAIN §7) and creator health (DOMAIN §8)."""

from __future__ import annotations

import pytest

from eros.rules.health import HealthStatus, assess_health, declining_weeks, volume_adjustment
from eros.rules.triggers import ContentSignals, TriggerType, compound, detect, higher_confidence


def test_compound_multiplies_per_type_and_flags_conflicts() -> None:
    result = compound([("lingerie", 1.2), ("lingerie", 0.85), ("shower", 1.3)])
    assert result.per_content_type == {"lingerie": pytest.approx(1.02), "shower": 1.3}
    assert result.global_multiplier == pytest.approx(1.326)
    assert result.conflicts == ("lingerie",)
    assert result.has_conflicting_signals


def test_compound_clamps_to_half_and_double() -> None:
    assert compound([("a", 1.3), ("a", 1.3), ("a", 1.3)]).per_content_type["a"] == 2.0
    assert compound([("a", 0.5), ("b", 0.5)]).global_multiplier == 0.5


def test_detection_follows_rulebook_order_and_confidence_from_sends() -> None:
    high = detect(ContentSignals("a", conversion=0.07, sends_30d=12))
    assert high is not None
    assert (high.trigger_type, high.multiplier, high.confidence) == (TriggerType.HIGH_PERFORMER, 1.2, "high")
    emerging = detect(ContentSignals("b", conversion=0.055, sends_30d=2))
    assert emerging is not None
    assert (emerging.trigger_type, emerging.confidence) == (TriggerType.EMERGING_WINNER, "low")
    fatigue = detect(ContentSignals("c", conversion=0.01, sends_30d=6, open_rate_change_7d=-0.2))
    assert fatigue is not None
    assert fatigue.trigger_type is TriggerType.AUDIENCE_FATIGUE
    assert detect(ContentSignals("d", conversion=0.01, sends_30d=6)) is None


def test_confidence_only_rises() -> None:
    assert higher_confidence("high", "low") == "high"
    assert higher_confidence("low", "moderate") == "moderate"


def test_declining_weeks_count_back_from_the_newest() -> None:
    assert declining_weeks([100, 90, 80, 70, 60]) == 4
    assert declining_weeks([100, 90, 95, 80]) == 1
    assert declining_weeks([50]) == 0


def test_health_status_and_volume_adjustment() -> None:
    spiral = assess_health([100, 90, 80, 70, 60], sends_last_14_days=10)
    assert spiral.status is HealthStatus.DEATH_SPIRAL
    assert spiral.volume_adjustment == -1
    healthy = assess_health([60, 70, 80], sends_last_14_days=7)
    assert (healthy.status, healthy.saturation, healthy.volume_adjustment) == (HealthStatus.HEALTHY, 25.0, 1)
    assert volume_adjustment(HealthStatus.WARNING, 20.0) == 0
    assert volume_adjustment(HealthStatus.HEALTHY, 75.0) == -1
