"""Schedule items from outside (a tool call, a JSON file, a stored row): one reader, two renderings.

`read_items` turns raw entries into ScheduleItems position for position and says what is wrong
with the ones it cannot read. A caller that must refuse the whole list renders the problems as
one InvalidInput (`item[i]: …`, DOMAIN §11.2: `save_schedule`, the CLI) — PAYLOAD_TOO_LARGE when
an item is past a size limit (eros.rules.limits), VALIDATION_ERROR otherwise; the validator
renders each unreadable item as a STRUCTURE_ERROR violation and judges the rest (DOMAIN §3).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from eros.errors import InvalidInput
from eros.models import ScheduleItem, Violation
from eros.rules.limits import MAX_ITEM_CHARS
from eros.validation.certificate import SIZE_ERRORS, PayloadTooLarge, canonical_json
from eros.validation.gates import STRUCTURE_ERROR, GateFacts, evaluate_gates

#: Extra checks of one raw item (a mapping) before it is read; each problem is one sentence.
ItemCheck = Callable[[Mapping[str, Any]], list[str]]
#: How many problems an InvalidInput's message quotes (its details list them all).
QUOTED_PROBLEMS = 20
#: An item that could not be read at all stands in the validator's list as this, so indices stay put.
UNREADABLE = ScheduleItem(send_type_key="", scheduled_date="", scheduled_time="")


@dataclass(frozen=True, slots=True)
class Unreadable:
    """An entry that is not a ScheduleItem: its position, and its type when it is no object at all,
    else every problem found (`field: what is wrong`)."""

    index: int
    not_an_object: str | None = None
    problems: tuple[str, ...] = ()
    #: Past a size limit: the item, or one of its fields.
    too_large: bool = False


def read_items(
    raw: Sequence[Any], check: ItemCheck | None = None
) -> tuple[list[ScheduleItem | None], list[Unreadable]]:
    """Each entry as a ScheduleItem (models pass as they are), or None with its problems.

    `check` runs first on every mapping; an entry it finds problems with is not read further.
    """
    items: list[ScheduleItem | None] = []
    unreadable: list[Unreadable] = []
    for index, entry in enumerate(raw):
        item, problem = _read(index, entry, check)
        items.append(item)
        if problem is not None:
            unreadable.append(problem)
    return items, unreadable


def _read(index: int, entry: Any, check: ItemCheck | None) -> tuple[ScheduleItem | None, Unreadable | None]:
    if isinstance(entry, ScheduleItem):
        return entry, None
    if not isinstance(entry, Mapping):
        return None, Unreadable(index, not_an_object=type(entry).__name__)
    oversized = _size_problem(entry)
    if oversized is not None:
        return None, Unreadable(index, problems=(oversized,), too_large=True)
    problems = check(entry) if check is not None else []
    too_large = False
    if not problems:
        try:
            return ScheduleItem.model_validate(dict(entry)), None
        except ValidationError as exc:
            errors = exc.errors()
            problems = [f"{'.'.join(str(part) for part in err['loc'])}: {err['msg']}" for err in errors]
            too_large = any(err["type"] in SIZE_ERRORS for err in errors)
    return None, Unreadable(index, problems=tuple(problems), too_large=too_large)


def _size_problem(entry: Mapping[str, Any]) -> str | None:
    """Why the raw item is too large to read (MAX_ITEM_CHARS of JSON), before anything parses it."""
    try:
        size = len(canonical_json(entry))
    except (TypeError, ValueError, RecursionError):
        return None  # not plain JSON: reading it says what is wrong
    if size > MAX_ITEM_CHARS:
        return f"is {size} characters of JSON; at most {MAX_ITEM_CHARS}"
    return None


def invalid_items(problems: Sequence[str], *, too_large: bool = False) -> InvalidInput:
    """The whole list refused: every problem in `details["validation_errors"]`, the first ones quoted;
    PAYLOAD_TOO_LARGE when a size limit is what broke."""
    error = PayloadTooLarge if too_large else InvalidInput
    return error(
        f"{len(problems)} problem(s) with the items: " + "; ".join(problems[:QUOTED_PROBLEMS]),
        details={"validation_errors": list(problems)},
    )


def item_problems(unreadable: Sequence[Unreadable]) -> list[str]:
    """The `item[i]: …` lines of an InvalidInput, one per problem."""
    lines: list[str] = []
    for entry in unreadable:
        if entry.not_an_object is not None:
            lines.append(f"item[{entry.index}]: must be an object, got {entry.not_an_object}")
        lines.extend(f"item[{entry.index}]: {problem}" for problem in entry.problems)
    return lines


def require_items(raw: Sequence[Any], check: ItemCheck | None = None) -> list[ScheduleItem]:
    """Every entry as a ScheduleItem, or InvalidInput listing every problem of every entry."""
    items, unreadable = read_items(raw, check)
    if unreadable:
        raise invalid_items(item_problems(unreadable), too_large=any(u.too_large for u in unreadable))
    return [item for item in items if item is not None]


def items_in_place(raw: Sequence[Any]) -> tuple[list[ScheduleItem], list[Violation]]:
    """Every entry's item position for position (UNREADABLE where it cannot be read), and a
    STRUCTURE_ERROR for each one that cannot."""
    items, unreadable = read_items(raw)
    return [UNREADABLE if item is None else item for item in items], [
        structure_violation(entry) for entry in unreadable
    ]


def structure_violation(entry: Unreadable) -> Violation:
    """An unreadable item as the validator reports it: a STRUCTURE_ERROR at its position."""
    detail = (
        f"is a {entry.not_an_object}, not an object"
        if entry.not_an_object is not None
        else "; ".join(entry.problems)
    )
    return Violation(
        code=STRUCTURE_ERROR, rule="unreadable", message=f"Item {entry.index}: {detail}.", items=[entry.index]
    )


def gate_violations(raw: Sequence[Any], facts: GateFacts) -> tuple[list[ScheduleItem], list[Violation]]:
    """Every hard-gate violation of raw items (an unreadable one is a STRUCTURE_ERROR at its
    position, reported once), structure errors last in item order; and the items as read."""
    parsed, unreadable = items_in_place(raw)
    broken = {v.items[0] for v in unreadable}
    found = [
        v for v in evaluate_gates(parsed, facts) if not (v.code == STRUCTURE_ERROR and set(v.items) <= broken)
    ]
    structure = sorted(
        [v for v in found if v.code == STRUCTURE_ERROR] + unreadable, key=lambda v: v.items[:1]
    )
    return parsed, [v for v in found if v.code != STRUCTURE_ERROR] + structure
