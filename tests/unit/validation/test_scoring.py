"""The quality score (DOMAIN §9): components pinned one by one, and careful beats careless clearly."""

from __future__ import annotations

from dataclasses import replace

from eros.models import Learning, ScheduleItem, ValidationStatus
from eros.rules.quality import generator_should_retry, status_for
from eros.validation import gates as g
from eros.validation import scoring as sc


def component(score: sc.QualityScore, name: str) -> float:
    return next(c.points for c in score.components if c.name == name)


def test_weights_add_up_to_100():
    assert sum(sc.WEIGHTS.values()) == 100
    assert [c.__name__ for c in sc.COMPONENTS] == [
        "score_volume",
        "score_prime_hours",
        "score_content",
        "score_captions",
        "score_pricing",
        "score_cooldowns",
        "score_followups",
        "score_learnings",
        "score_expected_revenue",
    ]


def test_careless_schedule_is_valid_but_scores_clearly_lower(week):
    careful, careless = week.items(), week.careless()
    assert g.evaluate_gates(careless, week.facts()) == []
    good = sc.score_schedule(careful, week.scoring())
    bad = sc.score_schedule(careless, week.scoring(fresh=False))
    assert good.total >= 80
    assert bad.total < 60
    assert good.total - bad.total >= 30
    assert status_for(good.total, 0) is ValidationStatus.APPROVED
    assert status_for(bad.total, 0) is ValidationStatus.NEEDS_REVIEW
    for name in ("prime_hours", "content_performance", "caption_quality", "pricing", "followup_coverage"):
        assert component(bad, name) < component(good, name), name


def test_every_component_reports_points_max_and_reasons(week):
    score = sc.score_schedule(week.careless(), week.scoring(fresh=False))
    assert [c.name for c in score.components] == list(sc.WEIGHTS)
    assert all(0 <= c.points <= c.max_points == sc.WEIGHTS[c.name] for c in score.components)
    assert all(c.reasons for c in score.components if c.points < c.max_points)
    assert score.total == round(sum(c.points for c in score.components), 1)
    assert score.recommendations()[0].startswith("prime_hours")


def test_prime_hours_counts_revenue_sends_in_prime_windows(week):
    facts = week.scoring()
    assert component(sc.score_schedule(week.careless(), facts), "prime_hours") == 0
    all_prime = [
        ScheduleItem(send_type_key="ppv_unlock", scheduled_date="2026-01-05", scheduled_time="12:07"),
        ScheduleItem(send_type_key="ppv_unlock", scheduled_date="2026-01-06", scheduled_time="20:41"),
    ]
    assert component(sc.score_schedule(all_prime, facts), "prime_hours") == 15
    half = [*all_prime, *(it.model_copy(update={"scheduled_time": "16:07"}) for it in all_prime)]
    assert component(sc.score_schedule(half, facts), "prime_hours") == round(0.5 / 0.7 * 15, 2)


def test_prime_hours_follow_the_creators_time_zone(week):
    noon_la = [ScheduleItem(send_type_key="ppv_unlock", scheduled_date="2026-01-05", scheduled_time="09:07")]
    facts = replace(week.scoring(), timezone="America/Los_Angeles")
    assert component(sc.score_schedule(noon_la, facts), "prime_hours") == 15
    assert component(sc.score_schedule(noon_la, week.scoring()), "prime_hours") == 0


def test_content_prefers_top_over_low_and_rewards_triggered_types(week):
    facts = week.scoring()
    top = [
        ScheduleItem(
            send_type_key="ppv_unlock",
            scheduled_date="2026-01-05",
            scheduled_time="12:07",
            content_type="lingerie",
        )
    ]
    low = [top[0].model_copy(update={"content_type": "tease"})]
    assert component(sc.score_schedule(top, facts), "content_performance") == 15
    low_score = sc.score_schedule(low, facts)
    assert component(low_score, "content_performance") == round(0.25 / 0.9 * 12, 2)
    shower = [top[0].model_copy(update={"content_type": "shower"})]
    assert component(sc.score_schedule(shower, facts), "content_performance") == 12


def test_captions_lose_points_for_repeats_and_staleness(week):
    items = week.items()
    assert component(sc.score_schedule(items, week.scoring()), "caption_quality") == 10
    assert component(sc.score_schedule(items, week.scoring(fresh=False)), "caption_quality") == 5
    repeated = [it.model_copy(update={"caption_id": 1001}) for it in items]
    score = component(sc.score_schedule(repeated, week.scoring()), "caption_quality")
    assert score == round((1 / len(items) + 1) / 2 * 10, 2)
    unknown = [it.model_copy(update={"caption_id": 5000 + i}) for i, it in enumerate(items)]
    assert component(sc.score_schedule(unknown, week.scoring()), "caption_quality") == 7.5


def test_pricing_scores_the_share_inside_typical_ranges(week):
    items = week.items()
    priced = [i for i, it in enumerate(items) if it.price]
    items = week.replace(items, priced[1], price=45.0)  # a ppv_unlock: typical $8–25
    assert component(sc.score_schedule(items, week.scoring()), "pricing") == round(
        (1 - 1 / len(priced)) * 10, 2
    )


def test_followup_coverage_counts_parents_with_a_followup(week):
    items = week.items()
    assert component(sc.score_schedule(items, week.scoring()), "followup_coverage") == 10
    no_followups = week.without(items, lambda it: it.send_type_key == "ppv_followup")
    assert component(sc.score_schedule(no_followups, week.scoring()), "followup_coverage") == 0


def test_cooldowns_give_partial_credit_by_gap(week):
    pair = [
        ScheduleItem(send_type_key="ppv_unlock", scheduled_date="2026-01-05", scheduled_time="12:07"),
        ScheduleItem(send_type_key="bundle", scheduled_date="2026-01-05", scheduled_time="14:07"),
    ]
    # revenue → revenue wants 4 h; 2 h earns half.
    assert component(sc.score_schedule(pair, week.scoring()), "cooldowns") == 5


def test_volume_adherence_is_full_on_target_and_drops_off_it(week):
    facts = week.scoring()
    assert component(sc.score_schedule([], facts), "volume_adherence") == 0
    assert component(sc.score_schedule(week.items(), facts), "volume_adherence") > 9


def test_learnings_followed(week):
    avoid_noon = Learning(id="L1", confidence="HIGH", title="no noon", directive={"avoid_hours": [12]})
    low_only = Learning(id="L2", confidence="LOW", title="note", directive={"avoid_hours": [12]})
    other = Learning(
        id="L3", confidence="MEDIUM", title="x", applies_to="creator:someone", directive={"avoid_hours": [12]}
    )
    items = week.items()
    assert component(sc.score_schedule(items, week.scoring(learnings=(low_only, other))), "learnings") == 5
    score = sc.score_schedule(items, week.scoring(learnings=(avoid_noon,)))
    noon = sum(1 for it in items if it.scheduled_time.startswith("12:"))
    assert component(score, "learnings") == round((1 - noon / len(items)) * 5, 2)
    assert any("L1" in reason for c in score.components for reason in c.reasons)


def test_directives_each_measure_what_they_say(week):
    sends = g.to_sends(week.items())
    result = sc.directive_compliance(
        sends,
        {
            "prefer_content": ["lingerie"],
            "avoid_content": ["shower"],
            "avoid_send_types": ["bump_normal"],
            "prefer_send_types": ["ppv_unlock"],
            "min_price": 16,
            "max_price": 50,
            "prefer_hours": [12],
        },
    )
    assert result["prefer_content"] == 1.0
    assert 0 < result["avoid_content"] < 1
    assert 0 < result["avoid_send_types"] < 1
    assert result["prefer_send_types"] == 1.0 and result["max_price"] == 1.0
    assert 0 < result["min_price"] < 1 and result["prefer_hours"] == 1.0


def test_expected_revenue_against_the_baseline(week):
    items = week.items()
    estimate = sc.expected_revenue(g.to_sends(items), week.scoring().analytics)
    assert estimate > 0
    rich = dict(week.scoring().analytics, avg_weekly_revenue=estimate / 1.15)
    poor = dict(week.scoring().analytics, avg_weekly_revenue=estimate / 0.70)
    assert component(sc.score_schedule(items, week.scoring(analytics=rich)), "expected_revenue") == 10
    assert component(sc.score_schedule(items, week.scoring(analytics=poor)), "expected_revenue") == 0
    none = dict(week.scoring().analytics, avg_weekly_revenue=0)
    assert component(sc.score_schedule(items, week.scoring(analytics=none)), "expected_revenue") == 10


def test_expected_revenue_ignores_what_the_generator_claims(week):
    items = week.items()
    inflated = [it.model_copy(update={"expected_revenue": 10_000.0}) for it in items]
    assert sc.expected_revenue(g.to_sends(items), week.scoring().analytics) == sc.expected_revenue(
        g.to_sends(inflated), week.scoring().analytics
    )


def test_status_bands():
    assert status_for(100, 0) is ValidationStatus.APPROVED
    assert status_for(75, 0) is ValidationStatus.APPROVED
    assert status_for(74.9, 0) is ValidationStatus.NEEDS_REVIEW
    assert status_for(60, 0) is ValidationStatus.NEEDS_REVIEW
    assert status_for(59.9, 0) is ValidationStatus.NEEDS_REVIEW
    assert status_for(0, 0) is ValidationStatus.NEEDS_REVIEW
    assert generator_should_retry(59.9, 0)
    assert generator_should_retry(95, 1)
    assert not generator_should_retry(60, 0)
    assert status_for(100, 1) is ValidationStatus.REJECTED
