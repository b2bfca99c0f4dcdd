"""Signals from what happened (ARCHITECTURE §2; runbook §9), as pure functions of what was recorded.

Three kinds: validation (a run's hard-gate violations, with the sends they name, and the score
components that lost points), user (a scheduler's edit of a generated week, found by diffing
schedule revisions) and performance (a finished week's actual revenue per send against the plan's
expectation, by content type and hour). `eros.services.reflect` reads the rows and records these.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from eros.learning.document import LEARNINGS_INVALID, Problem
from eros.learning.signals import NewSignal

#: The kind of signal a problem of LEARNINGS.md becomes (reflection learns nothing from it; it is
#: counted, shown by `eros reflect status` and processed like the others).
LEARNINGS_FILE = "learnings_file"
#: A week's bucket (content type or hour) under this share of its expected revenue per send
#: under-performed; over OVER_RATIO it over-performed. Buckets need MIN_SENDS on both sides.
UNDER_RATIO = 0.70
OVER_RATIO = 1.30
MIN_SENDS = 2


class FinishedRun(Protocol):
    """What a pipeline run's result (`services.pipeline_run.PipelineResult`) tells the loop."""

    @property
    def creator_id(self) -> str: ...
    @property
    def week_start(self) -> str: ...
    @property
    def pipeline(self) -> str: ...
    @property
    def schedule_id(self) -> int | None: ...
    @property
    def schedule(self) -> Mapping[str, Any] | None: ...
    @property
    def validation(self) -> Mapping[str, Any] | None: ...


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


def signals_from_run(result: FinishedRun) -> list[NewSignal]:
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


def learnings_problem_signals(problems: Iterable[Problem], path: str = "") -> list[NewSignal]:
    """One `validation`/`learnings_file` signal per problem generation found in LEARNINGS.md (the
    line, the sentence and the learning it kept out), for whoever loaded the file to record."""
    return [
        NewSignal(
            source="validation",
            kind=LEARNINGS_FILE,
            creator_id=None,
            code=LEARNINGS_INVALID,
            payload={"path": path, **problem.as_dict()},
        )
        for problem in problems
    ]
