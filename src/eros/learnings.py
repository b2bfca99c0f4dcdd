"""LEARNINGS.md: what the system has learned, as rules people review in git and code can apply.

Format (see docs/LEARNINGS.example.md)::

    ## HIGH                                  <- confidence section: HIGH, MEDIUM or LOW
    ### L-001: Lingerie sells best on paid pages
    - applies_to: page_type:paid             <- all | creator:<id or page name> | page_type:<paid|free>
    - source: performance                       | tier:<MINIMAL|LITE|STANDARD|HIGH_VALUE|PREMIUM>
    - Directive: {"prefer_content": ["lingerie"], "avoid_hours": [2]}
    Free text below the fields explains why; it is kept for people and ignored by code.

The `Directive:` line is JSON with the keys of DIRECTIVE_KEYS. The generator follows
directives; the validator scores HIGH and MEDIUM ones ("learnings followed", DOMAIN §9).
A missing file means no learnings; anything malformed fails with LEARNINGS_INVALID naming
the line, so a typo is never silently ignored. Parsing and appending are pure text
transforms; only `load_learnings` touches the file system.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eros.errors import ErosError
from eros.models import Learning
from eros.rules.pricing import PRICE_CEILING, PRICE_FLOOR
from eros.rules.send_types import SEND_TYPES, PageType
from eros.rules.tiers import Tier

LEARNINGS_INVALID = "LEARNINGS_INVALID"
CONFIDENCES: tuple[str, ...] = ("HIGH", "MEDIUM", "LOW")
#: Confidences the validator scores (LOW learnings are notes, not yet rules).
SCORED_CONFIDENCES: frozenset[str] = frozenset({"HIGH", "MEDIUM"})
APPLIES_ALL = "all"
APPLIES_KINDS: tuple[str, ...] = ("creator", "page_type", "tier")

#: Directive key → kind of value: hours (0–23), content type names, send type keys, or a price.
DIRECTIVE_KEYS: dict[str, str] = {
    "avoid_hours": "hours",
    "prefer_hours": "hours",
    "avoid_content": "names",
    "prefer_content": "names",
    "avoid_send_types": "send_types",
    "prefer_send_types": "send_types",
    "min_price": "price",
    "max_price": "price",
}

_SECTION = re.compile(r"^##\s+(\S+)\s*$")
_ENTRY = re.compile(r"^###\s+([A-Za-z0-9_.-]+)\s*:\s*(.+?)\s*$")
_FIELD = re.compile(r"^-?\s*(applies_to|source|Directive)\s*:\s*(.*?)\s*$", re.IGNORECASE)


class LearningsInvalid(ErosError):
    code = LEARNINGS_INVALID


def _fail(line_no: int, sentence: str) -> LearningsInvalid:
    return LearningsInvalid(f"LEARNINGS.md line {line_no}: {sentence}", details={"line": line_no})


def validate_applies_to(value: str) -> str:
    """`all`, or `kind:value` with a known kind (page types and tiers must be real); ValueError otherwise."""
    text = value.strip()
    if text == APPLIES_ALL:
        return text
    kind, _, target = text.partition(":")
    kind, target = kind.strip(), target.strip()
    if kind not in APPLIES_KINDS or not target:
        raise ValueError(f"applies_to {value!r} is not 'all', 'creator:…', 'page_type:…' or 'tier:…'")
    if kind == "page_type" and target not in {p.value for p in PageType}:
        raise ValueError(f"applies_to page type {target!r} is not paid or free")
    if kind == "tier" and target.upper() not in {t.value for t in Tier}:
        raise ValueError(f"applies_to tier {target!r} is not a volume tier")
    return f"{kind}:{target.upper() if kind == 'tier' else target}"


def validate_directive(directive: Any) -> dict[str, Any]:
    """A directive object with known keys and well-typed values; ValueError naming the problem."""
    if not isinstance(directive, Mapping):
        raise ValueError("Directive must be a JSON object")
    for key, value in directive.items():
        kind = DIRECTIVE_KEYS.get(key)
        if kind is None:
            raise ValueError(f"unknown directive key {key!r} (known: {', '.join(DIRECTIVE_KEYS)})")
        if kind == "price":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{key} must be a number")
            if not PRICE_FLOOR <= value <= PRICE_CEILING:
                raise ValueError(f"{key} {value} is outside ${PRICE_FLOOR:.0f}–${PRICE_CEILING:.0f}")
            continue
        if not isinstance(value, list) or not value:
            raise ValueError(f"{key} must be a non-empty list")
        if kind == "hours" and not all(
            isinstance(h, int) and not isinstance(h, bool) and 0 <= h <= 23 for h in value
        ):
            raise ValueError(f"{key} must list hours 0–23")
        if kind in ("names", "send_types") and not all(isinstance(v, str) and v for v in value):
            raise ValueError(f"{key} must list names")
        if kind == "send_types" and (unknown := sorted(set(value) - set(SEND_TYPES))):
            raise ValueError(f"{key} names unknown send types: {', '.join(unknown)}")
    low, high = directive.get("min_price"), directive.get("max_price")
    if low is not None and high is not None and low > high:
        raise ValueError("min_price is above max_price")
    return dict(directive)


def parse_learnings(text: str) -> tuple[Learning, ...]:
    """Every learning of a LEARNINGS.md text, in file order; LEARNINGS_INVALID on anything malformed."""
    learnings: list[Learning] = []
    confidence: str | None = None
    current: dict[str, Any] | None = None

    def close() -> None:
        if current is None:
            return
        if "directive" not in current:
            raise _fail(current["line"], f"learning {current['id']} has no 'Directive:' line")
        learnings.append(Learning(**{k: v for k, v in current.items() if k != "line"}))

    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if section := _SECTION.match(line):
            close()
            current = None
            confidence = section.group(1).upper()
            if confidence not in CONFIDENCES:
                raise _fail(line_no, f"section {section.group(1)!r} is not one of {', '.join(CONFIDENCES)}")
            continue
        if line.startswith("###"):
            entry = _ENTRY.match(line)
            if entry is None:
                raise _fail(line_no, "a learning heading is '### <id>: <title>'")
            if confidence is None:
                raise _fail(line_no, "learning before any '## HIGH|MEDIUM|LOW' section")
            close()
            learning_id, title = entry.group(1), entry.group(2)
            if any(existing.id == learning_id for existing in learnings):
                raise _fail(line_no, f"learning id {learning_id!r} is used twice")
            current = {"id": learning_id, "title": title, "confidence": confidence, "line": line_no}
            continue
        field = _FIELD.match(line)
        if field is None or current is None:
            continue
        name, value = field.group(1).lower(), field.group(2)
        try:
            if name == "applies_to":
                current["applies_to"] = validate_applies_to(value)
            elif name == "source":
                current["source"] = value or "manual"
            else:
                current["directive"] = validate_directive(json.loads(value))
        except ValueError as exc:
            raise _fail(line_no, f"learning {current['id']}: {exc}") from exc
    close()
    return tuple(learnings)


def applies(
    learning: Learning,
    *,
    creator_id: str,
    page_name: str,
    tier: str,
    page_type: str | None = None,
) -> bool:
    """Does a learning apply to this creator? Page-type learnings apply when the page type is unknown."""
    if learning.applies_to == APPLIES_ALL:
        return True
    kind, _, target = learning.applies_to.partition(":")
    if kind == "creator":
        return target in (creator_id, page_name)
    if kind == "tier":
        return target == tier.upper()
    return page_type is None or target == page_type


def load_learnings(
    path: Path | str,
    creator_id: str,
    page_name: str,
    tier: str,
    *,
    page_type: str | None = None,
) -> tuple[Learning, ...]:
    """The learnings of the file at `path` that apply to this creator; a missing file means none."""
    file = Path(path)
    if not file.exists():
        return ()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LearningsInvalid(f"cannot read {file}: {exc}") from exc
    return tuple(
        learning
        for learning in parse_learnings(text)
        if applies(learning, creator_id=creator_id, page_name=page_name, tier=tier, page_type=page_type)
    )


def render_learning(learning: Learning) -> str:
    """One learning as its LEARNINGS.md entry; LEARNINGS_INVALID when it could not be read back."""
    try:
        directive = json.dumps(validate_directive(learning.directive), sort_keys=True, ensure_ascii=False)
        applies_to = validate_applies_to(learning.applies_to)
    except ValueError as exc:
        raise LearningsInvalid(f"learning {learning.id}: {exc}", details={"id": learning.id}) from exc
    if not _ENTRY.match(f"### {learning.id}: {learning.title}"):
        raise LearningsInvalid(f"learning id {learning.id!r} or title {learning.title!r} cannot be a heading")
    return (
        f"### {learning.id}: {learning.title}\n"
        f"- applies_to: {applies_to}\n"
        f"- source: {learning.source}\n"
        f"- Directive: {directive}\n"
    )


def append_learning(text: str, learning: Learning) -> str:
    """`text` with `learning` added at the end of its confidence section (created in HIGH/MEDIUM/LOW order).

    The text must parse and must not already hold the id; the result parses to the old learnings
    plus the new one.
    """
    confidence = learning.confidence.upper()
    if confidence not in CONFIDENCES:
        raise LearningsInvalid(f"confidence {learning.confidence!r} is not one of {', '.join(CONFIDENCES)}")
    if any(existing.id == learning.id for existing in parse_learnings(text)):
        raise LearningsInvalid(f"learning id {learning.id!r} already exists", details={"id": learning.id})
    entry = render_learning(learning)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    sections = {m.group(1).upper(): i for i, line in enumerate(lines) if (m := _SECTION.match(line.strip()))}
    if confidence in sections:
        start = sections[confidence]
        later = [i for i in sections.values() if i > start]
        end = min(later) if later else len(lines)
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        return "".join([*lines[:end], "\n", entry, *(["\n"] if end < len(lines) else []), *lines[end:]])
    rank = CONFIDENCES.index(confidence)
    following = [i for name, i in sections.items() if CONFIDENCES.index(name) > rank]
    insert_at = min(following) if following else len(lines)
    block = [f"## {confidence}\n", "\n", entry, "\n"]
    prefix = lines[:insert_at]
    if prefix and prefix[-1].strip():
        prefix.append("\n")
    return "".join([*prefix, *block, *lines[insert_at:]])
