"""The hard gates of DOMAIN §3: pure functions from items and facts to violations.

A schedule that breaks any gate is REJECTED whatever its score. Every gate runs
and reports every violation it finds (not only the first), each naming the gate
code, the rule inside the gate, the item indices (positions in the list as given)
and a sentence a scheduler understands. Items with a structural problem (unknown
send type, unreadable date or time) are reported once under STRUCTURE_ERROR and
left out of the gates that would need the broken field, so one typo does not
cascade into a dozen findings.

Decisions the rulebook leaves open, taken here:
- Times are wall-clock in the creator's zone; gaps and spacing compare wall-clock
  minutes across day boundaries (the generator plans on the same scale).
- `ppv_followup` takes its per-day cap (5) and gap (60 min) from §5 and is checked
  under FOLLOWUP_VIOLATION only; §4's per-type gap and caps cover every other type.
- A follow-up moved by the late-night cutoff (§5) lands on 08:00 the next day and is
  exempt from the quarter-hour rule: the rulebook places it there on purpose.
- An unpriced type may carry a price of 0 (meaning "no price"); any other price is a
  violation.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from eros.models import CreatorContext, ScheduleItem, Violation
from eros.rules import followups as fu
from eros.rules.pricing import PRICE_CEILING, PRICE_FLOOR, in_bounds
from eros.rules.send_types import (
    FOLLOWUP_KEY,
    FOLLOWUP_PARENTS,
    MIN_DISTINCT_TYPES,
    SEND_TYPES,
    Channel,
    SendType,
    min_distinct_by_category,
)
from eros.rules.timing import (
    DEAD_ZONE_END_HOUR,
    DEAD_ZONE_START_HOUR,
    MIN_SPACING_MINUTES,
    in_dead_zone,
    on_quarter_hour,
    parse_date,
    parse_time,
)

VAULT_VIOLATION = "VAULT_VIOLATION"
AVOID_TIER_VIOLATION = "AVOID_TIER_VIOLATION"
PAGE_TYPE_VIOLATION = "PAGE_TYPE_VIOLATION"
INSUFFICIENT_DIVERSITY = "INSUFFICIENT_DIVERSITY"
FLYER_REQUIREMENT_VIOLATION = "FLYER_REQUIREMENT_VIOLATION"
PRICE_OUT_OF_BOUNDS = "PRICE_OUT_OF_BOUNDS"
TIMING_COLLISION = "TIMING_COLLISION"
FOLLOWUP_VIOLATION = "FOLLOWUP_VIOLATION"
STRUCTURE_ERROR = "STRUCTURE_ERROR"

#: The order DOMAIN §3 checks and reports the gates in.
GATE_CODES: tuple[str, ...] = (
    VAULT_VIOLATION,
    AVOID_TIER_VIOLATION,
    PAGE_TYPE_VIOLATION,
    INSUFFICIENT_DIVERSITY,
    FLYER_REQUIREMENT_VIOLATION,
    PRICE_OUT_OF_BOUNDS,
    TIMING_COLLISION,
    FOLLOWUP_VIOLATION,
    STRUCTURE_ERROR,
)

#: The certificate's `checks_performed` name for each gate (DOMAIN §10).
CHECK_NAMES: dict[str, str] = {
    VAULT_VIOLATION: "vault_compliance",
    AVOID_TIER_VIOLATION: "avoid_tier_exclusion",
    PAGE_TYPE_VIOLATION: "page_type_compliance",
    INSUFFICIENT_DIVERSITY: "send_type_diversity",
    FLYER_REQUIREMENT_VIOLATION: "flyer_requirements",
    PRICE_OUT_OF_BOUNDS: "price_bounds",
    TIMING_COLLISION: "timing_validation",
    FOLLOWUP_VIOLATION: "followup_rules",
    STRUCTURE_ERROR: "structure",
}


@dataclass(frozen=True, slots=True)
class GateFacts:
    """What the gates need to know about the creator and week, nothing more.

    `known_caption_ids` is None when the caller cannot know the caption bank; then only
    the shape of a caption id is checked.
    """

    creator_id: str
    page_type: str
    week_start: date
    timezone: str
    vault_types: frozenset[str]
    avoid_types: frozenset[str]
    known_caption_ids: frozenset[int] | None = None

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    def with_content(self, vault_types: Iterable[str], avoid_types: Iterable[str]) -> GateFacts:
        """The same facts with a freshly read vault and AVOID list (the validator re-reads both)."""
        return GateFacts(
            self.creator_id,
            self.page_type,
            self.week_start,
            self.timezone,
            frozenset(vault_types),
            frozenset(avoid_types),
            self.known_caption_ids,
        )


def facts_from_context(
    context: CreatorContext, *, known_caption_ids: frozenset[int] | None = None
) -> GateFacts:
    """Gate facts from a preflight context.

    The context's captions are a selection, not the bank, so caption ids are only checked
    against a bank when the caller passes one (`known_caption_ids`).
    """
    return GateFacts(
        creator_id=context.creator_id,
        page_type=context.page_type,
        week_start=context.week_start,
        timezone=context.timezone,
        vault_types=frozenset(context.vault_types),
        avoid_types=frozenset(context.avoid_types),
        known_caption_ids=known_caption_ids,
    )


@dataclass(frozen=True, slots=True)
class Send:
    """One item as the gates see it: its position, its send type and when it goes out, when readable."""

    index: int
    item: ScheduleItem
    send_type: SendType | None
    day: date | None
    at: datetime | None

    @property
    def key(self) -> str:
        return self.item.send_type_key

    @property
    def is_followup(self) -> bool:
        return self.item.send_type_key == FOLLOWUP_KEY

    @property
    def caption(self) -> int | str | None:
        """What makes two sends share a caption: its id, else its text."""
        return self.item.caption_id if self.item.caption_id is not None else self.item.caption_text


Gate = Callable[[Sequence[Send], GateFacts], list[Violation]]


def _violation(code: str, rule: str, message: str, *indices: int) -> Violation:
    return Violation(code=code, rule=rule, message=message, items=sorted(set(indices)))


def _describe(send: Send) -> str:
    item = send.item
    return f"item {send.index} ({item.send_type_key} on {item.scheduled_date} {item.scheduled_time})"


def _parse(index: int, item: ScheduleItem) -> Send:
    send_type = SEND_TYPES.get(item.send_type_key)
    try:
        day: date | None = parse_date(item.scheduled_date)
    except ValueError:
        day = None
    try:
        moment: time | None = parse_time(item.scheduled_time)
    except ValueError:
        moment = None
    at = datetime.combine(day, moment) if day is not None and moment is not None else None
    return Send(index, item, send_type, day, at)


def timed_sends(sends: Sequence[Send]) -> list[Send]:
    """Sends the timing rules can reason about: a known type and a readable date and time."""
    return [s for s in sends if s.send_type is not None and s.at is not None]


def check_vault(sends: Sequence[Send], facts: GateFacts) -> list[Violation]:
    """Content must be in the creator's vault; media types must carry content."""
    found = []
    for s in sends:
        content = s.item.content_type
        if content is not None and content not in facts.vault_types:
            found.append(
                _violation(
                    VAULT_VIOLATION,
                    "not_in_vault",
                    f"{_describe(s)} uses content type {content!r}, which the creator's vault does not have.",
                    s.index,
                )
            )
        elif content is None and s.send_type is not None and s.send_type.requires_media:
            found.append(
                _violation(
                    VAULT_VIOLATION,
                    "media_missing",
                    f"{_describe(s)} needs media but carries no content type.",
                    s.index,
                )
            )
    return found


def check_avoid(sends: Sequence[Send], facts: GateFacts) -> list[Violation]:
    """No content type ranked AVOID in the creator's latest rankings."""
    return [
        _violation(
            AVOID_TIER_VIOLATION,
            "avoid_content",
            f"{_describe(s)} uses content type {s.item.content_type!r}, ranked AVOID for this creator.",
            s.index,
        )
        for s in sends
        if s.item.content_type is not None and s.item.content_type in facts.avoid_types
    ]


def check_page_type(sends: Sequence[Send], facts: GateFacts) -> list[Violation]:
    """No send type the page type forbids (§1)."""
    return [
        _violation(
            PAGE_TYPE_VIOLATION,
            "forbidden_type",
            f"{_describe(s)}: {s.key} is not allowed on a {facts.page_type} page.",
            s.index,
        )
        for s in sends
        if s.send_type is not None and not s.send_type.allowed_on(facts.page_type)
    ]


def check_diversity(sends: Sequence[Send], facts: GateFacts) -> list[Violation]:
    """Across the week: enough distinct types overall and per category (follow-ups count)."""
    types = {s.send_type.key: s.send_type for s in sends if s.send_type is not None}
    found = []
    if len(types) < MIN_DISTINCT_TYPES:
        found.append(
            _violation(
                INSUFFICIENT_DIVERSITY,
                "distinct_types",
                f"The week uses {len(types)} distinct send types; "
                f"at least {MIN_DISTINCT_TYPES} are required.",
            )
        )
    for category, minimum in min_distinct_by_category(facts.page_type).items():
        count = sum(1 for st in types.values() if st.category is category)
        if count < minimum:
            found.append(
                _violation(
                    INSUFFICIENT_DIVERSITY,
                    f"distinct_{category.value}",
                    f"The week uses {count} distinct {category.value} send types; "
                    f"at least {minimum} are required.",
                )
            )
    return found


def check_flyer(sends: Sequence[Send], facts: GateFacts) -> list[Violation]:
    """Every flyer type (§1) carries `flyer_required = 1`."""
    return [
        _violation(
            FLYER_REQUIREMENT_VIOLATION,
            "flyer_missing",
            f"{_describe(s)} is a flyer type but has flyer_required = {s.item.flyer_required}, not 1.",
            s.index,
        )
        for s in sends
        if s.send_type is not None and s.send_type.requires_flyer and s.item.flyer_required != 1
    ]


def check_price(sends: Sequence[Send], facts: GateFacts) -> list[Violation]:
    """Priced types cost $5–$50; unpriced types carry no price."""
    found = []
    for s in sends:
        if s.send_type is None:
            continue
        value = s.item.price
        if s.send_type.requires_price and (value is None or not in_bounds(value)):
            shown = "no price" if value is None else f"${value:.2f}"
            found.append(
                _violation(
                    PRICE_OUT_OF_BOUNDS,
                    "price_bounds",
                    f"{_describe(s)} has {shown}; "
                    f"priced types must cost ${PRICE_FLOOR:.2f}–${PRICE_CEILING:.2f}.",
                    s.index,
                )
            )
        elif not s.send_type.requires_price and value:
            found.append(
                _violation(
                    PRICE_OUT_OF_BOUNDS,
                    "unpriced_type_priced",
                    f"{_describe(s)} carries a price (${value:.2f}) but {s.key} is not a priced type.",
                    s.index,
                )
            )
    return found


def _moved_followups(sends: Sequence[Send]) -> set[int]:
    """Follow-ups placed by the late-night cutoff (§5): 08:00 the day after a parent + delay past 23:30."""
    moved = set()
    for s in timed_sends(sends):
        parent = _parent_of(s, sends)
        if not s.is_followup or parent is None or parent.at is None or parent.is_followup:
            continue
        # Without a stated delay, any delay up to the maximum could have passed the cutoff.
        delay = s.item.delay_minutes if s.item.delay_minutes is not None else fu.DELAY_MAX_MINUTES
        if fu.delay_is_valid(delay) and _lands_after_cutoff(parent, delay) and s.at == _next_morning(parent):
            moved.add(s.index)
    return moved


def _lands_after_cutoff(parent: Send, delay: int) -> bool:
    assert parent.at is not None and parent.day is not None
    return parent.at + timedelta(minutes=delay) > datetime.combine(parent.day, fu.LATE_NIGHT_CUTOFF)


def _next_morning(parent: Send) -> datetime:
    assert parent.day is not None
    return datetime.combine(parent.day + timedelta(days=1), fu.NEXT_DAY_TIME)


def _parent_of(send: Send, sends: Sequence[Send]) -> Send | None:
    index = send.item.parent_item_index
    if index is None or not 0 <= index < len(sends):
        return None
    return sends[index]


def _minutes_between(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 60


def _too_close(ordered: Sequence[Send], minimum: float) -> list[tuple[Send, Send, float]]:
    """Consecutive pairs of time-ordered sends less than `minimum` minutes apart, with the minutes."""
    close = []
    for earlier, later in pairwise(ordered):
        assert earlier.at is not None and later.at is not None
        apart = _minutes_between(earlier.at, later.at)
        if apart < minimum:
            close.append((earlier, later, apart))
    return close


def _by_day(sends: Iterable[Send]) -> dict[date, list[Send]]:
    """Dated sends grouped by day, in the order given, days ascending."""
    per_day: dict[date, list[Send]] = defaultdict(list)
    for s in sends:
        assert s.day is not None
        per_day[s.day].append(s)
    return dict(sorted(per_day.items()))


def _over_daily_cap(day: date, group: Sequence[Send], cap: int, code: str, what: str) -> list[Violation]:
    """A violation naming every send of the day when the day holds more than `cap` of them."""
    if len(group) <= cap:
        return []
    return [
        _violation(
            code,
            "daily_cap",
            f"{len(group)} {what} on {day.isoformat()}; at most {cap} per day.",
            *(s.index for s in group),
        )
    ]


def check_timing(sends: Sequence[Send], facts: GateFacts) -> list[Violation]:
    """§4 hard timing: dead zone, quarter hours, per-type gap, per-day and per-week caps, 45-min spacing."""
    timed = timed_sends(sends)
    moved = _moved_followups(sends)
    found = []
    for s in timed:
        assert s.at is not None
        if in_dead_zone(s.at.time()):
            found.append(
                _violation(
                    TIMING_COLLISION,
                    "dead_zone",
                    f"{_describe(s)} falls in the dead zone "
                    f"({DEAD_ZONE_START_HOUR:02d}:00–{DEAD_ZONE_END_HOUR - 1:02d}:59).",
                    s.index,
                )
            )
        if on_quarter_hour(s.at.time()) and s.index not in moved:
            found.append(
                _violation(
                    TIMING_COLLISION,
                    "quarter_hour",
                    f"{_describe(s)} lands on a quarter hour (:00, :15, :30, :45); jitter it off the grid.",
                    s.index,
                )
            )
    by_type: dict[str, list[Send]] = defaultdict(list)
    for s in timed:
        if not s.is_followup:
            by_type[s.key].append(s)
    for key, group in sorted(by_type.items()):
        found.extend(_type_gap_and_caps(key, sorted(group, key=lambda s: (s.at, s.index))))
    regular = sorted((s for s in timed if not s.is_followup), key=lambda s: (s.at, s.index))
    found.extend(
        _violation(
            TIMING_COLLISION,
            "spacing",
            f"{_describe(earlier)} and {_describe(later)} are {apart:.0f} minutes apart; "
            f"sends must be at least {MIN_SPACING_MINUTES} minutes apart.",
            earlier.index,
            later.index,
        )
        for earlier, later, apart in _too_close(regular, MIN_SPACING_MINUTES)
    )
    return found


def _type_gap_and_caps(key: str, group: list[Send]) -> list[Violation]:
    st = SEND_TYPES[key]
    found = [
        _violation(
            TIMING_COLLISION,
            "type_gap",
            f"{_describe(earlier)} and {_describe(later)} are {apart:.0f} minutes apart; "
            f"two {key} sends need at least {st.gap_minutes // 60} h between them.",
            earlier.index,
            later.index,
        )
        for earlier, later, apart in _too_close(group, st.gap_minutes)
    ]
    for day, on_day in _by_day(group).items():
        found.extend(_over_daily_cap(day, on_day, st.max_per_day, TIMING_COLLISION, f"{key} sends"))
    if st.max_per_week is not None and len(group) > st.max_per_week:
        found.append(
            _violation(
                TIMING_COLLISION,
                "weekly_cap",
                f"{len(group)} {key} sends this week; at most {st.max_per_week} per week.",
                *(s.index for s in group),
            )
        )
    return found


def check_followups(sends: Sequence[Send], facts: GateFacts) -> list[Violation]:
    """§5: a real parent, a 15–45 minute delay (or the late-night move), targeted channel, daily limits."""
    found: list[Violation] = []
    followups = [s for s in sends if s.is_followup and s.send_type is not None]
    for s in sends:
        if s.item.is_follow_up and not s.is_followup and s.send_type is not None:
            found.append(
                _violation(
                    FOLLOWUP_VIOLATION,
                    "not_a_followup_type",
                    f"{_describe(s)} is marked as a follow-up but follow-ups are {FOLLOWUP_KEY} items.",
                    s.index,
                )
            )
    moved = _moved_followups(sends)
    for s in followups:
        found.extend(_followup_item_problems(s, sends, moved))
    parents = Counter(s.item.parent_item_index for s in followups if s.item.parent_item_index is not None)
    for parent_index, count in sorted(parents.items()):
        if count > 1:
            twins = [s.index for s in followups if s.item.parent_item_index == parent_index]
            found.append(
                _violation(
                    FOLLOWUP_VIOLATION,
                    "duplicate_followup",
                    f"Item {parent_index} has {count} follow-ups; a parent gets at most one.",
                    *twins,
                )
            )
    found.extend(_followup_day_problems(timed_sends(followups)))
    return found


def _followup_item_problems(s: Send, sends: Sequence[Send], moved: set[int]) -> list[Violation]:
    item = s.item
    found = []

    def add(rule: str, sentence: str) -> None:
        found.append(_violation(FOLLOWUP_VIOLATION, rule, f"{_describe(s)} {sentence}", s.index))

    if item.channel_key is not None and item.channel_key != Channel.TARGETED_MESSAGE.value:
        add(
            "channel", f"goes out on {item.channel_key!r}; follow-ups use {Channel.TARGETED_MESSAGE.value!r}."
        )
    parent = _parent_of(s, sends)
    if item.parent_item_index is None:
        add("no_parent", "has no parent_item_index; a follow-up belongs to a PPV or tip-goal parent.")
        return found
    if parent is None:
        add("no_parent", f"points at item {item.parent_item_index}, which does not exist.")
        return found
    if parent.is_followup:
        add(
            "followup_of_followup",
            f"follows up item {parent.index}, itself a follow-up; follow-ups have none.",
        )
        return found
    if parent.key not in FOLLOWUP_PARENTS:
        add("wrong_parent", f"follows up item {parent.index} ({parent.key}), which takes no follow-up.")
        return found
    if item.target_key is not None and item.target_key != fu.followup_target(parent.key):
        add(
            "target",
            f"targets {item.target_key!r}; "
            f"a {parent.key} follow-up targets {fu.followup_target(parent.key)!r}.",
        )
    delay = item.delay_minutes
    if delay is not None and not fu.delay_is_valid(delay):
        add(
            "delay_range",
            f"has a delay of {delay} minutes; follow-ups go "
            f"{fu.DELAY_MIN_MINUTES}–{fu.DELAY_MAX_MINUTES} minutes after the parent.",
        )
        return found
    if s.at is None or parent.at is None:
        return found
    if s.index in moved:
        return found
    apart = _minutes_between(parent.at, s.at)
    if delay is None and not fu.delay_is_valid(round(apart)):
        add(
            "delay_range",
            f"lands {apart:.0f} minutes after its parent (item {parent.index}); follow-ups go "
            f"{fu.DELAY_MIN_MINUTES}–{fu.DELAY_MAX_MINUTES} minutes after the parent.",
        )
    elif delay is not None and apart != delay:
        add(
            "delay_mismatch",
            f"lands {apart:.0f} minutes after its parent (item {parent.index}) "
            f"but says delay_minutes = {delay}.",
        )
    elif _lands_after_cutoff(parent, round(apart)):
        add(
            "late_night",
            f"lands after {fu.LATE_NIGHT_CUTOFF:%H:%M}; it must move to "
            f"{fu.NEXT_DAY_TIME:%H:%M} the next day (or be dropped at the end of the week).",
        )
    return found


def _followup_day_problems(followups: list[Send]) -> list[Violation]:
    found = []
    for day, group in _by_day(followups).items():
        group.sort(key=lambda s: (s.at, s.index))
        found.extend(_over_daily_cap(day, group, fu.MAX_PER_DAY, FOLLOWUP_VIOLATION, "follow-ups"))
        found.extend(
            _violation(
                FOLLOWUP_VIOLATION,
                "spacing",
                f"Follow-ups {earlier.index} and {later.index} on {day.isoformat()} are {apart:.0f} "
                f"minutes apart; at least {fu.MIN_MINUTES_APART} are required.",
                earlier.index,
                later.index,
            )
            for earlier, later, apart in _too_close(group, fu.MIN_MINUTES_APART)
        )
        captions: dict[int | str, list[int]] = defaultdict(list)
        for s in group:
            if s.caption is not None:
                captions[s.caption].append(s.index)
        for indices in captions.values():
            if len(indices) > 1:
                found.append(
                    _violation(
                        FOLLOWUP_VIOLATION,
                        "caption_reused",
                        f"Follow-ups {', '.join(map(str, indices))} on {day.isoformat()} share a caption; "
                        "each follow-up of a day needs its own.",
                        *indices,
                    )
                )
    return found


def check_structure(sends: Sequence[Send], facts: GateFacts) -> list[Violation]:
    """Real dates inside the week, real `HH:MM` times, one of the 22 send types, caption ids that exist."""
    found = []
    for s in sends:
        item = s.item
        problems = []
        if s.send_type is None:
            problems.append(f"send type {item.send_type_key!r} is not one of the 22")
        if s.day is None:
            problems.append(f"date {item.scheduled_date!r} is not a real YYYY-MM-DD date")
        elif not facts.week_start <= s.day <= facts.week_end:
            problems.append(
                f"date {item.scheduled_date} is outside the week "
                f"{facts.week_start.isoformat()}–{facts.week_end.isoformat()}"
            )
        if _time_unreadable(item.scheduled_time):
            problems.append(f"time {item.scheduled_time!r} is not a real HH:MM time")
        if item.caption_id is not None and (
            item.caption_id <= 0
            or (facts.known_caption_ids is not None and item.caption_id not in facts.known_caption_ids)
        ):
            problems.append(f"caption {item.caption_id} does not exist")
        if item.flyer_required not in (0, 1):
            problems.append(f"flyer_required is {item.flyer_required}, not 0 or 1")
        if problems:
            found.append(
                _violation(
                    STRUCTURE_ERROR, "item_shape", f"Item {s.index}: " + "; ".join(problems) + ".", s.index
                )
            )
    return found


def _time_unreadable(text: str) -> bool:
    try:
        parse_time(text)
    except ValueError:
        return True
    return False


#: Every gate in DOMAIN §3 order.
GATES: tuple[tuple[str, Gate], ...] = (
    (VAULT_VIOLATION, check_vault),
    (AVOID_TIER_VIOLATION, check_avoid),
    (PAGE_TYPE_VIOLATION, check_page_type),
    (INSUFFICIENT_DIVERSITY, check_diversity),
    (FLYER_REQUIREMENT_VIOLATION, check_flyer),
    (PRICE_OUT_OF_BOUNDS, check_price),
    (TIMING_COLLISION, check_timing),
    (FOLLOWUP_VIOLATION, check_followups),
    (STRUCTURE_ERROR, check_structure),
)


def to_sends(items: Sequence[ScheduleItem]) -> list[Send]:
    """Each item with its send type and local moment parsed once (None where unreadable)."""
    return [_parse(index, item) for index, item in enumerate(items)]


def evaluate_gates(items: Sequence[ScheduleItem], facts: GateFacts) -> list[Violation]:
    """Every violation of every hard gate, in DOMAIN §3 order; empty means the schedule may be scored."""
    sends = to_sends(items)
    found: list[Violation] = []
    for _code, gate in GATES:
        found.extend(gate(sends, facts))
    return found


def violation_counts(violations: Iterable[Violation]) -> dict[str, int]:
    """Count per gate code (every gate present, zero when clean) plus `critical`, for the certificate."""
    counts = dict.fromkeys(GATE_CODES, 0)
    for v in violations:
        counts[v.code] = counts.get(v.code, 0) + 1
    counts["critical"] = sum(counts[code] for code in GATE_CODES)
    return counts
