"""LEARNINGS.md: parsing, who a learning applies to, clear errors, and the pure appender."""

from __future__ import annotations

from pathlib import Path

import pytest

from eros.learnings import (
    LEARNINGS_INVALID,
    LearningsInvalid,
    append_learning,
    load_learnings,
    parse_learnings,
)
from eros.models import Learning

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "LEARNINGS.example.md"

TEXT = """# LEARNINGS

## HIGH

### L-1: No 2 am
- applies_to: creator:alexia
- source: validation
- Directive: {"avoid_hours": [2]}

Why: nobody opens them.

## MEDIUM

### L-2: Lingerie on paid pages
- applies_to: page_type:paid
- source: performance
- Directive: {"prefer_content": ["lingerie"]}

### L-3: Premium floor
- applies_to: tier:premium
- source: performance
- Directive: {"min_price": 12}

## LOW

### L-4: Everyone, everywhere
- Directive: {"prefer_hours": [20]}
"""


def test_parses_every_field_and_section():
    learnings = parse_learnings(TEXT)
    assert [(x.id, x.confidence) for x in learnings] == [
        ("L-1", "HIGH"),
        ("L-2", "MEDIUM"),
        ("L-3", "MEDIUM"),
        ("L-4", "LOW"),
    ]
    assert learnings[0].applies_to == "creator:alexia" and learnings[0].directive == {"avoid_hours": [2]}
    assert learnings[2].applies_to == "tier:PREMIUM"
    assert learnings[3].applies_to == "all" and learnings[0].title == "No 2 am"


def test_load_filters_by_creator_page_type_and_tier(tmp_path):
    path = tmp_path / "LEARNINGS.md"
    path.write_text(TEXT)
    by_id = lambda ls: [x.id for x in ls]  # noqa: E731
    assert by_id(load_learnings(path, "c9", "alexia", "STANDARD", page_type="paid")) == ["L-1", "L-2", "L-4"]
    assert by_id(load_learnings(path, "c9", "other", "PREMIUM", page_type="free")) == ["L-3", "L-4"]
    assert by_id(load_learnings(path, "alexia", "x", "LITE", page_type="free")) == ["L-1", "L-4"]


def test_missing_file_means_no_learnings(tmp_path):
    assert load_learnings(tmp_path / "nope.md", "a", "a", "LITE") == ()


@pytest.mark.parametrize(
    ("broken", "needle"),
    [
        ("## URGENT\n### L-1: x\n- Directive: {}\n", "section"),
        ("### L-1: x\n- Directive: {}\n", "before any"),
        ("## HIGH\n### L-1: x\n- source: a\n", "no 'Directive:'"),
        ("## HIGH\n### L-1: x\n- Directive: {avoid_hours: [2]}\n", "L-1"),
        ('## HIGH\n### L-1: x\n- Directive: {"sing_louder": true}\n', "unknown directive key"),
        ('## HIGH\n### L-1: x\n- Directive: {"avoid_hours": [24]}\n', "hours 0–23"),
        ('## HIGH\n### L-1: x\n- Directive: {"prefer_send_types": ["mega"]}\n', "unknown send types"),
        ('## HIGH\n### L-1: x\n- Directive: {"min_price": 60}\n', "outside"),
        ('## HIGH\n### L-1: x\n- applies_to: planet:mars\n- Directive: {"min_price": 6}\n', "applies_to"),
        (
            '## HIGH\n### L-1: x\n- Directive: {"min_price": 6}\n### L-1: y\n- Directive: {"min_price": 6}\n',
            "twice",
        ),
        ("## HIGH\n### no colon here\n", "heading"),
    ],
)
def test_malformed_files_fail_with_learnings_invalid(tmp_path, broken, needle):
    path = tmp_path / "LEARNINGS.md"
    path.write_text(broken)
    with pytest.raises(LearningsInvalid) as caught:
        load_learnings(path, "a", "a", "LITE")
    assert caught.value.code == LEARNINGS_INVALID
    assert needle in caught.value.message and "line" in caught.value.message


def test_append_adds_to_its_section_and_round_trips():
    new = Learning(
        id="L-9",
        confidence="MEDIUM",
        title="Shower at night",
        applies_to="creator:alexia",
        source="user",
        directive={"prefer_hours": [21, 22]},
    )
    updated = append_learning(TEXT, new)
    parsed = parse_learnings(updated)
    assert [x.id for x in parsed] == ["L-1", "L-2", "L-3", "L-9", "L-4"]
    assert parsed[3] == new
    assert "Why: nobody opens them." in updated


def test_append_creates_a_missing_section_in_order():
    text = (
        '# LEARNINGS\n\n## HIGH\n\n### A: a\n- Directive: {"avoid_hours": [3]}\n\n'
        '## LOW\n\n### C: c\n- Directive: {"avoid_hours": [4]}\n'
    )
    updated = append_learning(
        text, Learning(id="B", confidence="MEDIUM", title="b", directive={"max_price": 30})
    )
    assert [(x.id, x.confidence) for x in parse_learnings(updated)] == [
        ("A", "HIGH"),
        ("B", "MEDIUM"),
        ("C", "LOW"),
    ]
    empty = append_learning("", Learning(id="Z", confidence="LOW", title="z", directive={"avoid_hours": [1]}))
    assert [x.id for x in parse_learnings(empty)] == ["Z"]


def test_append_refuses_a_duplicate_id_or_bad_directive():
    with pytest.raises(LearningsInvalid):
        append_learning(
            TEXT, Learning(id="L-1", confidence="HIGH", title="again", directive={"avoid_hours": [1]})
        )
    with pytest.raises(LearningsInvalid):
        append_learning(TEXT, Learning(id="L-8", confidence="HIGH", title="bad", directive={"nope": 1}))


def test_the_shipped_example_parses():
    learnings = parse_learnings(EXAMPLE.read_text())
    assert {x.confidence for x in learnings} == {"HIGH", "MEDIUM", "LOW"}
    assert all(x.directive for x in learnings)
