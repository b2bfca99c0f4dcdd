"""LEARNINGS.md: what the system has learned, in the runbook's format (§9), reviewed in git.

Layout (see docs/LEARNINGS.example.md and docs/LEARNING.md)::

    # LEARNINGS                               <- free preamble, kept as written
    ## Statistics                             <- regenerated on every write (by_confidence, …)
    ## HIGH Confidence                        <- sections: HIGH / MEDIUM / LOW Confidence, Deprecated
    ### [2026-11-23] No sends at 2 am for alexia
    **Pattern**: … | **Insight**: …            <- fields; several may share a line, split by " | "
    **Source**: user | **Violation Code**: USER_CORRECTION
    **Applies To**: creator:alexia             <- all | tier:NAME | creator:ID (| page_type:paid|free)
    **Directive**: {"avoid_hours": [2]}        <- optional; the one machine-readable field: JSON
    Free text lines under the fields are kept for people and ignored by code.

A heading may end in `(Promoted: YYYY-MM-DD)` and, in the Deprecated section, must end in
`(Deprecated: YYYY-MM-DD)`. A learning's id is its date and slugged title
(`2026-11-23-no-sends-at-2-am-for-alexia`). The generator follows directives of active
learnings; the validator scores HIGH and MEDIUM ones ("learnings followed", DOMAIN §9);
deprecated ones apply nowhere. An entry without a Directive (the runbook's manual-entry templates
have none) is a note for people. `read_learnings` reads tolerantly — a malformed entry, or one
inside an unresolved merge conflict, is left out and reported as a `Problem` with its line — and is
what generation and `eros reflect lint` use; `parse_document` refuses any problem with
LEARNINGS_INVALID naming the line, and is what writes start from. `clean_text` makes text from
outside (signals) safe for one field. Everything here is a pure text transform;
`eros.infra.learnings_file` reads and writes the file.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from eros.errors import ErosError
from eros.models import APPLIES_ALL, Learning
from eros.rules.pricing import PRICE_CEILING, PRICE_FLOOR
from eros.rules.send_types import SEND_TYPES, PageType
from eros.rules.tiers import Tier

LEARNINGS_INVALID = "LEARNINGS_INVALID"
CONFIDENCES: tuple[str, ...] = ("HIGH", "MEDIUM", "LOW")
DEPRECATED = "DEPRECATED"
STATISTICS = "STATISTICS"
#: Where a learning came from (runbook §9 manual-entry checklist).
SOURCES: tuple[str, ...] = ("validation", "user", "performance")
APPLIES_KINDS: tuple[str, ...] = ("creator", "page_type", "tier")
SECTION_TITLES: dict[str, str] = {
    "HIGH": "HIGH Confidence",
    "MEDIUM": "MEDIUM Confidence",
    "LOW": "LOW Confidence",
    DEPRECATED: "Deprecated",
}
#: How recent counts as "last_7_days" in the statistics block.
RECENT_DAYS = 7

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

#: Every field name an entry may carry; typos fail instead of being ignored.
FIELD_NAMES: tuple[str, ...] = (
    "Pattern",
    "Issue",
    "Insight",
    "Correction",
    "Source",
    "Violation Code",
    "Quality Score",
    "Sample Size",
    "Applies To",
    "Metric Impact",
    "Directive",
    "Original",
    "Reason",
)
#: Fields each section's entries must have: the runbook's §9 manual-entry templates, as written
#: there (LOW notes may be brief). **Directive** is never required: an entry without one is a note
#: for people, kept and counted, that the generator has nothing to follow in (and the validator
#: does not score).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "HIGH": ("Pattern", "Issue", "Correction", "Source", "Violation Code", "Applies To"),
    "MEDIUM": (
        "Pattern",
        "Insight",
        "Source",
        "Quality Score",
        "Sample Size",
        "Applies To",
        "Metric Impact",
    ),
    "LOW": ("Pattern", "Source", "Applies To"),
    DEPRECATED: ("Original", "Reason"),
}
#: Field lines as written, in order; fields on one line are joined by " | ".
_HIGH_LAYOUT: tuple[tuple[str, ...], ...] = (
    ("Pattern",),
    ("Issue",),
    ("Correction",),
    ("Source", "Violation Code"),
    ("Applies To",),
)
_MEDIUM_LAYOUT: tuple[tuple[str, ...], ...] = (
    ("Pattern", "Insight"),
    ("Source", "Quality Score", "Sample Size"),
    ("Applies To",),
    ("Metric Impact",),
)
LAYOUTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "HIGH": _HIGH_LAYOUT,
    "MEDIUM": _MEDIUM_LAYOUT,
    "LOW": _MEDIUM_LAYOUT,
}

DEFAULT_PREAMBLE = (
    "# LEARNINGS\n\n"
    "What EROS has learned about scheduling, written by `eros reflect` and reviewed in git like code.\n"
    "Format and operations: docs/LEARNING.md (runbook §9). The generator follows each active\n"
    "learning's **Directive**; the validator scores HIGH and MEDIUM ones.\n"
)

_SECTION = re.compile(r"^##\s+(\S+)(?:\s+.*)?$")
_ENTRY = re.compile(r"^###\s+\[([^\]]*)\]\s+(.+?)\s*$")
_SUFFIX = re.compile(r"\s*\((Promoted|Deprecated):\s*([^)]*)\)\s*$")
_FIELD = re.compile(r"\*\*([A-Za-z ]+)\*\*:\s*(.*?)\s*(?=\|\s*\*\*[A-Za-z ]+\*\*:|$)")


class LearningsInvalid(ErosError):
    code = LEARNINGS_INVALID


def _fail(line_no: int, sentence: str) -> LearningsInvalid:
    return LearningsInvalid(f"LEARNINGS.md line {line_no}: {sentence}", details={"line": line_no})


@dataclass(frozen=True, slots=True)
class Entry:
    """One `### [date] Title` entry: the rule code applies plus the prose people review."""

    learning: Learning
    added: date
    #: Prose fields (Pattern, Issue, Insight, …) by name; Source/Applies To/Directive live in `learning`.
    fields: Mapping[str, str] = field(default_factory=dict)
    promoted: date | None = None
    deprecated: date | None = None
    notes: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.deprecated is None

    @property
    def section(self) -> str:
        return DEPRECATED if self.deprecated is not None else self.learning.confidence

    @property
    def sample_size(self) -> int:
        text = self.fields.get("Sample Size", "")
        return int(text) if text.isdigit() else 0


@dataclass(frozen=True, slots=True)
class Statistics:
    """The runbook's statistics block (§9 "Check Current Status")."""

    by_confidence: dict[str, int]
    by_source: dict[str, int]
    last_7_days: dict[str, int]
    deprecated: int

    def lines(self) -> list[str]:
        def braces(counts: Mapping[str, int]) -> str:
            return "{ " + ", ".join(f"{k}: {v}" for k, v in counts.items()) + " }"

        return [
            f"by_confidence: {braces(self.by_confidence)}",
            f"by_source: {braces(self.by_source)}",
            f"last_7_days: {braces(self.last_7_days)}",
            f"deprecated_total: {self.deprecated}",
        ]


@dataclass(frozen=True, slots=True)
class LearningsDocument:
    """A whole LEARNINGS.md: the preamble as written and every entry in file order."""

    preamble: str = DEFAULT_PREAMBLE
    entries: tuple[Entry, ...] = ()

    def learnings(self) -> tuple[Learning, ...]:
        return tuple(e.learning for e in self.entries if e.active)

    def applying_to(
        self, creator_id: str, page_name: str, tier: str, *, page_type: str | None = None
    ) -> tuple[Learning, ...]:
        """The active learnings whose scope takes in this creator and that carry a directive (what the
        generator follows and the validator scores; an entry without a directive is a note for people)."""
        return tuple(
            learning
            for learning in self.learnings()
            if learning.directive
            and learning.applies(creator_id=creator_id, page_name=page_name, tier=tier, page_type=page_type)
        )

    def find(self, learning_id: str) -> Entry:
        """The entry with this id (or the one id starting with it); LEARNING_NOT_FOUND otherwise."""
        exact = [e for e in self.entries if e.learning.id == learning_id]
        matches = exact or [e for e in self.entries if e.learning.id.startswith(learning_id)]
        if len(matches) != 1:
            known = ", ".join(e.learning.id for e in self.entries) or "none"
            reason = "matches several learnings" if matches else "is not a learning"
            raise ErosError(f"{learning_id!r} {reason} (ids: {known})", code="LEARNING_NOT_FOUND")
        return matches[0]

    def with_entry(self, entry: Entry) -> LearningsDocument:
        """A copy holding `entry` in place of the entry with its id, or appended."""
        ids = [e.learning.id for e in self.entries]
        if entry.learning.id in ids:
            at = ids.index(entry.learning.id)
            return replace(self, entries=(*self.entries[:at], entry, *self.entries[at + 1 :]))
        return replace(self, entries=(*self.entries, entry))


def learning_id(added: date, title: str) -> str:
    """The stable id of an entry: its date and slugged title (unchanged by promotion/deprecation)."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].rstrip("-")
    return f"{added.isoformat()}-{slug or 'learning'}"


#: The longest text from outside (a signal's message, code, ids) a field keeps, a title, a name.
MAX_TEXT = 300
MAX_TITLE = 120
MAX_NAME = 64
#: Characters that never reach the file: controls, format characters, surrogates, private and
#: unassigned code points, and the line and paragraph separators (str.splitlines breaks on them).
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def clean_text(value: object, limit: int = MAX_TEXT) -> str:
    """Text from outside as one safe line of a field or a heading (where signal text enters the
    document): unsafe characters and every line break become a space, runs of white space one
    space, `**` (which could open a field) `*`; cut at `limit` characters with an ellipsis."""
    text = "".join(
        " " if unicodedata.category(ch) in _UNSAFE_CATEGORIES or ch == "\ufffd" else ch for ch in str(value)
    )
    text = re.sub(r"\*{2,}", "*", " ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clean_title(value: object) -> str:
    """`clean_text` for a heading, without a trailing `(Promoted|Deprecated: …)` it would be read as."""
    title = clean_text(value, MAX_TITLE)
    while suffix := _SUFFIX.search(title):
        title = title[: suffix.start()].rstrip()
    return title or "learning"


def _is_clean(value: str, limit: int) -> bool:
    return bool(value) and clean_text(value, limit) == value


def validate_applies_to(value: str) -> str:
    """`all`, or `kind:value` with a known kind (page types and tiers must be real); ValueError otherwise."""
    text = value.strip()
    if text == APPLIES_ALL:
        return text
    kind, _, target = text.partition(":")
    kind, target = kind.strip(), target.strip()
    if kind not in APPLIES_KINDS or not target:
        raise ValueError(f"Applies To {value!r} is not 'all', 'tier:…', 'creator:…' or 'page_type:…'")
    if kind == "page_type" and target not in {p.value for p in PageType}:
        raise ValueError(f"Applies To page type {target!r} is not paid or free")
    if kind == "tier" and target.upper() not in {t.value for t in Tier}:
        raise ValueError(f"Applies To tier {target!r} is not a volume tier")
    if not _is_clean(target, MAX_TITLE):
        raise ValueError(f"Applies To {value!r} must name its target in one plain line without '**'")
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
        if kind in ("names", "send_types") and not all(
            isinstance(v, str) and _is_clean(v, MAX_NAME) for v in value
        ):
            raise ValueError(f"{key} must list names (1–{MAX_NAME} characters on one line, without '**')")
        if kind == "send_types" and (unknown := sorted(set(value) - set(SEND_TYPES))):
            raise ValueError(f"{key} names unknown send types: {', '.join(unknown)}")
    low, high = directive.get("min_price"), directive.get("max_price")
    if low is not None and high is not None and low > high:
        raise ValueError("min_price is above max_price")
    return dict(directive)


def _validate_source(value: str) -> str:
    source = value.strip().lower()
    if source not in SOURCES:
        raise ValueError(f"Source {value!r} is not one of {', '.join(SOURCES)}")
    return source


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in LEARNINGS.md, at its line (0: the file as a whole).

    `entry_line` and `entry` name the learning it keeps out (its heading's line and text); both
    are None when it keeps nothing out (say, a stray conflict marker in the preamble).
    """

    line: int
    message: str
    entry_line: int | None = None
    entry: str | None = None

    def __str__(self) -> str:
        return f"LEARNINGS.md {f'line {self.line}' if self.line else 'file'}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "message": self.message,
            "entry_line": self.entry_line,
            "entry": self.entry,
        }


@dataclass(frozen=True, slots=True)
class Reading:
    """A tolerant read: the document of the valid entries, and every problem in line order.

    What generation loads (a bad entry must not take every run down) and what `eros reflect lint`
    prints. Writes use `parse_document`, which refuses a file with any problem.
    """

    document: LearningsDocument
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def skipped(self) -> tuple[tuple[int, str], ...]:
        """(heading line, heading) of every learning left out, in file order."""
        found: dict[int, str] = {}
        for problem in self.problems:
            if problem.entry_line is not None:
                found.setdefault(problem.entry_line, problem.entry or "")
        return tuple(sorted(found.items()))


class _Found(Exception):
    """A problem found while reading one line (caught by the reader, never raised to callers)."""

    def __init__(self, line: int, sentence: str) -> None:
        super().__init__(sentence)
        self.line = line
        self.sentence = sentence


#: git's conflict markers, at the start of a line: <<<<<<< ours, ||||||| base, ======= , >>>>>>> theirs.
_CONFLICT = re.compile(r"^(<{7}|\|{7}|={7}|>{7})(?:\s|$)")


def _date(text: str, line_no: int, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _Found(line_no, f"{what} {text!r} is not a YYYY-MM-DD date") from None


@dataclass
class _Draft:
    """An entry being read: heading facts, the raw fields seen so far, and whether it is spoilt."""

    line: int
    heading: str
    problems: list[Problem]
    section: str = ""
    added: date = date.min
    title: str = ""
    promoted: date | None = None
    deprecated: date | None = None
    raw: dict[str, tuple[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: Its heading or its place makes it no learning; its lines are only consumed.
    dead: bool = False
    bad: bool = False
    in_conflict: bool = False

    def problem(self, line: int, sentence: str) -> None:
        self.bad = True
        self.problems.append(Problem(line, sentence, self.line, self.heading))


def _heading(line: str, line_no: int, section: str, problems: list[Problem]) -> _Draft:
    """The draft a `### [date] Title` line opens; a dead one (with its problem) when it is malformed."""
    draft = _Draft(line=line_no, heading=line, problems=problems, section=section)
    try:
        match = _ENTRY.match(line)
        if match is None:
            raise _Found(line_no, "a learning heading is '### [YYYY-MM-DD] Title'")
        title, stamps = match.group(2), {}
        while suffix := _SUFFIX.search(title):
            stamps[suffix.group(1)] = _date(suffix.group(2), line_no, f"{suffix.group(1)} date")
            title = title[: suffix.start()].rstrip()
        if not title:
            raise _Found(line_no, "a learning heading needs a title after the date")
        deprecated = stamps.get("Deprecated")
        if (section == DEPRECATED) != (deprecated is not None):
            where = "the Deprecated section" if section == DEPRECATED else f"the {section} section"
            raise _Found(
                line_no,
                f"in {where}, a heading {'needs' if deprecated is None else 'cannot have'} "
                "a '(Deprecated: YYYY-MM-DD)' suffix",
            )
        draft.added = _date(match.group(1), line_no, "date")
        draft.title, draft.promoted, draft.deprecated = title, stamps.get("Promoted"), deprecated
    except _Found as found:
        draft.dead = True
        draft.problem(found.line, found.sentence)
    return draft


def _original_confidence(original: str) -> str:
    """The confidence a deprecated entry had, read from its **Original** field ("MEDIUM: …")."""
    word = original.strip().split(":", 1)[0].split()[0].upper() if original.strip() else ""
    return word if word in CONFIDENCES else "LOW"


def _finish(draft: _Draft) -> Entry | None:
    """The entry a draft makes, or None when it has a problem (each one recorded on the draft)."""
    if draft.dead or draft.in_conflict:
        return None
    missing = [name for name in REQUIRED_FIELDS[draft.section] if not draft.raw.get(name, ("", 0))[0]]
    if missing:
        draft.problem(
            draft.line, f"learning '{draft.title}' lacks {', '.join('**' + m + '**' for m in missing)}"
        )

    def checked(name: str, default: str, check: Any) -> Any:
        text, line_no = draft.raw.get(name, (default, draft.line))
        try:
            return check(text)
        except ValueError as exc:
            draft.problem(line_no, f"learning '{draft.title}': {exc}")
            return None

    def directive(text: str) -> dict[str, Any]:
        try:
            return validate_directive(json.loads(text)) if text else {}
        except json.JSONDecodeError as exc:
            raise ValueError(f"Directive is not JSON ({exc.msg})") from exc

    def sample_size(text: str) -> str:
        if text and not text.isdigit():
            raise ValueError(f"Sample Size {text!r} is not a whole number")
        return text

    while draft.notes and not draft.notes[-1].strip():
        draft.notes.pop()
    prose = {k: v for k, (v, _) in draft.raw.items() if k not in ("Source", "Applies To", "Directive")}
    if "Sample Size" in prose:
        prose["Sample Size"] = checked("Sample Size", "", sample_size)
    applies_to = checked("Applies To", APPLIES_ALL, validate_applies_to)
    source = checked("Source", "validation", _validate_source)
    rule = checked("Directive", "", directive)
    if draft.bad:
        return None
    original = prose.get("Original", "")
    confidence = draft.section if draft.section != DEPRECATED else _original_confidence(original)
    learning = Learning(
        id=learning_id(draft.added, draft.title),
        confidence=confidence,
        title=draft.title,
        applies_to=applies_to,
        source=source,
        directive=rule,
    )
    return Entry(
        learning=learning,
        added=draft.added,
        fields=prose,
        promoted=draft.promoted,
        deprecated=draft.deprecated,
        notes=tuple(draft.notes),
    )


def read_learnings(text: str) -> Reading:
    """The whole file, tolerantly: every valid entry (deprecated ones too) and every problem.

    A malformed entry, an entry under an unknown section, and every entry inside an unresolved
    git merge conflict (`<<<<<<<` … `>>>>>>>`: neither side is known to be right) are left out
    with a problem naming their line; two entries with the same id are both left out. The
    entries around them still count.
    """
    problems: list[Problem] = []
    entries: list[Entry] = []
    preamble: list[str] = []
    first_line: dict[str, tuple[int, str]] = {}
    twice: set[str] = set()
    section: str | None = None
    unknown_section = 0  # the line of the unknown section being read, 0 when none
    draft: _Draft | None = None
    in_fence = False
    conflict = 0  # the line of the open conflict's '<<<<<<<', 0 when none
    before_conflict: tuple[str | None, int, bool] = (None, 0, False)
    held: _Draft | None = None  # the entry open when the conflict began
    ours_end: tuple[str | None, int] | None = None  # the section where the conflict's first side ends
    unclear_section = 0  # the conflict after which the sides are in different sections, 0 when none
    side_heading = any_heading = False  # a heading on this side / on any side of the conflict

    def spoil(open_draft: _Draft | None) -> None:
        if open_draft is not None and not open_draft.in_conflict and not open_draft.dead:
            open_draft.problem(
                open_draft.line,
                f"learning '{open_draft.title}' is inside the unresolved merge conflict of line {conflict}",
            )
            open_draft.in_conflict = True

    def close() -> None:
        if draft is None:
            return
        entry = _finish(draft)
        if entry is None:
            return
        ident = entry.learning.id
        if ident in first_line:
            draft.problem(
                draft.line,
                f"learning id {ident!r} is used twice (same date and title as line {first_line[ident][0]})",
            )
            if ident not in twice:
                line, heading = first_line[ident]
                problems.append(
                    Problem(
                        line,
                        f"learning id {ident!r} is used twice (again at line {draft.line})",
                        line,
                        heading,
                    )
                )
            twice.add(ident)
            return
        first_line[ident] = (draft.line, draft.heading)
        entries.append(entry)

    def problem(line_no: int, sentence: str) -> None:
        if draft is not None:
            draft.problem(line_no, sentence)
        else:
            problems.append(Problem(line_no, sentence))

    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        not_utf8 = "the line holds bytes that are not UTF-8 text (shown as \ufffd)" if "\ufffd" in raw else ""
        if not_utf8 and not line.startswith("###"):
            problem(line_no, not_utf8)
        if marker := _CONFLICT.match(raw):
            sign = marker.group(1)[0]
            if sign == "<" and not conflict:
                problems.append(
                    Problem(
                        line_no,
                        "unresolved git merge conflict ('<<<<<<<' … '>>>>>>>'): the learnings in it "
                        "are skipped until a person resolves it",
                    )
                )
                conflict, before_conflict = line_no, (section, unknown_section, in_fence)
                held, draft, side_heading, any_heading = draft, None, False, False
                continue
            if conflict and sign in "|=":
                close()
                ours_end = ours_end or (section, unknown_section)
                draft, side_heading = None, False
                section, unknown_section, in_fence = before_conflict
                continue
            if conflict and sign == ">":
                close()
                if ours_end is not None and ours_end != (section, unknown_section):
                    unclear_section = conflict  # the sides end in different sections
                draft, conflict, ours_end = held, 0, None
                if any_heading:  # the held entry ended where the conflict began
                    close()
                    draft = None
                held = None
                continue
            if sign == ">":
                problem(line_no, "a '>>>>>>>' merge conflict marker without its '<<<<<<<'")
                continue
        if conflict and not side_heading and held is not None and not line.startswith("#"):
            if line:  # the held entry's own lines differ between the sides
                spoil(held)
            continue
        if line.startswith("```"):
            in_fence = not in_fence
        if in_fence or line.startswith("```"):
            if section is None:
                preamble.append(raw)
            elif draft is not None:
                draft.notes.append(raw)
            continue
        if (heading := _SECTION.match(line)) and not line.startswith("###"):
            close()
            draft = None
            side_heading = any_heading = bool(conflict)
            unclear_section = 0
            section, unknown_section = heading.group(1).upper(), 0
            if section not in (*CONFIDENCES, DEPRECATED, STATISTICS):
                unknown_section = line_no
                problems.append(
                    Problem(
                        line_no,
                        f"section {line!r} is not Statistics, HIGH/MEDIUM/LOW Confidence or Deprecated",
                    )
                )
            continue
        if line.startswith("###"):
            close()
            if section is None or section == STATISTICS or unknown_section or unclear_section:
                draft = _Draft(line=line_no, heading=line, problems=problems, dead=True)
                where = (
                    "before any '## HIGH|MEDIUM|LOW Confidence' section"
                    if section is None
                    else f"under the unknown section of line {unknown_section}"
                    if unknown_section
                    else f"in a section the merge conflict of line {unclear_section} leaves unclear"
                    if unclear_section
                    else "inside the Statistics section"
                )
                draft.problem(line_no, f"learning {where}")
            else:
                draft = _heading(line, line_no, section, problems)
            if not_utf8:
                draft.problem(line_no, not_utf8)
            if conflict:
                spoil(draft)
                side_heading = any_heading = True
            continue
        if section is None:
            preamble.append(raw)
            continue
        if draft is None or draft.dead or section == STATISTICS or unknown_section or unclear_section:
            continue
        if line.startswith("**"):
            found = _FIELD.findall(line)
            if not found:
                draft.problem(line_no, "a field line is '**Name**: value' (several joined by ' | ')")
            for name, value in found:
                if name not in FIELD_NAMES:
                    draft.problem(line_no, f"unknown field **{name}** (known: {', '.join(FIELD_NAMES)})")
                elif name in draft.raw:
                    draft.problem(
                        line_no, f"field **{name}** is given twice (first on line {draft.raw[name][1]})"
                    )
                else:
                    draft.raw[name] = (value, line_no)
        elif line or draft.notes:
            draft.notes.append(raw.rstrip())
    close()
    if conflict and held is not None:  # a conflict never closed: the held entry ends where it began
        draft = held
        close()
    text_preamble = "\n".join(preamble).strip("\n")
    document = LearningsDocument(
        preamble=(text_preamble + "\n") if text_preamble else DEFAULT_PREAMBLE,
        entries=tuple(e for e in entries if e.learning.id not in twice),
    )
    return Reading(document, tuple(sorted(problems, key=lambda p: p.line)))


def parse_document(text: str) -> LearningsDocument:
    """The whole file: preamble and every entry (deprecated ones too); LEARNINGS_INVALID naming the
    line of the first problem when there is any (what a write must start from)."""
    reading = read_learnings(text)
    if reading.problems:
        first = reading.problems[0]
        more = len(reading.problems) - 1
        extra = f" (and {more} more problem(s): eros reflect lint)" if more else ""
        raise _fail(first.line, first.message + extra)
    return reading.document


def statistics(entries: Iterable[Entry], today: date) -> Statistics:
    """Counts of active entries by confidence and source, and what changed in the last 7 days."""
    items = list(entries)
    active = [e for e in items if e.active]

    def recent(day: date | None) -> bool:
        return day is not None and timedelta(0) <= today - day < timedelta(days=RECENT_DAYS)

    by_confidence = Counter(e.learning.confidence for e in active)
    by_source = Counter(e.learning.source for e in active)
    return Statistics(
        by_confidence={c.lower(): by_confidence[c] for c in CONFIDENCES},
        by_source={s: by_source[s] for s in SOURCES},
        last_7_days={
            "added": sum(recent(e.added) for e in items),
            "promoted": sum(recent(e.promoted) for e in items),
            "deprecated": sum(recent(e.deprecated) for e in items),
        },
        deprecated=len(items) - len(active),
    )


def render_learning(entry: Entry) -> str:
    """One entry as its LEARNINGS.md text; LEARNINGS_INVALID when it could not be read back."""
    learning = entry.learning
    try:
        directive = json.dumps(validate_directive(learning.directive), sort_keys=True, ensure_ascii=False)
        values = {
            **{k: v for k, v in entry.fields.items() if v},
            "Source": _validate_source(learning.source),
            "Applies To": validate_applies_to(learning.applies_to),
        }
    except ValueError as exc:
        raise LearningsInvalid(f"learning {learning.id}: {exc}", details={"id": learning.id}) from exc
    if learning.confidence not in CONFIDENCES:
        raise LearningsInvalid(f"confidence {learning.confidence!r} is not one of {', '.join(CONFIDENCES)}")
    if "\n" in learning.title or _SUFFIX.search(learning.title) or not learning.title.strip():
        raise LearningsInvalid(f"title {learning.title!r} cannot be a heading", details={"id": learning.id})
    heading = f"### [{entry.added.isoformat()}] {learning.title}"
    if entry.promoted is not None:
        heading += f" (Promoted: {entry.promoted.isoformat()})"
    layout: list[tuple[str, ...]] = []
    if entry.deprecated is not None:
        heading += f" (Deprecated: {entry.deprecated.isoformat()})"
        layout += [("Original",), ("Reason",)]
    layout += LAYOUTS[learning.confidence]
    lines = [heading]
    used: set[str] = set()
    for group in layout:
        parts = [f"**{name}**: {values[name]}" for name in group if name in values]
        used.update(group)
        if parts:
            lines.append(" | ".join(parts))
    lines += [f"**{name}**: {values[name]}" for name in FIELD_NAMES if name in values and name not in used]
    if learning.directive:
        lines.append(f"**Directive**: {directive}")
    if entry.notes:
        lines += ["", *entry.notes]
    text = "\n".join(lines) + "\n"
    for name, value in values.items():
        if "\n" in value or re.search(r"\|\s*\*\*", value):
            raise LearningsInvalid(f"learning {learning.id}: field {name} must be one line without ' | **'")
    return text


def render_document(document: LearningsDocument, today: date) -> str:
    """The whole file: preamble, statistics as of `today`, then the sections in runbook order."""
    stats = statistics(document.entries, today)
    parts = [
        document.preamble.rstrip("\n") + "\n",
        "## Statistics\n",
        "```yaml\n" + "\n".join(stats.lines()) + f"\nupdated: {today.isoformat()}\n```\n",
    ]
    for section in (*CONFIDENCES, DEPRECATED):
        parts.append(f"## {SECTION_TITLES[section]}\n")
        parts += [render_learning(e) for e in document.entries if e.section == section]
    text = "\n".join(parts)
    parsed = parse_document(text)
    if [e.learning for e in parsed.entries] != [e.learning for e in _in_section_order(document.entries)]:
        raise LearningsInvalid("the rendered LEARNINGS.md does not read back as the same learnings")
    return text


def _in_section_order(entries: Iterable[Entry]) -> list[Entry]:
    order = (*CONFIDENCES, DEPRECATED)
    return sorted(entries, key=lambda e: order.index(e.section))


def new_entry(
    *,
    confidence: str,
    title: str,
    added: date,
    source: str,
    applies_to: str,
    directive: Mapping[str, Any],
    fields: Mapping[str, str],
) -> Entry:
    """An entry whose id follows from its date and title (what reflection and tests build)."""
    learning = Learning(
        id=learning_id(added, title),
        confidence=confidence,
        title=title,
        applies_to=applies_to,
        source=source,
        directive=dict(directive),
    )
    return Entry(learning=learning, added=added, fields=dict(fields))
