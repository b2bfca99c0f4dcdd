"""LEARNINGS.md in the runbook's format: parsing, scope, clear errors, statistics, round trips."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from eros.infra.learnings_file import load_learnings, load_learnings_with_problems
from eros.learning.document import (
    LEARNINGS_INVALID,
    LearningsDocument,
    LearningsInvalid,
    new_entry,
    parse_document,
    render_document,
    statistics,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "LEARNINGS.example.md"

TEXT = """# LEARNINGS

## HIGH Confidence

### [2026-01-05] No 2 am
**Pattern**: PPVs at 2 am
**Issue**: nobody is awake
**Correction**: move them
**Source**: validation | **Violation Code**: TIMING_COLLISION
**Applies To**: creator:alexia
**Directive**: {"avoid_hours": [2]}

Why: nobody opens them.

## MEDIUM Confidence

### [2026-01-06] Lingerie on paid pages
**Pattern**: lingerie sells | **Insight**: outfits convert
**Source**: performance | **Quality Score**: 84 | **Sample Size**: 12
**Applies To**: page_type:paid
**Metric Impact**: +12% RPS
**Directive**: {"prefer_content": ["lingerie"]}

### [2026-01-06] Premium floor (Promoted: 2026-01-09)
**Pattern**: cheap PPVs | **Insight**: no gain
**Source**: performance | **Quality Score**: n/a | **Sample Size**: 4
**Applies To**: tier:premium
**Metric Impact**: +3% RPS
**Directive**: {"min_price": 12}

## LOW Confidence

### [2026-01-07] Everyone, everywhere
**Pattern**: evenings | **Source**: user
**Applies To**: all
**Directive**: {"prefer_hours": [20]}

## Deprecated

### [2026-01-01] Midnight bumps (Deprecated: 2026-01-08)
**Original**: MEDIUM: bumps at midnight
**Reason**: caused rejections
**Source**: performance | **Sample Size**: 3
**Applies To**: all
**Directive**: {"prefer_hours": [0]}
"""

HIGH_ID = "2026-01-05-no-2-am"


def test_parses_every_field_and_section():
    doc = parse_document(TEXT)
    assert [(e.learning.title, e.section) for e in doc.entries] == [
        ("No 2 am", "HIGH"),
        ("Lingerie on paid pages", "MEDIUM"),
        ("Premium floor", "MEDIUM"),
        ("Everyone, everywhere", "LOW"),
        ("Midnight bumps", "DEPRECATED"),
    ]
    high, _, floor, low, gone = doc.entries
    assert high.learning.id == HIGH_ID and high.learning.directive == {"avoid_hours": [2]}
    assert high.fields["Violation Code"] == "TIMING_COLLISION" and high.notes == ("Why: nobody opens them.",)
    assert floor.learning.applies_to == "tier:PREMIUM" and floor.promoted == date(2026, 1, 9)
    assert floor.sample_size == 4 and low.learning.source == "user"
    assert gone.deprecated == date(2026, 1, 8) and gone.learning.confidence == "MEDIUM"
    assert [x.title for x in parse_document(TEXT).learnings()] == [
        "No 2 am",
        "Lingerie on paid pages",
        "Premium floor",
        "Everyone, everywhere",
    ]


def test_load_filters_by_scope_and_never_applies_deprecated(tmp_path):
    path = tmp_path / "LEARNINGS.md"
    path.write_text(TEXT)

    def titles(*args: str, page_type: str) -> list[str]:
        return [x.title for x in load_learnings(path, *args, page_type=page_type)]

    assert titles("c9", "alexia", "STANDARD", page_type="paid") == [
        "No 2 am",
        "Lingerie on paid pages",
        "Everyone, everywhere",
    ]
    assert titles("c9", "other", "PREMIUM", page_type="free") == ["Premium floor", "Everyone, everywhere"]
    assert "Midnight bumps" not in titles("alexia", "x", "LITE", page_type="free")


def test_missing_file_means_no_learnings(tmp_path):
    assert load_learnings(tmp_path / "nope.md", "a", "a", "LITE") == ()


ENTRY = "### [2026-01-05] x\n**Pattern**: p\n**Source**: user\n**Applies To**: all\n"
STILL_VALID = (
    "## LOW Confidence\n### [2026-02-01] Still valid\n**Pattern**: p\n**Source**: user\n**Applies To**: all\n"
    '**Directive**: {"avoid_hours": [5]}\n'
)


@pytest.mark.parametrize(
    ("broken", "needle"),
    [
        ("## URGENT\n" + ENTRY + '**Directive**: {"avoid_hours": [1]}\n', "section"),
        (ENTRY + '**Directive**: {"avoid_hours": [1]}\n', "before any"),
        ("## LOW Confidence\n" + ENTRY.replace("**Pattern**: p\n", ""), "lacks **Pattern**"),
        ("## HIGH Confidence\n" + ENTRY + '**Directive**: {"avoid_hours": [1]}\n', "lacks **Issue**"),
        ("## LOW Confidence\n" + ENTRY + "**Directive**: {avoid_hours: [2]}\n", "not JSON"),
        ("## LOW Confidence\n" + ENTRY + '**Directive**: {"sing": true}\n', "unknown directive key"),
        ("## LOW Confidence\n" + ENTRY + '**Directive**: {"avoid_hours": [24]}\n', "hours 0–23"),
        ("## LOW Confidence\n" + ENTRY + '**Directive**: {"prefer_send_types": ["x"]}\n', "unknown send"),
        ("## LOW Confidence\n" + ENTRY + '**Directive**: {"min_price": 60}\n', "outside"),
        (
            "## LOW Confidence\n" + ENTRY.replace("all", "planet:mars") + '**Directive**: {"min_price": 6}\n',
            "Applies To",
        ),
        (
            "## LOW Confidence\n"
            + ENTRY.replace("user", "gut feeling")
            + '**Directive**: {"min_price": 6}\n',
            "Source",
        ),
        (
            "## LOW Confidence\n" + ENTRY + '**Directive**: {"min_price": 6}\n**Mood**: good\n',
            "unknown field",
        ),
        ("## LOW Confidence\n" + (ENTRY + '**Directive**: {"min_price": 6}\n') * 2, "twice"),
        ("## LOW Confidence\n### no date here\n", "heading"),
        ("## LOW Confidence\n### [2026-13-01] x\n", "YYYY-MM-DD"),
        ("## Deprecated\n" + ENTRY + '**Directive**: {"min_price": 6}\n', "Deprecated"),
        (
            "## LOW Confidence\n"
            + ENTRY.replace("] x", "] x (Deprecated: 2026-01-06)")
            + "**Directive**: {}\n",
            "cannot have",
        ),
    ],
)
def test_malformed_files_fail_for_writes_and_are_skipped_for_generation(tmp_path, broken, needle):
    with pytest.raises(LearningsInvalid) as caught:  # the strict parser (reflect --yes, deprecate)
        parse_document(broken)
    assert caught.value.code == LEARNINGS_INVALID
    assert needle in caught.value.message and "line" in caught.value.message
    path = tmp_path / "LEARNINGS.md"
    path.write_text(broken + STILL_VALID)  # generation: the bad part is skipped, the rest applies
    loaded = load_learnings_with_problems(path, "a", "a", "LITE")
    assert [x.title for x in loaded.learnings] == ["Still valid"]
    assert any(needle in p.message and p.line >= 1 for p in loaded.problems)
    assert str(loaded.problems[0]) in caught.value.message


def test_render_round_trips_and_writes_the_statistics_block():
    doc = parse_document(TEXT)
    rendered = render_document(doc, date(2026, 1, 10))
    again = parse_document(rendered)
    assert again.entries == doc.entries
    assert render_document(again, date(2026, 1, 10)) == rendered
    assert "by_confidence: { high: 1, medium: 2, low: 1 }" in rendered
    assert "by_source: { validation: 1, user: 1, performance: 2 }" in rendered
    assert "last_7_days: { added: 4, promoted: 1, deprecated: 1 }" in rendered
    assert "Why: nobody opens them." in rendered


def test_the_runbook_greps_work_on_a_written_file(tmp_path):
    path = tmp_path / "LEARNINGS.md"
    path.write_text(render_document(parse_document(TEXT), date(2026, 1, 10)))
    count = subprocess.run(["grep", "-c", r"^### \[", str(path)], capture_output=True, text=True, check=True)
    assert count.stdout.strip() == "5"
    dist = subprocess.run(
        ["grep", "-A1", "by_confidence", str(path)], capture_output=True, text=True, check=True
    )
    assert dist.stdout.splitlines() == [
        "by_confidence: { high: 1, medium: 2, low: 1 }",
        "by_source: { validation: 1, user: 1, performance: 2 }",
    ]


def test_statistics_count_only_the_last_seven_days():
    stats = statistics(parse_document(TEXT).entries, date(2026, 1, 13))
    assert stats.last_7_days == {"added": 1, "promoted": 1, "deprecated": 1}  # Jan 7–13
    assert stats.by_confidence == {"high": 1, "medium": 2, "low": 1} and stats.deprecated == 1


def _entry(confidence: str, title: str, directive: dict[str, object]):
    fields = {
        "Pattern": "p",
        "Insight": "i",
        "Quality Score": "80",
        "Sample Size": "3",
        "Metric Impact": "+1%",
    }
    if confidence == "HIGH":
        fields = {"Pattern": "p", "Issue": "i", "Correction": "c", "Violation Code": "X"}
    return new_entry(
        confidence=confidence,
        title=title,
        added=date(2026, 1, 9),
        source="validation",
        applies_to="all",
        directive=directive,
        fields=fields,
    )


def test_append_adds_to_its_section_and_round_trips():
    new = _entry("MEDIUM", "Shower at night", {"prefer_hours": [21, 22]})
    updated = render_document(parse_document(TEXT).with_entry(new), date(2026, 1, 10))
    doc = parse_document(updated)
    assert [e.learning.title for e in doc.entries if e.section == "MEDIUM"][-1] == "Shower at night"
    assert doc.find(new.learning.id) == new
    assert "Why: nobody opens them." in updated
    assert re.search(r"^### \[2026-01-09\] Shower at night$", updated, re.MULTILINE)


def test_append_to_an_empty_file_creates_every_section():
    text = render_document(
        LearningsDocument().with_entry(_entry("HIGH", "Hard rule", {"avoid_hours": [1]})), date(2026, 1, 9)
    )
    assert [line for line in text.splitlines() if line.startswith("## ")] == [
        "## Statistics",
        "## HIGH Confidence",
        "## MEDIUM Confidence",
        "## LOW Confidence",
        "## Deprecated",
    ]
    assert [x.title for x in parse_document(text).learnings()] == ["Hard rule"]


def test_an_entry_with_a_known_id_replaces_it_and_a_bad_directive_is_refused():
    first = LearningsDocument().with_entry(_entry("HIGH", "Again", {"avoid_hours": [1]}))
    again = first.with_entry(_entry("HIGH", "Again", {"avoid_hours": [2]}))
    assert [e.learning.directive for e in again.entries] == [{"avoid_hours": [2]}]
    with pytest.raises(LearningsInvalid, match="unknown directive key"):
        render_document(
            parse_document(TEXT).with_entry(_entry("HIGH", "bad", {"nope": 1})), date(2026, 1, 10)
        )


def test_find_by_id_or_unique_prefix():
    doc = parse_document(TEXT)
    assert doc.find(HIGH_ID).learning.title == "No 2 am"
    assert doc.find("2026-01-05").learning.title == "No 2 am"
    with pytest.raises(Exception, match="several"):
        doc.find("2026-01-06")
    with pytest.raises(Exception, match="is not a learning"):
        LearningsDocument().find("x")


def test_the_shipped_example_parses_and_is_canonical():
    text = EXAMPLE.read_text()
    doc = parse_document(text)
    assert {e.section for e in doc.entries} == {"HIGH", "MEDIUM", "LOW", "DEPRECATED"}
    assert all(e.learning.directive for e in doc.entries)
    assert render_document(doc, date(2026, 1, 10)) == text
