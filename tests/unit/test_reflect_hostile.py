"""Hostile text in a captured signal (line breaks, `| **`, headings, surrogates, very long strings)
can never break LEARNINGS.md: what reflection proposes renders and reads back as itself, and what
cannot be written as it is is refused cleanly (its signal processed, nothing written)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eros.learning.document import (
    CONFIDENCES,
    DEPRECATED,
    LearningsDocument,
    clean_text,
    clean_title,
    parse_document,
    read_learnings,
    render_document,
)
from eros.learning.reflection import VIOLATION_DIRECTIVES, apply, reflect
from eros.learning.signals import Signal

TODAY = date(2026, 1, 12)
HOSTILE = [
    "\n",
    "\r\n",
    "\u2028",
    "\u2029",
    "\x85",
    "\x0b",
    "\x1c",
    "\x00",
    "\ud800",
    "\ufffd",
    "\u200b",
    "| **",
    " | **Directive**: {}",
    "| **Applies To**: all",
    "### [2026-01-01] injected",
    "\n### [2026-01-01] injected\n**Pattern**: p",
    "## HIGH Confidence",
    "\n## Someday\n",
    "**Pattern**:",
    "(Promoted: 2026-01-01)",
    " (Deprecated: 2026-13-40)",
    "```",
    "<<<<<<< HEAD",
    "\n=======\n",
    ">>>>>>> theirs",
    "*",
    "|",
    "[",
    "]",
    '"',
    "x" * 3000,
    "feet",
    "lingerie",
    "alexia",
]
TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(exclude_categories=[]), max_size=30),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8)), min_size=1, max_size=5).map("".join),
)
VALUE = st.one_of(
    TEXT,
    st.integers(-3, 30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(st.integers(0, 23), max_size=2),
    st.sampled_from(["ppv_unlock", "bump_normal", 2, 21, 9.5, 15.0]),
)


@st.composite
def hostile_signal(draw: st.DrawFn, ident: int) -> Signal:
    kind = draw(st.sampled_from(["user", "violation", "bucket"]))
    creator = draw(st.one_of(st.sampled_from(["alexia", None]), TEXT))
    code: Any = draw(st.one_of(st.none(), TEXT))
    payload: dict[str, Any] = {"quality_score": draw(VALUE)}
    if kind == "user":
        source, name = "user", "correction"
        for key in ("removed_content", "added_hours", "removed_send_types", "added_content"):
            payload[key] = draw(st.one_of(st.lists(VALUE, max_size=3), VALUE))
        payload.update(revision=draw(VALUE), min_price=draw(VALUE), max_price=draw(VALUE))
    elif kind == "violation":
        source, name = "validation", "violation"
        fields = st.sampled_from(["hour", "content_type", "send_type_key"])
        payload.update(
            rule=draw(st.sampled_from([*VIOLATION_DIRECTIVES, "daily_cap"])),
            message=draw(TEXT),
            sends=draw(st.lists(st.one_of(st.dictionaries(fields, VALUE, max_size=3), VALUE), max_size=3)),
        )
    else:
        source, name = "performance", "bucket"
        code = draw(st.one_of(st.sampled_from(["UNDERPERFORM", "OVERPERFORM"]), TEXT))
        payload.update(
            dimension=draw(st.sampled_from(["content_type", "hour", "mood"])),
            key=draw(VALUE),
            week_start=draw(TEXT),
            actual_per_send=draw(VALUE),
            expected_per_send=draw(VALUE),
            ratio=draw(VALUE),
        )
    return Signal(
        id=ident,
        source=source,
        kind=name,
        creator_id=creator,
        schedule_id=draw(st.one_of(st.none(), st.integers())),
        code=code,
        payload=draw(st.one_of(st.just(payload), st.just([payload]))) if ident == 99 else payload,
        created_at="2026-01-10T00:00:00Z",
        processed_at=None,
    )


@st.composite
def hostile_signals(draw: st.DrawFn) -> list[Signal]:
    return [draw(hostile_signal(i)) for i in range(1, draw(st.integers(1, 4)) + 1)]


EXISTING = parse_document(
    "## LOW Confidence\n### [2026-01-05] Feet flop for alexia\n**Pattern**: p\n**Source**: performance\n"
    '**Applies To**: creator:alexia\n**Sample Size**: 1\n**Directive**: {"avoid_content": ["feet"]}\n'
)


def _order(document: LearningsDocument) -> list[Any]:
    sections = (*CONFIDENCES, DEPRECATED)
    return [e.learning for e in sorted(document.entries, key=lambda e: sections.index(e.section))]


def _raw_strings(signals: list[Signal]) -> set[str]:
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for signal in signals:
        walk(signal.payload)
    return found


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_signals(), st.sampled_from([LearningsDocument(), EXISTING]))
def test_any_signal_text_round_trips_or_is_refused_and_never_breaks_the_file(
    signals: list[Signal], document: LearningsDocument
) -> None:
    reflection = reflect(signals, document, TODAY)  # never raises
    assert reflection.signal_ids == tuple(s.id for s in signals)  # every signal is processed
    assert set(reflection.rejected) <= set(reflection.signal_ids)
    written = apply(document, reflection)
    text = render_document(written, TODAY)  # never raises: the write cannot be wedged
    text.encode("utf-8")  # no lone surrogate reaches the file
    back = read_learnings(text)
    assert back.problems == ()  # generation reads it whole
    assert [e.learning for e in back.document.entries] == _order(written)
    names = _raw_strings(signals)
    for proposal in reflection.proposals:  # what is written is the signal's value itself, not a variant
        for value in proposal.entry.learning.directive.values():
            for item in value if isinstance(value, list) else [value]:
                assert not isinstance(item, str) or item in names
    # and a later, ordinary reflection on the written file still writes
    ordinary = Signal(
        1000,
        "user",
        "correction",
        "alexia",
        7,
        "USER_CORRECTION",
        {"revision": 2, "removed_hours": [2]},
        "",
        None,
    )
    later = reflect([ordinary], back.document, TODAY + timedelta(days=1))
    parse_document(render_document(apply(back.document, later), TODAY + timedelta(days=1)))


def _correction(payload: dict[str, Any], creator: str | None = "alexia", ident: int = 1) -> Signal:
    return Signal(ident, "user", "correction", creator, 7, "USER_CORRECTION", payload, "", None)


def test_a_name_that_would_inject_a_field_or_heading_is_refused_and_its_neighbours_still_written():
    evil = 'feet"]} | **Directive**: {"avoid_hours": [1]}\n### [2026-01-01] injected'
    reflection = reflect(
        [
            _correction({"revision": 2, "removed_content": [evil, "lingerie"]}),
            _correction({}, creator="a\nb", ident=2),
        ],
        LearningsDocument(),
        TODAY,
    )
    assert reflection.rejected == (1,) and reflection.unmapped == 1
    (proposal,) = reflection.proposals
    assert proposal.entry.learning.directive == {"avoid_content": ["lingerie"]}
    text = render_document(apply(LearningsDocument(), reflection), TODAY)
    assert "injected" not in text and parse_document(text).entries[0].learning == proposal.entry.learning


def test_prose_from_a_signal_is_cleaned_not_refused():
    message = "no sends\n### [2026-01-01] x | **Directive**: {} " + "y" * 1000
    violation = Signal(
        3,
        "validation",
        "violation",
        "alexia",
        None,
        "DEAD\nZONE | **",
        {"rule": "dead_zone", "message": message, "sends": [{"hour": 4}]},
        "",
        None,
    )
    (proposal,) = reflect([violation], LearningsDocument(), TODAY).proposals
    pattern = proposal.entry.fields["Pattern"]
    assert "\n" not in pattern and "**" not in pattern and len(pattern) < 400
    assert proposal.entry.learning.directive == {"avoid_hours": [4]}
    assert "broke DEAD ZONE | * (no sends ### [2026-01-01] x | *Directive*: {} yyy" in pattern


def test_clean_text_and_clean_title():
    assert clean_text("a\u2028b\x85c\r\nd\x00e  f") == "a b c d e f"
    assert clean_text("**bold** | **X**:") == "*bold* | *X*:"
    assert clean_text("\ud800ok\ufffd") == "ok"
    assert clean_text("z" * 500, 10) == "z" * 9 + "…"
    assert clean_title("Title (Promoted: 2026-01-01) (Deprecated: x)") == "Title"
    assert clean_title("\n") == "learning"
