"""Phase 5: freshness in the right direction, composite score, fallback ladder, content rotation."""

from __future__ import annotations

from datetime import date

from eros.legacy import p05_captions
from eros.models import CaptionOption


def option(
    cid: int, *, tier: int = 1, days: int | None = None, send_type: str = "bump_normal"
) -> CaptionOption:
    return CaptionOption(
        caption_id=cid,
        caption_text="x" * 60,
        send_type=send_type,
        performance_tier=tier,
        days_since_used=days,
    )


def test_freshness_rewards_old_and_unused_captions_not_recent_ones() -> None:
    assert p05_captions.freshness_score(option(1)) == 100.0
    assert p05_captions.freshness_score(option(1, days=120)) == 100.0
    assert p05_captions.freshness_score(option(1, days=9)) == 10.0
    assert p05_captions.freshness_score(option(1, days=1)) < p05_captions.freshness_score(option(1, days=60))


def test_composite_weights_sum_to_the_component_mix() -> None:
    parts = {
        "freshness": 100.0,
        "performance": 100.0,
        "type_priority": 100.0,
        "diversity": 100.0,
        "persona": 100.0,
    }
    assert p05_captions.composite(parts) == 100.0
    assert p05_captions.composite({**parts, "freshness": 0.0}) == 60.0


def test_ladder_prefers_fresh_strong_captions_then_steps_down() -> None:
    best, level, _ = p05_captions.choose([option(1, tier=3), option(2, tier=1)], "bump_normal", {}, {})
    assert (best and best.caption_id, level) == (2, "L1")
    stale, level, _ = p05_captions.choose([option(3, tier=1, days=5)], "bump_normal", {}, {})
    assert (stale and stale.caption_id, level) == (3, "L3")
    weak, level, _ = p05_captions.choose([option(4, tier=4)], "bump_normal", {}, {})
    assert (weak and weak.caption_id, level) == (4, "L5")


def test_used_captions_are_reused_only_at_l4_and_an_empty_pool_goes_to_a_person() -> None:
    reused, level, _ = p05_captions.choose([option(5, tier=1)], "bump_normal", {5: 1}, {})
    assert (reused and reused.caption_id, level) == (5, "L4")
    assert p05_captions.choose([option(6, tier=4)], "bump_normal", {6: 1}, {}) == (None, "L6", 0.0)
    assert p05_captions.choose([], "bump_normal", {}, {}) == (None, "L6", 0.0)


def test_type_priority_and_persona_fit() -> None:
    own = option(1, send_type="bump_normal")
    assert p05_captions.type_priority(own, "bump_normal") == 100.0
    assert p05_captions.type_priority(own, "bump_flyer") == 70.0  # same slot class
    assert p05_captions.type_priority(own, "renew_on_post") == 30.0
    assert p05_captions.persona_fit(own, {"avg_caption_length": 60}) == 100.0
    assert p05_captions.persona_fit(own, {"avg_caption_length": 200}) == 40.0
    assert p05_captions.persona_fit(own, {}) == 50.0


def test_rotation_walks_the_ranking_without_repeating_a_type_in_a_day() -> None:
    rotation = p05_captions.ContentRotation(["a", "b", "c"])
    monday, tuesday = date(2026, 1, 5), date(2026, 1, 6)
    day_one = [rotation.next("ppv_unlock", monday) for _ in range(3)]
    assert day_one == ["a", "b", "c"]
    assert rotation.next("ppv_unlock", monday) == "a"  # every type shown: the rotation goes on
    assert rotation.next("bump_flyer", tuesday) == "a"  # other media rotate on their own
    assert p05_captions.ContentRotation([]).next("ppv_unlock", monday) is None
