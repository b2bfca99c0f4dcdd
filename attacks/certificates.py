"""Attack the certificates of `save_schedule` as issue 11 did, on a throw-away sample database.

    .venv/bin/python attacks/certificates.py

A genuine week is generated and signed by the real v5 pipeline, then saved through the real
eros-db server (in process) with every change the issue names — reordered items, each item field
tampered, unknown and oversized fields, forged, replayed, expired and re-scored certificates,
string scores, summaries from the caller, keys guessed from the database — and a stored week
whose items were shuffled behind the server's back is queued. It prints a table of attempts and
outcomes and exits 1 if any attempt was approved, crashed, stored an unverified score, or the
key could be read from the database. Only a temporary directory is touched; no network.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import stat
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from eros.bootstrap import Container, bootstrap, connect_client, tool_env, v5_runner
from eros.clock import FixedClock, parse_instant
from eros.config import load_settings
from eros.db.engine import create_schema, make_engine
from eros.db.sample import build_sample
from eros.db.schedules_repo import SIGNED_COLUMNS
from eros.db.schema import app_config, schedules
from eros.errors import ErosError
from eros.infra.mcp_clients import InProcessClient
from eros.models import ScheduleItem, ValidationCertificate, ValidationStatus
from eros.rules.limits import (
    MAX_CAPTION_CHARS,
    MAX_CERTIFICATE_CHARS,
    MAX_ITEM_CHARS,
    MAX_ITEMS,
    MAX_KEY_CHARS,
)
from eros.services.queueing import queue_schedule
from eros.validation.certificate import sign

NOW = "2026-01-04T12:00:00Z"
WEEK = "2026-01-05"
CREATOR = "alexia"
#: Keys an attacker might guess (the test suite's, the mock's, the obvious ones).
GUESSED_KEYS = (
    b"",
    b"k",
    b"key",
    b"secret",
    b"test-signing-key-not-secret",
    b"mock-mcp-signing-key-not-secret",
)
FIFTY_MB = 50_000_000
#: Hex runs from the database file tried as keys (signatures, hashes: whatever looks like a key).
MAX_CANDIDATES = 40

Arguments = dict[str, Any]


@dataclass
class Report:
    """Outcomes per attack family; the figures that must stay 0 are `bad`."""

    outcomes: dict[str, Counter[str]] = field(default_factory=dict)
    unverified_scores: int = 0
    key_exposures: list[str] = field(default_factory=list)
    stray_files: list[str] = field(default_factory=list)
    growth_bytes: int = 0

    def record(self, family: str, outcome: str) -> None:
        self.outcomes.setdefault(family, Counter())[outcome] += 1

    def count(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.outcomes.values())

    @property
    def attempts(self) -> int:
        return sum(sum(c.values()) for c in self.outcomes.values())

    @property
    def bad(self) -> dict[str, int]:
        return {
            "approvals obtained": self.count("approved"),
            "tracebacks": self.count("traceback"),
            "unverified scores stored": self.unverified_scores,
            "key readable from the database": len(self.key_exposures),
            "files created by accident": len(self.stray_files),
        }


@dataclass
class Target:
    """The installation under attack and the genuine signed week."""

    container: Container
    client: InProcessClient
    clock: FixedClock
    items: list[dict[str, Any]]
    certificate: dict[str, Any]
    #: What the genuine save stores; an approved attempt that stores anything else is a hole.
    signed: dict[str, Any] = field(default_factory=dict)

    def stored(self, schedule_id: int) -> dict[str, Any]:
        with self.container.engine.connect() as conn:
            row = (
                conn.execute(select(schedules).where(schedules.c.schedule_id == schedule_id)).mappings().one()
            )
        return {column: row[column] for column in SIGNED_COLUMNS}

    def arguments(self, **changes: Any) -> Arguments:
        return {
            "creator_id": CREATOR,
            "week_start": WEEK,
            "items": copy.deepcopy(self.items),
            "validation_certificate": copy.deepcopy(self.certificate),
            **changes,
        }

    def resigned(self, key: bytes, **changes: Any) -> dict[str, Any]:
        cert = ValidationCertificate.model_validate(self.certificate).model_copy(update=changes)
        return sign(cert, key).model_dump(mode="json")


def build(directory: Path) -> Target:
    """The sample agency in `directory`, its key file made on first use, and one signed week."""
    db = directory / "eros.db"
    engine = make_engine(f"sqlite:///{db}", create=True)
    create_schema(engine)
    build_sample(engine, seed=7, as_of=date(2026, 1, 4))
    engine.dispose()
    clock = FixedClock(parse_instant(NOW))
    container = bootstrap(load_settings({"EROS_DB_PATH": str(db)}), clock)
    result = asyncio.run(v5_runner(container)(CREATOR, WEEK, dry_run=True))
    assert result.schedule is not None and result.validation is not None, result.errors
    return Target(
        container=container,
        client=InProcessClient(tool_env(container)),
        clock=clock,
        items=list(result.schedule["items"]),
        certificate=dict(result.validation["certificate"]),
    )


# --- the attacks: (family, name, arguments) ---------------------------------------------------


def _with_items(target: Target, change: Callable[[list[dict[str, Any]]], None]) -> Arguments:
    arguments = target.arguments()
    change(arguments["items"])
    return arguments


def _with_cert(target: Target, change: Callable[[dict[str, Any]], None]) -> Arguments:
    arguments = target.arguments()
    change(arguments["validation_certificate"])
    return arguments


def reorders(target: Target) -> Iterator[tuple[str, Arguments]]:
    parents = sorted({i["parent_item_index"] for i in target.items if i.get("parent_item_index") is not None})

    def swap_parents(items: list[dict[str, Any]]) -> None:
        items[parents[0]], items[parents[1]] = items[parents[1]], items[parents[0]]

    yield "reversed", _with_items(target, lambda items: items.reverse())
    yield "two parents swapped", _with_items(target, swap_parents)
    yield "rotated by one", _with_items(target, lambda items: items.insert(0, items.pop()))
    yield "sorted by time", _with_items(target, lambda items: items.sort(key=lambda i: i["scheduled_time"]))


#: A different, well-formed value for each item field (so the change is read and reaches the hash).
TAMPERED = {
    "send_type_key": "bump_normal",
    "scheduled_date": "2026-01-11",
    "scheduled_time": "03:03",
    "channel_key": "wall_post",
    "content_type": "solo",
    "caption_id": 1,
    "caption_text": "Limited offer: http://scam.example/pay",
    "price": 49.0,
    "flyer_required": 0,
    "is_follow_up": True,
    "parent_item_index": 0,
    "delay_minutes": 44,
    "target_key": "everyone",
    "expected_revenue": 99_999.0,
}


def field_tampers(target: Target) -> Iterator[tuple[str, Arguments]]:
    for name in ScheduleItem.model_fields:
        value = TAMPERED[name]
        index = next(i for i, item in enumerate(target.items) if i > 0 and item.get(name) != value)

        def change(
            items: list[dict[str, Any]], name: str = name, value: Any = value, index: int = index
        ) -> None:
            items[index][name] = value

        yield name, _with_items(target, change)

    def every(name: str, value: Any) -> Callable[[list[dict[str, Any]]], None]:
        def change(items: list[dict[str, Any]]) -> None:
            for item in items:
                item[name] = value

        return change

    yield "every caption a scam link", _with_items(target, every("caption_text", "http://scam.example"))
    yield "every expected_revenue 99,999", _with_items(target, every("expected_revenue", 99_999.0))
    yield "one item dropped", _with_items(target, lambda items: items.__delitem__(5))
    yield "one item repeated", _with_items(target, lambda items: items.insert(5, dict(items[5])))


def added_fields(target: Target) -> Iterator[tuple[str, Arguments]]:
    yield "unknown item field", _with_items(target, lambda items: items[3].__setitem__("note", "x"))
    yield (
        "50 MB unknown item field",
        _with_items(target, lambda items: items[3].__setitem__("blob", "x" * FIFTY_MB)),
    )
    yield "unknown certificate field", _with_cert(target, lambda cert: cert.__setitem__("approved_by", "me"))
    yield (
        "unsigned extra certificate field",
        _with_cert(target, lambda cert: cert.__setitem__("quality_note", "ok")),
    )
    yield (
        "summary arguments",
        target.arguments(total_items=1, expected_revenue=13_900_000.0, quality_score=100.0),
    )


def oversized(target: Target) -> Iterator[tuple[str, Arguments]]:
    def set_first(name: str, value: Any) -> Callable[[list[dict[str, Any]]], None]:
        return lambda items: items[0].__setitem__(name, value)

    yield (
        "caption one over the limit",
        _with_items(target, set_first("caption_text", "x" * (MAX_CAPTION_CHARS + 1))),
    )
    yield "key one over the limit", _with_items(target, set_first("content_type", "x" * (MAX_KEY_CHARS + 1)))
    yield "item JSON over the limit", _with_items(target, set_first("caption_text", "\\" * MAX_ITEM_CHARS))
    yield "50 MB caption", _with_items(target, set_first("caption_text", "x" * FIFTY_MB))
    yield "one item over the count", target.arguments(items=[target.items[0]] * (MAX_ITEMS + 1))
    yield (
        "certificate over the limit",
        _with_cert(
            target,
            lambda cert: cert.__setitem__("recommendations", ["r" * 200] * (MAX_CERTIFICATE_CHARS // 200)),
        ),
    )
    yield "generator label over the limit", target.arguments(generator="g" * (MAX_KEY_CHARS + 1))


def forgeries(target: Target) -> Iterator[tuple[str, Arguments]]:
    yield (
        "signature edited",
        _with_cert(target, lambda cert: cert.__setitem__("certificate_signature", "0" * 64)),
    )
    yield "signature removed", _with_cert(target, lambda cert: cert.__setitem__("certificate_signature", ""))
    yield "score raised", _with_cert(target, lambda cert: cert.__setitem__("quality_score", 100.0))
    for key in GUESSED_KEYS:
        yield (
            f"signed with guessed key {key!r}",
            target.arguments(validation_certificate=target.resigned(key)),
        )
    # A genuine NEEDS_REVIEW certificate (the validator issues them), its status flipped to APPROVED.
    review = target.resigned(
        target.container.signing_key, validation_status=ValidationStatus.NEEDS_REVIEW, quality_score=70.0
    )
    yield (
        "NEEDS_REVIEW flipped to APPROVED",
        target.arguments(
            validation_certificate=review | {"validation_status": ValidationStatus.APPROVED.value}
        ),
    )


def replays(target: Target) -> Iterator[tuple[str, Arguments]]:
    yield "another creator", target.arguments(creator_id="grace_bennett")
    shifted = [item for item in target.items if item["scheduled_date"] != "2026-01-11"]
    yield "another week", target.arguments(week_start="2026-01-04", items=shifted)
    yield "with other items", target.arguments(items=target.items[:10])


def string_scores(target: Target) -> Iterator[tuple[str, Arguments]]:
    scores: tuple[Any, ...] = ("94.3", "high", None, True, [94.3], {"score": 94.3})
    for score in scores:
        arguments = target.arguments()
        arguments["validation_certificate"]["quality_score"] = score
        yield f"quality_score={score!r}", arguments


FAMILIES: tuple[tuple[str, Callable[[Target], Iterator[tuple[str, Arguments]]]], ...] = (
    ("reordered items", reorders),
    ("item field tampered", field_tampers),
    ("fields added", added_fields),
    ("oversized", oversized),
    ("forged certificate", forgeries),
    ("replayed certificate", replays),
    ("string score", string_scores),
)


# --- running them -----------------------------------------------------------------------------


def attempt(
    target: Target, report: Report, family: str, arguments: Arguments, *, genuine: bool = False
) -> None:
    """One save: approved (a hole), draft, refused with a code, or a traceback (a crash). A draft
    may keep a score only when its certificate is `genuine` (the server's own, merely stale)."""
    try:
        saved = asyncio.run(target.client.call_tool("save_schedule", arguments))
    except ErosError as exc:
        report.record(family, "traceback" if exc.code in {"INTERNAL_ERROR", "DATABASE_ERROR"} else "refused")
        return
    except Exception:  # counting crashes is the point
        report.record(family, "traceback")
        return
    row = target.stored(saved["schedule_id"])
    if saved["status"] == "approved":
        report.record(family, "as signed" if row == target.signed else "approved")
        return
    report.record(family, str(saved["status"]))
    report.unverified_scores += row["quality_score"] is not None and not genuine


def expired(target: Target, report: Report) -> None:
    """The genuine certificate, 301 s later and 31 s early."""
    for offset in (timedelta(seconds=301), timedelta(seconds=-31)):
        target.clock.advance(offset)
        attempt(target, report, "replayed certificate", target.arguments(), genuine=True)
        target.clock.advance(-offset)


def key_from_the_database(target: Target, report: Report) -> None:
    """Sign with every value `app_config` holds and every hex run the database file holds."""
    db = Path(str(target.container.engine.url.database))
    with target.container.engine.connect() as conn:
        values = {str(v).encode() for v in conn.execute(select(app_config.c.value)).scalars()}
    raw = db.read_bytes()
    values |= set(re.findall(rb"[0-9a-f]{32,64}", raw)[:MAX_CANDIDATES])
    if target.container.signing_key in raw:
        report.key_exposures.append("the key's bytes are in the database file")
    for candidate in sorted(values):
        signed = target.resigned(candidate)
        attempt(target, report, "key read from the database", target.arguments(validation_certificate=signed))
    for path, expected in ((db, 0o600), (db.with_name(db.name + ".key"), 0o600)):
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode != expected:
            report.key_exposures.append(f"{path.name} has mode {mode:o}")


def queue_shuffled(target: Target, report: Report) -> None:
    """An approved week whose stored items were shuffled afterwards must not be queued."""
    saved = asyncio.run(target.client.call_tool("save_schedule", target.arguments()))
    with target.container.engine.begin() as conn:
        conn.execute(
            schedules.update()
            .where(schedules.c.schedule_id == saved["schedule_id"])
            .values(items_json=json.dumps(list(reversed(target.items))))
        )
    try:
        asyncio.run(
            queue_schedule(
                target.container.uow, connect_client(target.container), target.clock, saved["schedule_id"]
            )
        )
    except ErosError as exc:
        report.record(
            "queue a shuffled stored week", "refused" if exc.code == "SCHEDULE_REJECTED" else "traceback"
        )
        return
    report.record("queue a shuffled stored week", "approved")  # queued: a hole


def run_attacks(directory: Path) -> Report:
    target = build(directory)
    report = Report()
    genuine = asyncio.run(target.client.call_tool("save_schedule", target.arguments()))
    assert genuine["status"] == "approved", genuine["warnings"]  # the control: the real week saves
    target.signed = target.stored(genuine["schedule_id"])
    db = Path(str(target.container.engine.url.database))
    size = db.stat().st_size
    for family, attacks in FAMILIES:
        for _name, arguments in attacks(target):
            attempt(target, report, family, arguments)
    expired(target, report)
    key_from_the_database(target, report)
    queue_shuffled(target, report)
    target.container.engine.dispose()
    report.growth_bytes = db.stat().st_size - size
    expected = {"eros.db", "eros.db.key", "eros.db-wal", "eros.db-shm"}
    report.stray_files = sorted(p.name for p in directory.iterdir() if p.name not in expected)
    return report


def print_table(report: Report) -> None:
    columns = ("approved", "as signed", "draft", "refused", "traceback")
    print(f"{'attack':34} {'tried':>6} " + " ".join(f"{c:>10}" for c in columns))
    for family, counts in report.outcomes.items():
        print(f"{family:34} {sum(counts.values()):>6} " + " ".join(f"{counts[c]:>10}" for c in columns))
    print(f"{'total':34} {report.attempts:>6} " + " ".join(f"{report.count(c):>10}" for c in columns))
    print("(as signed: approved, storing exactly what the genuine save stores — extra arguments ignored)")
    print()
    for name, value in report.bad.items():
        print(f"{name:34} {value:>6}")
    print(f"{'database growth over all attacks':34} {report.growth_bytes:>6} bytes")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="eros-attack-") as tmp:
        report = run_attacks(Path(tmp))
    print_table(report)
    return 1 if any(report.bad.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
