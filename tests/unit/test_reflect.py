"""Reflection rules: signals → learnings, confidence, de-duplication, promotion, the file round trip."""

from __future__ import annotations

import subprocess
from datetime import date
from typing import Any

import pytest

from eros.errors import ErosError
from eros.learning.capture import correction_signal, performance_signals, signals_from_run
from eros.learning.document import LearningsDocument, parse_document, render_document
from eros.learning.reflection import apply, deprecated_entry, reflect
from eros.learning.signals import NewSignal, Signal
from eros.services.pipeline_run import PipelineResult

TODAY = date(2026, 1, 12)


def _signal(i: int, new: NewSignal) -> Signal:
    return Signal(
        id=i,
        source=new.source,
        kind=new.kind,
        creator_id=new.creator_id,
        schedule_id=new.schedule_id,
        code=new.code,
        payload=new.payload,
        created_at="2026-01-10T00:00:00Z",
        processed_at=None,
    )


def _item(
    time: str, content: str | None = "lingerie", send_type: str = "ppv_unlock", **extra: Any
) -> dict[str, Any]:
    return {
        "send_type_key": send_type,
        "scheduled_date": "2026-01-05",
        "scheduled_time": time,
        "content_type": content,
        "price": extra.pop("price", 15.0),
        **extra,
    }


def _run(violations: list[dict[str, Any]], components: list[dict[str, Any]] = ()) -> PipelineResult:  # type: ignore[assignment]
    items = [_item("02:15"), _item("04:30", "feet"), _item("20:00")]
    return PipelineResult(
        success=False,
        creator_id="alexia",
        week_start="2026-01-05",
        schedule_id=None,
        schedule={"items": items},
        validation={
            "status": "REJECTED",
            "quality_score": 71.0,
            "violations": violations,
            "components": list(components),
        },
    )


DEAD_ZONE = {
    "code": "TIMING_COLLISION",
    "rule": "dead_zone",
    "message": "04:30 is in the dead zone",
    "items": [1],
}


def test_a_run_records_its_violations_with_their_sends_and_lost_points():
    found = signals_from_run(
        _run(
            [DEAD_ZONE, {"code": "VOLUME_MISMATCH", "rule": "daily_cap", "message": "m", "items": [9]}],
            [
                {"name": "pricing", "points": 7.5, "max_points": 10, "reasons": ["x"]},
                {"name": "cooldowns", "points": 10, "max_points": 10, "reasons": []},
            ],
        )
    )
    assert [(s.source, s.kind, s.code) for s in found] == [
        ("validation", "violation", "TIMING_COLLISION"),
        ("validation", "violation", "VOLUME_MISMATCH"),
        ("validation", "score", "pricing"),
    ]
    assert found[0].payload["sends"] == [
        {"index": 1, "hour": 4, "content_type": "feet", "send_type_key": "ppv_unlock", "price": 15.0}
    ]
    assert found[1].payload["sends"] == []  # an index outside the schedule is not invented
    assert found[2].payload["points"] == 7.5 and found[0].payload["quality_score"] == 71.0
    assert signals_from_run(PipelineResult(success=True, creator_id="a", week_start="2026-01-05")) == []


def test_a_correction_names_what_the_scheduler_changed():
    before = [_item("02:00"), _item("12:00", "feet", price=8.0), _item("20:00")]
    after = [_item("21:00"), _item("12:00", "shower", price=12.0), _item("20:00")]
    signal = correction_signal(7, "alexia", 2, before, after)
    assert signal is not None and signal.source == "user" and signal.code == "USER_CORRECTION"
    assert dict(signal.payload) == {
        "revision": 2,
        "removed_hours": [2],
        "added_hours": [21],
        "removed_content": ["feet"],
        "added_content": ["shower"],
        "min_price": 12.0,
    }
    assert correction_signal(7, "alexia", 2, before, list(reversed(before))) is None


def test_performance_compares_actuals_per_send_with_the_plan():
    week = {
        "schedule_id": 3,
        "creator_id": "alexia",
        "week_start": "2026-01-05",
        "quality_score": 88.0,
        "items": [
            _item("20:00", "feet", expected_revenue=100.0),
            _item("20:00", "feet", expected_revenue=100.0),
            _item("12:00", "lingerie", expected_revenue=50.0),
            _item("12:00", "lingerie", expected_revenue=50.0),
        ],
    }
    actuals = [
        {"sent_hour": 20, "content_type": "feet", "send_type_key": "ppv_unlock", "earnings": 30.0},
        {"sent_hour": 20, "content_type": "feet", "send_type_key": "ppv_unlock", "earnings": 40.0},
        {"sent_hour": 12, "content_type": "lingerie", "send_type_key": "ppv_unlock", "earnings": 80.0},
        {"sent_hour": 12, "content_type": "lingerie", "send_type_key": "ppv_unlock", "earnings": 90.0},
    ]
    found = performance_signals(week, actuals)
    assert (
        found[0].kind == "week"
        and found[0].payload["expected"] == 300.0
        and found[0].payload["actual"] == 240.0
    )
    buckets = {(s.payload["dimension"], s.payload["key"]): (s.code, s.payload["ratio"]) for s in found[1:]}
    assert buckets == {
        ("content_type", "feet"): ("UNDERPERFORM", 0.35),
        ("content_type", "lingerie"): ("OVERPERFORM", 1.7),
        ("hour", 12): ("OVERPERFORM", 1.7),
        ("hour", 20): ("UNDERPERFORM", 0.35),
    }


def _violation(i: int, hour_index: int = 1) -> Signal:
    run = _run([{**DEAD_ZONE, "items": [hour_index]}])
    return _signal(i, signals_from_run(run)[0])


def _bucket(i: int, key: str = "feet", code: str = "UNDERPERFORM", creator: str = "alexia") -> Signal:
    payload = {"dimension": "content_type", "key": key, "ratio": 0.5, "week_start": f"2026-0{i}-05"}
    return _signal(
        i, NewSignal("performance", "bucket", creator, i, code, {**payload, "quality_score": 80.0})
    )


def _correction(i: int) -> Signal:
    new = correction_signal(i, "alexia", 2, [_item("02:00")], [_item("21:00")])
    assert new is not None
    return _signal(i, new)


def test_confidence_follows_the_kind_and_count_of_evidence():
    r = reflect([_correction(1), _violation(2), _bucket(3)], LearningsDocument(), TODAY)
    got = sorted(
        (p.entry.learning.source, p.entry.learning.confidence, str(p.entry.learning.directive))
        for p in r.proposals
    )
    assert got == [
        ("performance", "LOW", "{'avoid_content': ['feet']}"),  # one bad week is LOW
        ("user", "HIGH", "{'avoid_hours': [2]}"),  # user corrections are HIGH
        ("user", "HIGH", "{'prefer_hours': [21]}"),
        ("validation", "LOW", "{'avoid_hours': [4]}"),  # one hard-gate violation is LOW
    ]
    high = next(
        p.entry
        for p in r.proposals
        if p.entry.learning.source == "user" and "avoid_hours" in p.entry.learning.directive
    )
    assert high.learning.applies_to == "creator:alexia" and high.fields["Violation Code"] == "USER_CORRECTION"
    assert high.added == TODAY and high.learning.title == "No sends at 02:00 for alexia"
    assert r.signal_ids == (1, 2, 3) and r.unmapped == 0


def test_repeats_raise_confidence_a_hard_gate_twice_is_high_a_pattern_thrice_is_medium():
    r = reflect(
        [_violation(1), _violation(2), _bucket(3), _bucket(4), _bucket(5)], LearningsDocument(), TODAY
    )
    entries = {p.entry.learning.title: p.entry for p in r.proposals}
    assert entries["No sends at 04:00 for alexia"].learning.confidence == "HIGH"
    assert entries["No sends at 04:00 for alexia"].fields["Violation Code"] == "TIMING_COLLISION"
    medium = entries["Avoid feet content for alexia"]
    assert medium.learning.confidence == "MEDIUM" and medium.fields["Sample Size"] == "3"
    assert medium.fields["Quality Score"] == "80" and medium.fields["Metric Impact"] == "-50% RPS vs expected"


def test_signals_without_a_learnable_rule_are_counted_not_invented():
    volume = _signal(
        1, NewSignal("validation", "violation", "alexia", None, "VOLUME_MISMATCH", {"rule": "daily_cap"})
    )
    score = _signal(2, NewSignal("validation", "score", "alexia", None, "pricing", {"points": 5}))
    r = reflect([volume, score], LearningsDocument(), TODAY)
    assert r.empty and r.unmapped == 2 and r.signal_ids == (1, 2)


def _written(signals: list[Signal], document: LearningsDocument | None = None, today: date = TODAY):
    document = document or LearningsDocument()
    return parse_document(render_document(apply(document, reflect(signals, document, today)), today))


def test_known_learnings_are_not_proposed_twice_and_deprecated_ones_never_again():
    document = _written([_correction(1)])
    again = reflect([_correction(2)], document, date(2026, 1, 13))
    assert again.empty and len(again.confirmed) == 2
    first = document.entries[0]
    gone = document.with_entry(deprecated_entry(first, "caused a regression", date(2026, 1, 13)))
    after = reflect([_correction(3)], gone, date(2026, 1, 14))
    assert after.suppressed == (first.learning.id,)
    assert all(p.entry.learning.directive != first.learning.directive for p in after.proposals)


def test_a_low_learning_seen_again_is_promoted():
    document = _written([_bucket(1)])
    (low,) = document.entries
    assert low.learning.confidence == "LOW" and low.sample_size == 1
    r = reflect([_bucket(2)], document, date(2026, 1, 20))
    (promotion,) = r.proposals
    assert promotion.action == "promote" and promotion.previous == low
    assert promotion.entry.learning.confidence == "MEDIUM" and promotion.entry.learning.id == low.learning.id
    assert promotion.entry.promoted == date(2026, 1, 20) and promotion.entry.sample_size == 2
    text = render_document(apply(document, r), date(2026, 1, 20))
    assert (
        "(Promoted: 2026-01-20)" in text and "last_7_days: { added: 0, promoted: 1, deprecated: 0 }" in text
    )
    (again,) = parse_document(text).entries
    assert again.learning.confidence == "MEDIUM" and again.section == "MEDIUM"


def test_a_repeated_hard_gate_promotes_a_low_violation_to_high():
    document = _written([_violation(1)])
    (promotion,) = reflect([_violation(2)], document, date(2026, 1, 13)).proposals
    assert promotion.entry.learning.confidence == "HIGH"
    assert {"Issue", "Correction", "Violation Code"} <= set(promotion.entry.fields)


def test_the_written_file_satisfies_the_runbook_greps(tmp_path):
    document = _written([_correction(1), _violation(2), _bucket(3)])
    path = tmp_path / "LEARNINGS.md"
    path.write_text(render_document(document, TODAY))
    count = subprocess.run(["grep", "-c", r"^### \[", str(path)], capture_output=True, text=True, check=True)
    assert int(count.stdout) == len(document.entries) == 4
    dist = subprocess.run(
        ["grep", "-A1", "by_confidence", str(path)], capture_output=True, text=True, check=True
    )
    assert dist.stdout.splitlines() == [
        "by_confidence: { high: 2, medium: 0, low: 2 }",
        "by_source: { validation: 1, user: 2, performance: 1 }",
    ]


def test_deprecation_needs_a_reason_and_happens_once():
    (entry, *_) = _written([_correction(1)]).entries
    with pytest.raises(ErosError) as caught:
        deprecated_entry(entry, "  ", TODAY)
    assert caught.value.code == "REASON_REQUIRED"
    gone = deprecated_entry(entry, "wrong", TODAY)
    assert not gone.active and gone.fields["Original"].startswith("HIGH: ")
    with pytest.raises(ErosError) as twice:
        deprecated_entry(gone, "again", TODAY)
    assert twice.value.code == "ALREADY_DEPRECATED"


def test_a_user_correction_promotes_a_medium_pattern_to_high():
    document = _written([_bucket(1), _bucket(2), _bucket(3)])
    (medium,) = document.entries
    assert medium.learning.confidence == "MEDIUM"
    edit = correction_signal(9, "alexia", 2, [_item("12:00", "feet")], [_item("12:00", "shower")])
    assert edit is not None
    r = reflect([_signal(9, edit)], document, date(2026, 1, 20))
    promoted = [p for p in r.proposals if p.action == "promote"]
    assert [(p.entry.learning.id, p.entry.learning.confidence) for p in promoted] == [
        (medium.learning.id, "HIGH")
    ]
    assert promoted[0].entry.sample_size == 4
    assert (
        parse_document(render_document(apply(document, r), date(2026, 1, 20)))
        .find(medium.learning.id)
        .section
        == "HIGH"
    )
