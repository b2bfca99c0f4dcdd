"""Reflection: signals → proposed learnings, one directive key and scope at a time (runbook §9).

* HIGH — a user correction, or a hard-gate violation seen in ≥ 2 runs;
* MEDIUM — a pattern (performance) seen ≥ 3 times, with its sample size;
* LOW — a single observation.

A proposal matching an active learning is not proposed again; it promotes a LOW one (at least to
MEDIUM, higher if the combined evidence says so). A deprecated learning is never proposed again.
Everything here decides; `eros.services.reflect` writes the file, marks signals and commits.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from eros.errors import ErosError
from eros.learning.document import (
    CONFIDENCES,
    DIRECTIVE_KEYS,
    SECTION_TITLES,
    Entry,
    LearningsDocument,
    LearningsInvalid,
    clean_text,
    clean_title,
    learning_id,
    new_entry,
    parse_document,
    render_learning,
    validate_applies_to,
    validate_directive,
)
from eros.learning.signals import Signal

#: Hard-gate rules whose offending sends name something a directive can avoid.
VIOLATION_DIRECTIVES: dict[str, str] = {
    "dead_zone": "avoid_hours",
    "avoid_content": "avoid_content",
    "not_in_vault": "avoid_content",
    "forbidden_type": "avoid_send_types",
}
#: Which field of an offending send a violation directive names.
SEND_FIELDS: dict[str, str] = {
    "avoid_hours": "hour",
    "avoid_content": "content_type",
    "avoid_send_types": "send_type_key",
}
#: A person's change (correction_signal payload) → the directive key it argues for.
USER_CHANGES: dict[str, str] = {
    "removed_hours": "avoid_hours",
    "added_hours": "prefer_hours",
    "removed_content": "avoid_content",
    "added_content": "prefer_content",
    "removed_send_types": "avoid_send_types",
    "added_send_types": "prefer_send_types",
}
#: Distinct signals that make a repeated hard-gate violation HIGH and a pattern MEDIUM.
REPEATED_VIOLATIONS = 2
PATTERN_SAMPLE = 3


@dataclass(frozen=True, slots=True)
class Observation:
    """One directive value one signal argues for, in one scope."""

    signal_id: int
    source: str
    kind: str  # "correction" | "violation" | "pattern"
    applies_to: str
    key: str
    value: Any
    code: str
    quality_score: float | None = None
    ratio: float | None = None
    detail: str = ""


def _scope(creator_id: str | None) -> str:
    return f"creator:{creator_id}" if creator_id else "all"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def writable(key: str, value: Any, applies_to: str) -> bool:
    """Can `key: value` in this scope be written to LEARNINGS.md and read back as it is? (Values
    and scopes come from signals, that is from outside: a name with a line break, `**` or 10,000
    characters, an hour of 99 or a price of "cheap" is refused here, not at the write.)"""
    try:
        validate_directive({key: value if DIRECTIVE_KEYS.get(key) == "price" else [value]})
        return validate_applies_to(applies_to) == applies_to
    except (ValueError, TypeError):
        return False


def observations(signal: Signal) -> list[Observation]:
    """What a signal argues for; signals that name nothing a directive can express give none, and
    values that could not be written to the file as they are (`writable`) are left out."""
    return [o for o in _observed(signal) if writable(o.key, o.value, o.applies_to)]


def _observed(signal: Signal) -> list[Observation]:
    p: Mapping[str, Any] = signal.payload if isinstance(signal.payload, Mapping) else {}
    score = _number(p.get("quality_score"))

    def seen(kind: str, key: str, value: Any, detail: str, ratio: float | None = None) -> Observation:
        return Observation(
            signal_id=signal.id,
            source=signal.source,
            kind=kind,
            applies_to=_scope(signal.creator_id),
            key=key,
            value=value,
            code=clean_text(signal.code or "", 48),
            quality_score=score,
            ratio=ratio,
            detail=clean_text(detail),
        )

    if signal.source == "user":
        detail = f"schedule {signal.schedule_id} revision {p.get('revision')}"
        found = [
            seen("correction", key, value, detail)
            for name, key in USER_CHANGES.items()
            for value in _listed(p.get(name))
        ]
        return found + [
            seen("correction", key, p[key], detail)
            for key in ("min_price", "max_price")
            if _number(p.get(key)) is not None
        ]
    if signal.source == "validation" and signal.kind == "violation":
        key = VIOLATION_DIRECTIVES.get(str(p.get("rule") or ""))
        if key is None:
            return []
        sends = [s for s in _listed(p.get("sends")) if isinstance(s, Mapping)]
        named = [s.get(SEND_FIELDS[key]) for s in sends]
        values = sorted({json.dumps(v, sort_keys=True): v for v in named if v is not None}.items())
        return [seen("violation", key, value, str(p.get("message") or "")) for _, value in values]
    if signal.source == "performance" and signal.kind == "bucket":
        dimension = {"content_type": "content", "hour": "hours"}.get(str(p.get("dimension")))
        if dimension is None or p.get("key") is None:
            return []
        prefix = "avoid_" if signal.code == "UNDERPERFORM" else "prefer_"
        detail = (
            f"week of {p.get('week_start')}: ${p.get('actual_per_send')} a send "
            f"vs ${p.get('expected_per_send')} expected"
        )
        return [seen("pattern", prefix + dimension, p["key"], detail, _number(p.get("ratio")) or 0.0)]
    return []


def classify(kind: str, sample: int) -> str:
    """HIGH for a user correction or a repeated hard-gate violation; MEDIUM for a pattern seen
    PATTERN_SAMPLE times; LOW for a single observation."""
    if kind == "correction" or (kind == "violation" and sample >= REPEATED_VIOLATIONS):
        return "HIGH"
    return "MEDIUM" if sample >= PATTERN_SAMPLE else "LOW"


def _strongest(group: Sequence[Observation]) -> tuple[str, list[Observation]]:
    """The confidence a value's observations earn, and the observations of the kind that earns it."""
    by_kind: dict[str, list[Observation]] = defaultdict(list)
    for o in group:
        by_kind[o.kind].append(o)
    ranked = sorted(
        ((classify(kind, len({o.signal_id for o in obs})), kind, obs) for kind, obs in by_kind.items()),
        key=lambda t: (-_rank(t[0]), t[1]),
    )
    return ranked[0][0], ranked[0][2]


def _rank(confidence: str) -> int:
    return len(CONFIDENCES) - CONFIDENCES.index(confidence)


def _covers(entry: Entry, applies_to: str, key: str, value: Any) -> bool:
    """Does this entry already say `key: value` for this scope?"""
    if entry.learning.applies_to != applies_to or key not in entry.learning.directive:
        return False
    held = entry.learning.directive[key]
    return value in held if isinstance(held, list) else held == value


@dataclass(frozen=True, slots=True)
class Proposal:
    action: str  # "add" | "promote"
    entry: Entry
    signal_ids: tuple[int, ...]
    previous: Entry | None = None


@dataclass(frozen=True, slots=True)
class Reflection:
    proposals: tuple[Proposal, ...]
    #: Active learnings the signals confirmed without changing them.
    confirmed: tuple[str, ...]
    #: Deprecated learnings the signals argued for again (never re-proposed).
    suppressed: tuple[str, ...]
    #: Every signal considered; all are processed when the reflection is written.
    signal_ids: tuple[int, ...]
    #: Signals that named nothing a directive can express (e.g. a volume gate, a score component).
    unmapped: int = 0
    #: Signals whose values or text could not be written to LEARNINGS.md as they are (a name with
    #: a line break, an hour of 99, …): processed like the others, never written.
    rejected: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.proposals


_DESCRIBE = {
    "avoid_hours": "No sends at {v}",
    "prefer_hours": "Prefer sends at {v}",
    "avoid_content": "Avoid {v} content",
    "prefer_content": "Prefer {v} content",
    "avoid_send_types": "Avoid {v} sends",
    "prefer_send_types": "Prefer {v} sends",
    "min_price": "PPV prices from ${v}",
    "max_price": "PPV prices up to ${v}",
}


def _value_text(key: str, values: Sequence[Any]) -> str:
    if key.endswith("_hours"):
        return ", ".join(f"{int(h):02d}:00" for h in values)
    if key.endswith("_price"):
        return f"{float(values[0]):g}"
    return ", ".join(str(v) for v in values)


def _directive(key: str, values: Sequence[Any]) -> dict[str, Any]:
    if key == "min_price":
        return {key: max(float(v) for v in values)}
    if key == "max_price":
        return {key: min(float(v) for v in values)}
    return {key: sorted(set(values), key=str)}


def _fields(
    confidence: str, key: str, group: Sequence[Observation], sample: int, scope: str
) -> dict[str, str]:
    first, kind = group[0], group[0].kind
    values = sorted({o.value for o in group}, key=str)
    what = _DESCRIBE[key].format(v=_value_text(key, values))
    scores = [o.quality_score for o in group if o.quality_score is not None]
    ratios = [o.ratio for o in group if o.ratio is not None]
    pattern = {
        "correction": f"A scheduler edited a generated week ({first.detail}): {what.lower()}",
        "violation": f"Schedules broke {first.code} ({first.detail})",
        "pattern": f"{what} — {first.detail}",
    }[kind]
    if confidence == "HIGH":
        return {
            "Pattern": pattern,
            "Issue": "the scheduler corrected it by hand"
            if kind == "correction"
            else f"hard gate {first.code} rejected it in {sample} run(s)",
            "Correction": f"{what} ({scope})",
            "Violation Code": first.code,
            "Sample Size": str(sample),
        }
    impact = (
        f"{(sum(ratios) / len(ratios) - 1) * 100:+.0f}% RPS vs expected"
        if ratios
        else ("fewer hard-gate rejections" if kind == "violation" else "matches the scheduler's edits")
    )
    insight = {
        "pattern": "actual revenue per send differed from the plan's expectation",
        "violation": "the validator rejects these sends",
        "correction": "people keep making this edit",
    }[kind]
    return {
        "Pattern": pattern,
        "Insight": insight,
        "Quality Score": f"{sum(scores) / len(scores):.0f}" if scores else "n/a",
        "Sample Size": str(sample),
        "Metric Impact": impact,
    }


def _title(key: str, values: Sequence[Any], scope: str) -> str:
    who = "all creators" if scope == "all" else scope.split(":", 1)[1]
    return clean_title(f"{_DESCRIBE[key].format(v=_value_text(key, values))} for {who}")


def round_trips(entry: Entry) -> bool:
    """Does the entry render, alone in its section, and read back as itself? (The last guard
    before a proposal is written: one that would not is refused, never written.)"""
    try:
        text = f"## {SECTION_TITLES[entry.section]}\n" + render_learning(entry)
        (back,) = parse_document(text).entries
    except (LearningsInvalid, ValueError, KeyError):
        return False
    shown = {k: v for k, v in entry.fields.items() if v}
    return back.learning == entry.learning and dict(back.fields) == shown and back.added == entry.added


def reflect(signals: Sequence[Signal], document: LearningsDocument, today: date) -> Reflection:
    """Proposed learnings from pending signals, de-duplicated against the document (pure)."""
    observed = [(o, writable(o.key, o.value, o.applies_to)) for s in signals for o in _observed(s)]
    found = [o for o, ok in observed if ok]
    mapped = {o.signal_id for o, _ in observed}
    rejected = {o.signal_id for o, ok in observed if not ok}
    active = [e for e in document.entries if e.active]
    deprecated = [e for e in document.entries if not e.active]
    groups: dict[tuple[str, str, str], list[Observation]] = defaultdict(list)
    for o in found:
        groups[(o.applies_to, o.key, json.dumps(o.value))].append(o)

    promotions: dict[str, tuple[Entry, list[Observation]]] = {}
    confirmed: set[str] = set()
    suppressed: set[str] = set()
    new: dict[tuple[str, str, str, str], list[Observation]] = defaultdict(list)
    for (scope, key, _), group in sorted(groups.items()):
        value = group[0].value
        if gone := next((e for e in deprecated if _covers(e, scope, key, value)), None):
            suppressed.add(gone.learning.id)
            continue
        if known := next((e for e in active if _covers(e, scope, key, value)), None):
            promotions.setdefault(known.learning.id, (known, []))[1].extend(group)
            continue
        confidence, strongest = _strongest(group)
        new[(scope, key, confidence, strongest[0].source)].extend(strongest)

    proposals: list[Proposal] = []
    taken = {e.learning.id for e in document.entries}
    for (scope, key, confidence, source), group in sorted(new.items()):
        values = [o.value for o in group]
        directive = _directive(key, values)
        shown = directive[key] if isinstance(directive[key], list) else [directive[key]]
        sample = len({o.signal_id for o in group})
        title = _title(key, shown, scope)
        while learning_id(today, title) in taken:
            title += " (again)"
        taken.add(learning_id(today, title))
        entry = new_entry(
            confidence=confidence,
            title=title,
            added=today,
            source=source,
            applies_to=scope,
            directive=directive,
            fields=_fields(confidence, key, group, sample, scope),
        )
        proposals.append(Proposal("add", entry, tuple(sorted({o.signal_id for o in group}))))
    for known, group in promotions.values():
        sample = known.sample_size + len({o.signal_id for o in group})
        target = max((classify(o.kind, sample) for o in group), key=_rank)
        if known.learning.confidence == "LOW" and _rank(target) < _rank("MEDIUM"):
            target = "MEDIUM"
        if _rank(target) <= _rank(known.learning.confidence):
            confirmed.add(known.learning.id)
            continue
        key = next(iter(known.learning.directive))
        fields = {
            **_fields(target, key, group, sample, known.learning.applies_to),
            **{k: v for k, v in known.fields.items() if k in ("Pattern", "Insight")},
        }
        promoted = replace(
            known,
            learning=known.learning.model_copy(update={"confidence": target}),
            fields={**fields, "Sample Size": str(sample)},
            promoted=today,
        )
        proposals.append(Proposal("promote", promoted, tuple(sorted({o.signal_id for o in group})), known))
    writable_proposals = [p for p in proposals if round_trips(p.entry)]
    for refused in (p for p in proposals if p not in writable_proposals):
        rejected.update(refused.signal_ids)
    return Reflection(
        proposals=tuple(writable_proposals),
        confirmed=tuple(sorted(confirmed)),
        suppressed=tuple(sorted(suppressed)),
        signal_ids=tuple(s.id for s in signals),
        unmapped=sum(1 for s in signals if s.id not in mapped),
        rejected=tuple(sorted(rejected)),
    )


def without(reflection: Reflection, rejected: Sequence[str]) -> Reflection:
    """The reflection minus the proposals a reviewer rejected (by id or unique prefix); their signals
    are still processed, so they are not proposed again until new evidence arrives."""
    for ident in rejected:
        if not any(p.entry.learning.id.startswith(ident) for p in reflection.proposals):
            raise ErosError(f"{ident!r} is not a proposed learning", code="LEARNING_NOT_FOUND")
    kept = tuple(
        p for p in reflection.proposals if not any(p.entry.learning.id.startswith(i) for i in rejected)
    )
    return replace(reflection, proposals=kept)


def apply(document: LearningsDocument, reflection: Reflection) -> LearningsDocument:
    for proposal in reflection.proposals:
        document = document.with_entry(proposal.entry)
    return document


def deprecated_entry(entry: Entry, reason: str, today: date) -> Entry:
    """The entry moved to Deprecated (runbook §9 Option A): what it said and why it went."""
    if not entry.active:
        raise ErosError(f"learning {entry.learning.id} is already deprecated", code="ALREADY_DEPRECATED")
    if not reason.strip() or "\n" in reason:
        raise ErosError("a deprecation needs a one-line reason", code="REASON_REQUIRED")
    original = f"{entry.learning.confidence}: {entry.fields.get('Pattern') or entry.learning.title}"
    return replace(
        entry, deprecated=today, fields={**entry.fields, "Original": original, "Reason": reason.strip()}
    )


def commit_message(reflection: Reflection) -> str:
    added = [p for p in reflection.proposals if p.action == "add"]
    promoted = [p for p in reflection.proposals if p.action == "promote"]
    parts = [f"add {len(added)}"] + ([f"promote {len(promoted)}"] if promoted else [])
    titles = "\n".join(f"- {p.action} {p.entry.learning.id}" for p in reflection.proposals)
    signals = len(reflection.signal_ids)
    return f"reflect(eros): {', '.join(parts)} learning(s) from {signals} signal(s)\n\n{titles}"


def deprecation_message(entry: Entry) -> str:
    """The commit message of a deprecation: which learning went and why."""
    return f"reflect(eros): deprecate {entry.learning.id}\n\nReason: {entry.fields['Reason']}"
