"""The learning loop (ARCHITECTURE §2; rollout plan Phase 7; runbook §9): signals → reflect → LEARNINGS.md.

Three kinds of signal are captured: validation (a run's hard-gate violations and the score
components that lost points, recorded where runs are recorded), user (a scheduler's edit of a
generated week, found by diffing schedule revisions) and performance (a finished week's actual
revenue per send against the plan's expectation, by content type and hour). Reflection turns
them into learnings, one directive key and scope at a time:

* HIGH — a user correction, or a hard-gate violation seen in ≥ 2 runs;
* MEDIUM — a pattern (performance) seen ≥ 3 times, with its sample size;
* LOW — a single observation.

A proposal matching an active learning is not proposed again; it promotes a LOW one (at least to
MEDIUM, higher if the combined evidence says so). A deprecated learning is never proposed again.
Writing renders LEARNINGS.md, marks the signals processed and commits the file alone with git
(`reflect(eros): …`). The classification functions are pure; I/O is at the bottom.
"""

from __future__ import annotations

import json
import logging
import subprocess
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from eros.clock import iso_z
from eros.db import signals_repo
from eros.db.signals_repo import NewSignal, Signal, SignalRepository
from eros.errors import ErosError
from eros.learning.document import (
    CONFIDENCES,
    Entry,
    LearningsDocument,
    Statistics,
    learning_id,
    new_entry,
    read_document,
    render_document,
    statistics,
)

if TYPE_CHECKING:
    from eros.bootstrap import Container
    from eros.services.pipeline_run import PipelineResult

logger = logging.getLogger("eros.reflect")

REFLECT_GIT_FAILED = "REFLECT_GIT_FAILED"
#: Generators that are pipelines; a revision saved by anything else is a person's edit.
PIPELINE_GENERATORS: frozenset[str] = frozenset({"v4", "v5", "custom"})
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
#: A week's bucket (content type or hour) under this share of its expected revenue per send
#: under-performed; over OVER_RATIO it over-performed. Buckets need MIN_SENDS on both sides.
UNDER_RATIO = 0.70
OVER_RATIO = 1.30
MIN_SENDS = 2
#: Distinct signals that make a repeated hard-gate violation HIGH and a pattern MEDIUM.
REPEATED_VIOLATIONS = 2
PATTERN_SAMPLE = 3


class ReflectGitFailed(ErosError):
    code = REFLECT_GIT_FAILED


# --- capture: signals from what happened (pure) --------------------------------------


def _hour(item: Mapping[str, Any]) -> int | None:
    text = str(item.get("scheduled_time") or "")
    return int(text[:2]) if len(text) >= 2 and text[:2].isdigit() else None


def _send(index: int, item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "index": index,
        "hour": _hour(item),
        "content_type": item.get("content_type"),
        "send_type_key": item.get("send_type_key"),
        "price": item.get("price"),
    }


def signals_from_run(result: PipelineResult) -> list[NewSignal]:
    """A run's violations (with the sends they name) and its components that lost points."""
    validation = result.validation or {}
    if not validation:
        return []
    items = list((result.schedule or {}).get("items") or [])
    context = {
        "pipeline": result.pipeline,
        "week_start": result.week_start,
        "validation_status": validation.get("status"),
        "quality_score": validation.get("quality_score"),
    }

    def signal(kind: str, code: Any, payload: dict[str, Any]) -> NewSignal:
        return NewSignal(
            source="validation",
            kind=kind,
            creator_id=result.creator_id,
            schedule_id=result.schedule_id,
            code=str(code or "")[:48] or None,
            payload={**context, **payload},
        )

    found: list[NewSignal] = []
    for violation in validation.get("violations") or []:
        if not isinstance(violation, Mapping):
            continue
        indices = [i for i in violation.get("items") or [] if isinstance(i, int) and 0 <= i < len(items)]
        payload = {
            "rule": violation.get("rule") or "",
            "message": violation.get("message") or "",
            "sends": [_send(i, items[i]) for i in indices],
        }
        found.append(signal("violation", violation.get("code"), payload))
    for component in validation.get("components") or []:
        if not isinstance(component, Mapping):
            continue
        points, most = component.get("points"), component.get("max_points")
        if isinstance(points, int | float) and isinstance(most, int | float) and points < most:
            payload = {"points": points, "max_points": most, "reasons": component.get("reasons")}
            found.append(signal("score", component.get("name"), payload))
    return found


def _values(items: Iterable[Mapping[str, Any]]) -> dict[str, Counter[Any]]:
    counts: dict[str, Counter[Any]] = {"hours": Counter(), "content": Counter(), "send_types": Counter()}
    for item in items:
        if (hour := _hour(item)) is not None:
            counts["hours"][hour] += 1
        if item.get("content_type"):
            counts["content"][item["content_type"]] += 1
        if item.get("send_type_key"):
            counts["send_types"][item["send_type_key"]] += 1
    return counts


def correction_signal(
    schedule_id: int,
    creator_id: str,
    revision: int,
    previous: Sequence[Mapping[str, Any]],
    current: Sequence[Mapping[str, Any]],
) -> NewSignal | None:
    """What a person changed in a generated week: hours, content and send types emptied or
    newly used, and a raised price floor / lowered ceiling. None when nothing of that changed."""
    before, after = _values(previous), _values(current)
    change: dict[str, Any] = {}
    for name in ("hours", "content", "send_types"):
        removed = sorted(k for k in before[name] if not after[name][k])
        added = sorted(k for k in after[name] if not before[name][k])
        if removed:
            change[f"removed_{name}"] = removed
        if added:
            change[f"added_{name}"] = added
    old_prices = [float(i["price"]) for i in previous if isinstance(i.get("price"), int | float)]
    new_prices = [float(i["price"]) for i in current if isinstance(i.get("price"), int | float)]
    if old_prices and new_prices and min(new_prices) > min(old_prices):
        change["min_price"] = min(new_prices)
    if old_prices and new_prices and max(new_prices) < max(old_prices):
        change["max_price"] = max(new_prices)
    if not change:
        return None
    return NewSignal(
        source="user",
        kind="correction",
        creator_id=creator_id,
        schedule_id=schedule_id,
        code="USER_CORRECTION",
        payload={"revision": revision, **change},
    )


def _per_send(rows: Iterable[tuple[Any, float]]) -> dict[Any, tuple[int, float]]:
    sums: dict[Any, list[float]] = defaultdict(list)
    for key, value in rows:
        if key is not None:
            sums[key].append(value)
    return {key: (len(values), sum(values) / len(values)) for key, values in sums.items()}


def performance_signals(week: Mapping[str, Any], actuals: Sequence[Mapping[str, Any]]) -> list[NewSignal]:
    """A finished week's actual revenue per send against the plan's, per content type and hour.

    Always one `week` signal (the totals); one `bucket` signal per content type or hour whose
    actual revenue per send fell under UNDER_RATIO or rose over OVER_RATIO of the expectation.
    """
    planned = [i for i in week["items"] if isinstance(i.get("expected_revenue"), int | float)]
    planned = [i for i in planned if i["expected_revenue"] > 0]
    expected_total = sum(float(i["expected_revenue"]) for i in planned)
    actual_total = sum(float(a["earnings"] or 0.0) for a in actuals)
    base = {"week_start": week["week_start"], "quality_score": week.get("quality_score")}
    found = [
        NewSignal(
            source="performance",
            kind="week",
            creator_id=week["creator_id"],
            schedule_id=week["schedule_id"],
            code="WEEK_ACTUALS",
            payload={**base, "expected": round(expected_total, 2), "actual": round(actual_total, 2)},
        )
    ]
    dimensions = {
        "content_type": (
            _per_send((i.get("content_type"), float(i["expected_revenue"])) for i in planned),
            _per_send((a["content_type"], float(a["earnings"] or 0.0)) for a in actuals),
        ),
        "hour": (
            _per_send((_hour(i), float(i["expected_revenue"])) for i in planned),
            _per_send((a["sent_hour"], float(a["earnings"] or 0.0)) for a in actuals),
        ),
    }
    for dimension, (plan, actual) in dimensions.items():
        for key in sorted(set(plan) & set(actual), key=str):
            (planned_sends, expected), (sent, got) = plan[key], actual[key]
            if planned_sends < MIN_SENDS or sent < MIN_SENDS or expected <= 0:
                continue
            ratio = got / expected
            if UNDER_RATIO <= ratio <= OVER_RATIO:
                continue
            found.append(
                NewSignal(
                    source="performance",
                    kind="bucket",
                    creator_id=week["creator_id"],
                    schedule_id=week["schedule_id"],
                    code="UNDERPERFORM" if ratio < UNDER_RATIO else "OVERPERFORM",
                    payload={
                        **base,
                        "dimension": dimension,
                        "key": key,
                        "expected_per_send": round(expected, 2),
                        "actual_per_send": round(got, 2),
                        "sends": sent,
                        "ratio": round(ratio, 3),
                    },
                )
            )
    return found


# --- reflection: signals → proposed learnings (pure) ----------------------------------


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


def observations(signal: Signal) -> list[Observation]:
    """What a signal argues for; signals that name nothing a directive can express give none."""
    p = signal.payload
    score = p.get("quality_score")

    def seen(kind: str, key: str, value: Any, detail: str, ratio: float | None = None) -> Observation:
        return Observation(
            signal_id=signal.id,
            source=signal.source,
            kind=kind,
            applies_to=_scope(signal.creator_id),
            key=key,
            value=value,
            code=signal.code or "",
            quality_score=float(score) if isinstance(score, int | float) else None,
            ratio=ratio,
            detail=detail,
        )

    if signal.source == "user":
        detail = f"schedule {signal.schedule_id} revision {p.get('revision')}"
        found = [
            seen("correction", key, value, detail)
            for name, key in USER_CHANGES.items()
            for value in p.get(name) or []
        ]
        return found + [
            seen("correction", key, p[key], detail)
            for key in ("min_price", "max_price")
            if isinstance(p.get(key), int | float)
        ]
    if signal.source == "validation" and signal.kind == "violation":
        key = VIOLATION_DIRECTIVES.get(str(p.get("rule") or ""))
        if key is None:
            return []
        sends = p.get("sends") or []
        values = sorted({s.get(SEND_FIELDS[key]) for s in sends} - {None}, key=str)
        return [seen("violation", key, value, str(p.get("message") or "")) for value in values]
    if signal.source == "performance" and signal.kind == "bucket":
        dimension = {"content_type": "content", "hour": "hours"}.get(str(p.get("dimension")))
        if dimension is None or p.get("key") is None:
            return []
        prefix = "avoid_" if signal.code == "UNDERPERFORM" else "prefer_"
        detail = (
            f"week of {p.get('week_start')}: ${p.get('actual_per_send')} a send "
            f"vs ${p.get('expected_per_send')} expected"
        )
        return [seen("pattern", prefix + dimension, p["key"], detail, float(p.get("ratio") or 0.0))]
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
    return f"{_DESCRIBE[key].format(v=_value_text(key, values))} for {who}"


def reflect(signals: Sequence[Signal], document: LearningsDocument, today: date) -> Reflection:
    """Proposed learnings from pending signals, de-duplicated against the document (pure)."""
    found = [o for s in signals for o in observations(s)]
    mapped = {o.signal_id for o in found}
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
    return Reflection(
        proposals=tuple(proposals),
        confirmed=tuple(sorted(confirmed)),
        suppressed=tuple(sorted(suppressed)),
        signal_ids=tuple(s.id for s in signals),
        unmapped=sum(1 for s in signals if s.id not in mapped),
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


# --- I/O: capture, write, commit -------------------------------------------------------


def capture_run(signals: SignalRepository, result: PipelineResult | None, now: datetime) -> int:
    """Record a finished run's validation signals (the hook where runs are recorded); a run that
    raised (no result) has none."""
    return signals.insert(signals_from_run(result) if result is not None else [], now)


def capture(conn: Connection, now: datetime) -> int:
    """Record user corrections and finished weeks' actuals not yet seen; the number recorded."""
    seen = signals_repo.SignalRepository(conn).recorded_corrections()
    found: list[NewSignal] = []
    for edit in signals_repo.SignalRepository(conn).edited_schedules(PIPELINE_GENERATORS):
        if (edit["schedule_id"], edit["revision"]) in seen:
            continue
        signal = correction_signal(
            edit["schedule_id"], edit["creator_id"], edit["revision"], edit["previous_items"], edit["items"]
        )
        if signal is not None:
            found.append(signal)
    for week in signals_repo.SignalRepository(conn).finished_weeks(now.date()):
        actuals = signals_repo.SignalRepository(conn).week_actuals(
            week["creator_id"], week["week_start"], week["week_end"]
        )
        if actuals:
            found.extend(performance_signals(week, actuals))
    return signals_repo.SignalRepository(conn).insert(found, now)


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise ReflectGitFailed(f"cannot run git: {exc}") from exc


def commit_file(path: Path, message: str) -> str | None:
    """Commit `path` alone (`git commit --only`); `git init` its directory when no repository holds
    it. Returns the new commit's id, or None when the file had no change to commit."""
    folder = path.resolve().parent
    top = _git(["rev-parse", "--show-toplevel"], folder)
    if top.returncode != 0:
        init = _git(["init", "-q"], folder)
        if init.returncode != 0:
            raise ReflectGitFailed(f"git init {folder} failed: {init.stderr.strip()}")
        top = _git(["rev-parse", "--show-toplevel"], folder)
    root = Path(top.stdout.strip())
    relative = str(path.resolve().relative_to(root.resolve()))
    identity: list[str] = []
    if _git(["config", "user.email"], root).returncode != 0:
        identity = ["-c", "user.name=eros reflect", "-c", "user.email=eros-reflect@localhost"]
    added = _git(["add", "--", relative], root)
    if added.returncode != 0:
        raise ReflectGitFailed(f"git add {relative} failed: {added.stderr.strip()}")
    if _git(["diff", "--cached", "--quiet", "--", relative], root).returncode == 0:
        return None
    done = _git([*identity, "commit", "-q", "-m", message, "--only", "--", relative], root)
    if done.returncode != 0:
        raise ReflectGitFailed(
            f"git commit of {relative} failed (the file is written; commit it by hand): "
            f"{(done.stderr or done.stdout).strip()}",
            details={"path": str(path)},
        )
    return _git(["rev-parse", "HEAD"], root).stdout.strip()


@dataclass(frozen=True, slots=True)
class Outcome:
    reflection: Reflection
    captured: int
    written: bool = False
    commit: str | None = None
    path: Path | None = None


def _write(path: Path, document: LearningsDocument, today: date) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_document(document, today), encoding="utf-8")


def run_reflect(
    container: Container, *, write: bool, limit: int | None = None, reject: Sequence[str] = ()
) -> Outcome:
    """Capture new signals, reflect on the pending ones and, when `write`, write, mark and commit.
    `reject` drops proposals a reviewer judged wrong (runbook: "Reject any learnings that seem incorrect")."""
    now = container.clock.now()
    path = container.settings.learnings_path
    document = read_document(path)
    with container.engine.begin() as conn:
        captured = capture(conn, now)
        signals = signals_repo.SignalRepository(conn).pending(limit)
    reflection = without(reflect(signals, document, now.date()), reject)
    if not write or not reflection.signal_ids:
        return Outcome(reflection, captured)
    if not reflection.empty:
        _write(path, apply(document, reflection), now.date())
    with container.engine.begin() as conn:
        signals_repo.SignalRepository(conn).mark_processed(reflection.signal_ids, now)
    commit = commit_file(path, commit_message(reflection)) if not reflection.empty else None
    logger.info("reflect wrote %d proposal(s), commit %s", len(reflection.proposals), commit)
    return Outcome(reflection, captured, written=not reflection.empty, commit=commit, path=path)


def deprecate(container: Container, ident: str, reason: str) -> tuple[Entry, str | None]:
    """Move a learning to Deprecated with its reason, write and commit (runbook §9 Option A)."""
    today = container.clock.now().date()
    path = container.settings.learnings_path
    document = read_document(path)
    entry = deprecated_entry(document.find(ident), reason, today)
    _write(path, document.with_entry(entry), today)
    message = f"reflect(eros): deprecate {entry.learning.id}\n\nReason: {entry.fields['Reason']}"
    return entry, commit_file(path, message)


@dataclass(frozen=True, slots=True)
class Status:
    statistics: Statistics
    pending: dict[str, int]
    auto_reflect: bool
    path: Path
    total: int = 0
    captured: int = 0


def status(container: Container) -> Status:
    """The runbook's statistics, pending signals by source and the auto-reflection switch."""
    now = container.clock.now()
    document = read_document(container.settings.learnings_path)
    with container.engine.begin() as conn:
        captured = capture(conn, now)
        pending = signals_repo.SignalRepository(conn).pending_by_source()
        auto = signals_repo.SignalRepository(conn).auto_reflect()
    return Status(
        statistics=statistics(document.entries, now.date()),
        pending=pending,
        auto_reflect=auto,
        path=container.settings.learnings_path,
        total=len(document.entries),
        captured=captured,
    )


def set_auto(container: Container, on: bool, *, actor: str, reason: str | None = None) -> None:
    with container.engine.begin() as conn:
        signals_repo.SignalRepository(conn).set_auto_reflect(
            on, actor=actor, at=iso_z(container.clock.now()), reason=reason
        )


def auto_enabled(container: Container) -> bool:
    with container.engine.connect() as conn:
        return signals_repo.SignalRepository(conn).auto_reflect()


__all__ = [
    "Observation",
    "Outcome",
    "Proposal",
    "Reflection",
    "Status",
    "apply",
    "capture",
    "capture_run",
    "classify",
    "commit_file",
    "correction_signal",
    "deprecate",
    "observations",
    "performance_signals",
    "reflect",
    "run_reflect",
    "signals_from_run",
    "status",
    "without",
]
