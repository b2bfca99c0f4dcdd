"""Items from outside (JSON) keep their positions; unreadable ones are structure errors, not crashes."""

from __future__ import annotations

from eros.services.validator import checks_performed
from eros.validation.gates import STRUCTURE_ERROR
from eros.validation.items import items_in_place


def test_unreadable_items_become_structure_errors_in_place(week):
    good = week.items()[4].model_dump()
    items, problems = items_in_place(
        [good, {"scheduled_date": "2026-01-05"}, "bump", {**good, "price": "cheap"}]
    )
    assert len(items) == 4 and items[0].send_type_key == "bump_normal"
    assert [(p.code, p.items) for p in problems] == [
        (STRUCTURE_ERROR, [1]),
        (STRUCTURE_ERROR, [2]),
        (STRUCTURE_ERROR, [3]),
    ]
    assert (
        "send_type_key" in problems[0].message
        and "str" in problems[1].message
        and "price" in problems[2].message
    )


def test_checks_performed_names_the_ten_checks_of_the_certificate():
    checks = checks_performed(volume_known=False)
    assert set(checks) == {
        "vault_compliance",
        "avoid_tier_exclusion",
        "page_type_compliance",
        "send_type_diversity",
        "flyer_requirements",
        "timing_validation",
        "price_bounds",
        "followup_rules",
        "caption_quality",
        "volume_config",
    }
    assert checks["volume_config"] is False and checks["vault_compliance"] is True
