"""LEARNINGS.md cannot take generation down: bad entries are skipped and reported with their line,
the runbook's own manual-entry templates are valid, writes stay strict."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from eros.infra.learnings_file import (
    load_learnings,
    load_learnings_with_problems,
    read_document,
    read_learnings_file,
)
from eros.learning.document import (
    LEARNINGS_INVALID,
    LearningsInvalid,
    parse_document,
    read_learnings,
    render_document,
    statistics,
)

# The runbook's §9 "Manual Learning Entry Guidelines", copied exactly as written there.
HIGH_TEMPLATE = """### [YYYY-MM-DD] Brief title describing the correction
**Pattern**: What was incorrectly done
**Issue**: Why it was wrong
**Correction**: What to do instead
**Source**: validation | user | **Violation Code**: CODE
**Applies To**: all | tier:TIER_NAME | creator:creator_id
"""
MEDIUM_TEMPLATE = """### [YYYY-MM-DD] Brief title describing the pattern
**Pattern**: What was observed | **Insight**: Why it works
**Source**: validation | user | performance | **Quality Score**: N | **Sample Size**: N
**Applies To**: all | tier:TIER_NAME | creator:creator_id
**Metric Impact**: +N% RPS | +N% conversion | etc.
"""


def _high(source: str, applies_to: str) -> str:
    return (
        HIGH_TEMPLATE.replace("YYYY-MM-DD", "2026-01-12")
        .replace("Brief title describing the correction", "No PPVs at 3 am")
        .replace("What was incorrectly done", "PPVs were scheduled at 03:00")
        .replace("Why it was wrong", "nobody is awake to open them")
        .replace("What to do instead", "schedule them after 18:00")
        .replace("validation | user", source)
        .replace("CODE", "USER_CORRECTION")
        .replace("all | tier:TIER_NAME | creator:creator_id", applies_to)
    )


def _medium(source: str, applies_to: str) -> str:
    return (
        MEDIUM_TEMPLATE.replace("YYYY-MM-DD", "2026-01-13")
        .replace("Brief title describing the pattern", "Evening lingerie sells")
        .replace("What was observed", "lingerie PPVs at 20:00 sold best")
        .replace("Why it works", "fans are online after work")
        .replace("validation | user | performance", source)
        .replace("**Quality Score**: N", "**Quality Score**: 88")
        .replace("**Sample Size**: N", "**Sample Size**: 12")
        .replace("all | tier:TIER_NAME | creator:creator_id", applies_to)
        .replace("+N% RPS | +N% conversion | etc.", "+15% RPS | +4% conversion")
    )


@pytest.mark.parametrize("source", ["validation", "user", "performance"])
@pytest.mark.parametrize("applies_to", ["all", "tier:STANDARD", "creator:alexia"])
def test_the_runbooks_manual_entry_templates_are_accepted_as_written(source: str, applies_to: str):
    text = (
        "# LEARNINGS\n\n## HIGH Confidence\n\n"
        + _high("user" if source == "performance" else source, applies_to)
        + "\n## MEDIUM Confidence\n\n"
        + _medium(source, applies_to)
    )
    document = parse_document(text)  # the strict parser: what `reflect --yes` starts from
    high, medium = document.entries
    assert (high.section, high.learning.title, high.learning.applies_to) == (
        "HIGH",
        "No PPVs at 3 am",
        applies_to,
    )
    assert high.fields["Violation Code"] == "USER_CORRECTION" and high.learning.directive == {}
    assert medium.section == "MEDIUM" and medium.sample_size == 12
    assert medium.fields["Metric Impact"] == "+15% RPS | +4% conversion"
    assert statistics(document.entries, date(2026, 1, 14)).by_confidence == {"high": 1, "medium": 1, "low": 0}
    rewritten = render_document(document, date(2026, 1, 14))  # a later reflect keeps them as written
    assert parse_document(rewritten).entries == document.entries
    assert _medium(source, applies_to) in rewritten and "**Directive**" not in rewritten
    # A note without a directive gives the generator nothing to follow and the validator nothing to score.
    assert document.applying_to("alexia", "alexia", "STANDARD") == ()


def test_a_template_entry_with_a_directive_line_applies():
    text = "## HIGH Confidence\n" + _high("user", "creator:alexia") + '**Directive**: {"avoid_hours": [3]}\n'
    (learning,) = parse_document(text).applying_to("alexia", "alexia", "STANDARD")
    assert learning.directive == {"avoid_hours": [3]} and learning.confidence == "HIGH"


def _entry(title: str, hour: int, day: str = "2026-01-05") -> str:
    return (
        f"### [{day}] {title}\n**Pattern**: p\n**Issue**: i\n**Correction**: c\n"
        f"**Source**: user | **Violation Code**: X\n**Applies To**: all\n"
        f'**Directive**: {{"avoid_hours": [{hour}]}}\n\n'
    )


BASE = "# LEARNINGS\n\n## HIGH Confidence\n\n" + _entry("Kept before", 1)
CONFLICTED = (
    BASE
    + "<<<<<<< HEAD\n"
    + _entry("Ours", 2)
    + "=======\n"
    + _entry("Theirs", 3)
    + ">>>>>>> other-branch\n"
    + _entry("Kept after", 4)
)


def _titles(text: str) -> list[str]:
    return [e.learning.title for e in read_learnings(text).document.entries]


def test_a_merge_conflict_skips_only_what_is_in_it():
    reading = read_learnings(CONFLICTED)
    assert _titles(CONFLICTED) == ["Kept before", "Kept after"]
    lines = CONFLICTED.splitlines()
    opener = lines.index("<<<<<<< HEAD") + 1
    assert reading.problems[0].line == opener and "merge conflict" in reading.problems[0].message
    assert [heading for _, heading in reading.skipped] == ["### [2026-01-05] Ours", "### [2026-01-05] Theirs"]
    assert [line for line, _ in reading.skipped] == [opener + 1, lines.index("=======") + 2]
    with pytest.raises(LearningsInvalid) as caught:  # a write refuses the file until it is resolved
        parse_document(CONFLICTED)
    assert caught.value.code == LEARNINGS_INVALID and f"line {opener}:" in caught.value.message


def test_a_conflict_inside_an_entry_skips_that_entry_and_a_diff3_base_too():
    text = (
        BASE.replace('**Directive**: {"avoid_hours": [1]}\n', "")
        + '<<<<<<< HEAD\n**Directive**: {"avoid_hours": [1]}\n||||||| base\n'
        + '=======\n**Directive**: {"avoid_hours": [9]}\n>>>>>>> other\n\n'
        + _entry("Kept after", 4)
    )
    reading = read_learnings(text)
    assert _titles(text) == ["Kept after"]
    assert [heading for _, heading in reading.skipped] == ["### [2026-01-05] Kept before"]


def test_a_conflict_that_leaves_the_section_unclear_skips_what_follows_until_the_next_section():
    text = (
        BASE
        + "<<<<<<< HEAD\n## MEDIUM Confidence\n=======\n## LOW Confidence\n>>>>>>> other\n"
        + _entry("Which section?", 4)
        + "## Deprecated\n"
    )
    assert _titles(text) == ["Kept before"]
    assert "unclear" in read_learnings(text).problems[-1].message


def test_a_learning_twice_is_skipped_both_times_and_a_stray_marker_spoils_its_entry():
    twice = BASE + _entry("Kept before", 7) + _entry("Other", 8)
    reading = read_learnings(twice)
    assert _titles(twice) == ["Other"] and len(reading.skipped) == 2
    stray = BASE + ">>>>>>> other\n" + _entry("Other", 8)
    assert _titles(stray) == ["Other"]


def test_every_problem_is_reported_not_only_the_first():
    text = (
        "## URGENT\n"
        + _entry("Lost section", 1)
        + "## HIGH Confidence\n"
        + _entry("Bad hour", 30).replace("**Pattern**: p\n", "")
        + "### no date\n"
        + _entry("Fine", 2)
        + '**Mood**: "x"\n'
    )
    reading = read_learnings(text)
    messages = [p.message for p in reading.problems]
    assert _titles(text) == []  # "Fine" carries an unknown field
    assert [p.line for p in reading.problems] == sorted(p.line for p in reading.problems)
    for needle in (
        "section '## URGENT'",
        "unknown section",
        "lacks **Pattern**",
        "hours 0–23",
        "heading",
        "**Mood**",
    ):
        assert any(needle in m for m in messages), needle
    assert len(reading.skipped) == 4


def test_generation_skips_bad_entries_warns_once_and_returns_the_problems(tmp_path: Path, caplog):
    path = tmp_path / "LEARNINGS.md"
    path.write_text(CONFLICTED)
    caplog.set_level(logging.WARNING, logger="eros.learnings")
    first = load_learnings_with_problems(path, "alexia", "alexia", "STANDARD")
    again = load_learnings(path, "bella", "bella", "LITE")
    assert [x.title for x in first.learnings] == [x.title for x in again] == ["Kept before", "Kept after"]
    assert first.path == path and [p.line for p in first.problems] == [
        p.line for p in read_learnings(CONFLICTED).problems
    ]
    warned = [r for r in caplog.records if r.name == "eros.learnings"]
    assert len(warned) == 1 + len(first.problems)  # once per file version, not once per creator
    assert "2 learning(s) skipped" in warned[0].getMessage()
    with pytest.raises(LearningsInvalid):  # writes still read strictly
        read_document(path)


def test_bytes_that_are_not_utf8_skip_their_entry_and_name_the_line(tmp_path: Path):
    path = tmp_path / "LEARNINGS.md"
    text = BASE + _entry("Caf\xe9", 2) + _entry("Kept after", 4)
    path.write_bytes(text.encode("latin-1"))
    reading = read_learnings_file(path)
    assert [e.learning.title for e in reading.document.entries] == ["Kept before", "Kept after"]
    bad_line = text.splitlines().index("### [2026-01-05] Caf\xe9") + 1
    assert [p.line for p in reading.problems] == [bad_line]
    with pytest.raises(LearningsInvalid, match=f"line {bad_line}: byte 0xE9 is not UTF-8"):
        read_document(path)


def test_a_file_that_cannot_be_read_gives_no_learnings_and_one_problem(tmp_path: Path):
    folder = tmp_path / "LEARNINGS.md"
    folder.mkdir()  # a directory where the file should be
    loaded = load_learnings_with_problems(folder, "alexia", "alexia", "STANDARD")
    assert loaded.learnings == () and [p.line for p in loaded.problems] == [0]
    assert "cannot read" in loaded.problems[0].message
    assert load_learnings_with_problems(tmp_path / "missing.md", "a", "a", "LITE").problems == ()
