"""The expected-revenue model: fitted factors, shrinkage, fatigue, price response, determinism."""

from __future__ import annotations

import pytest

from eros.rules.send_types import Category
from eros.scheduling.revenue_model import (
    CATEGORY_PRIOR,
    FALLBACK_MEAN_RPS,
    PRIOR_FATIGUE,
    PRIOR_SENDS,
    fit,
)

from .conftest import STAR_CONTENT, STAR_HOUR, analytics


def test_an_empty_history_gives_a_flat_model_around_the_fallback_mean() -> None:
    model = fit({})
    assert model.mean_rps == FALLBACK_MEAN_RPS
    assert model.sends_observed == 0 and model.notes
    assert set(model.hour_factor) == {1.0} and set(model.weekday_factor) == {1.0}
    assert model.fatigue == PRIOR_FATIGUE
    assert model.expected("ppv_unlock", weekday=0, hour=12) == pytest.approx(FALLBACK_MEAN_RPS)
    assert model.expected("bump_normal", weekday=0, hour=12) == pytest.approx(
        FALLBACK_MEAN_RPS * CATEGORY_PRIOR[Category.ENGAGEMENT]
    )


def test_the_mean_comes_from_the_send_type_table() -> None:
    data = analytics()
    rows = data["performance_by_send_type"].values()
    mean = sum(r["sends"] * r["revenue_per_send"] for r in rows) / sum(r["sends"] for r in rows)
    assert fit(data).mean_rps == pytest.approx(mean)


def test_hours_and_content_that_earn_more_get_larger_factors() -> None:
    model = fit(analytics())
    assert model.hour_factor[STAR_HOUR] > 1.5
    assert model.hour_factor[9] < 1.0
    assert model.content(STAR_CONTENT) > model.content("feet")
    assert model.content("unknown_type") == 1.0
    star = model.expected("ppv_unlock", weekday=2, hour=STAR_HOUR, content_type=STAR_CONTENT)
    plain = model.expected("ppv_unlock", weekday=2, hour=12, content_type="feet")
    assert star > 2 * plain


def test_estimates_shrink_towards_the_prior_in_proportion_to_missing_data() -> None:
    data = analytics()
    data["performance_by_hour"]["13"] = {"sends": 1, "revenue_per_send": 300.0}
    data["performance_by_hour"]["14"] = {"sends": 400, "revenue_per_send": 300.0}
    model = fit(data)
    mean = model.mean_rps
    assert model.hour_factor[13] == pytest.approx((300.0 + PRIOR_SENDS * mean) / (1 + PRIOR_SENDS) / mean)
    assert model.hour_factor[14] > 4 * model.hour_factor[13] / 2
    assert model.hour_factor[14] < 300.0 / mean


def test_send_types_without_history_take_their_category_factor() -> None:
    model = fit(analytics())
    assert "game_post" not in model.send_type_factor
    assert model.type_factor("game_post") == model.category_factor[Category.REVENUE]
    assert model.type_factor("bump_normal") < model.type_factor("ppv_unlock")


def test_fatigue_rises_with_the_gap_never_rewards_repeats_and_vanishes_after_a_week() -> None:
    data = analytics()
    data["fatigue_by_gap_days"] = {"1": 0.7, "2": 0.5, "3": 1.3, "4": 0.9, "5": 1.0, "6": 1.0, "7": 1.0}
    model = fit(data)
    assert list(model.fatigue) == sorted(model.fatigue)
    assert max(model.fatigue) <= 1.0
    assert model.fatigue[1] == model.fatigue[2] == pytest.approx(0.6)
    assert model.fatigue_factor(0) <= model.fatigue_factor(1)
    assert model.fatigue_factor(None) == model.fatigue_factor(30) == 1.0


def test_price_response_follows_the_price_points() -> None:
    rising = fit(analytics())
    assert rising.elasticity > 0
    assert rising.price_factor(30.0) > rising.price_factor(10.0)
    assert rising.price_factor(None) == 1.0
    data = analytics()
    data["price_points"] = [
        {"price": 10.0, "sends": 60, "revenue_per_send": 40.0},
        {"price": 30.0, "sends": 60, "revenue_per_send": 15.0},
    ]
    falling = fit(data)
    assert falling.elasticity < 0
    assert falling.price_factor(30.0) < 1.0 < falling.price_factor(10.0)


def test_prediction_ratio_is_against_the_median_revenue_send() -> None:
    model = fit(analytics())
    assert model.predicted_ratio(model.median_rps * 1.6) == pytest.approx(1.6)


def test_fitting_is_deterministic() -> None:
    assert fit(analytics()) == fit(analytics())
