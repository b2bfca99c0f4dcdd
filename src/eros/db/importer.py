"""Import an agency's own data from CSV files (docs/DATA_IMPORT.md).

A file is UTF-8 (with or without a byte-order mark) or UTF-16 with one (Excel's "Unicode text"),
comma- or tab-separated (told from the header row); anything else is INVALID_ENCODING naming the
byte and row where decoding failed. Every row is validated; the first file with a bad row stops
the import with VALIDATION_ERROR naming each bad row (spreadsheet row numbers: the header is row
1) and, because the whole import runs in one transaction, nothing of it is written. After history
arrives, rankings, tiers and triggers are recomputed by `eros.db.analyze` inside the same
transaction. Re-importing a creator updates only the columns the file has values for
(`replace=True`: the whole row, as a fresh import would write it).
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Engine, func, or_, select

from eros.clock import iso_z
from eros.db.analyze import CreatorAnalysis, analyze_creator
from eros.db.engine import database_exists, inserted_id
from eros.db.schema import captions, content_types, creators, mass_messages, vault_matrix
from eros.errors import ConfigError, InvalidInput
from eros.rules.captions import MAX_CAPTION_LENGTH, TIER_LABELS, slot_class
from eros.rules.pricing import PRICE_CEILING, PRICE_FLOOR
from eros.rules.send_types import SEND_TYPES, PageType
from eros.rules.timing import DEFAULT_TIMEZONE

#: Bad rows listed in the error message (all of them, up to MAX_ERRORS, are in details["errors"]).
SHOWN_ERRORS = 10
MAX_ERRORS = 200
CONTENT_CATEGORIES = ("lifestyle", "softcore", "amateur", "explicit")
CONTENT_TYPE_CATEGORIES = ("explicit", "softcore", "teasing", "specialty", "lifestyle")
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "x"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", ""})
DEFAULT_CAPTION_TIER = 3


class ImportKind(StrEnum):
    CONTENT_TYPES = "content_types"
    CREATORS = "creators"
    VAULT = "vault"
    CAPTIONS = "captions"
    HISTORY = "history"


#: Files `eros import DIR` looks for, imported in this order (later files refer to earlier ones).
FILE_NAMES: dict[ImportKind, tuple[str, ...]] = {
    ImportKind.CONTENT_TYPES: ("content_types.csv",),
    ImportKind.CREATORS: ("creators.csv",),
    ImportKind.VAULT: ("vault.csv", "vault_matrix.csv"),
    ImportKind.CAPTIONS: ("captions.csv",),
    ImportKind.HISTORY: ("mass_messages.csv", "history.csv"),
}


@dataclass
class FileReport:
    kind: ImportKind
    path: Path
    inserted: int = 0
    updated: int = 0
    skipped: int = 0


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    analyzed: list[CreatorAnalysis] = field(default_factory=list)


class _RowError(ValueError):
    """A problem with one value of one row."""


INVALID_ENCODING = "INVALID_ENCODING"


class InvalidEncoding(InvalidInput):
    """A file that is neither UTF-8 nor UTF-16 with a byte-order mark."""

    code = INVALID_ENCODING


#: Byte-order marks, longest first (UTF-32's begins like UTF-16's); None: not an encoding we read.
_BOMS: tuple[tuple[bytes, str | None, str], ...] = (
    (codecs.BOM_UTF32_LE, None, "UTF-32"),
    (codecs.BOM_UTF32_BE, None, "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_SAVE_AS = 'save it as "CSV UTF-8" (or Excel\'s "Unicode text")'


# --- parsing helpers -----------------------------------------------------------------------------


def normalise_header(name: str) -> str:
    """`Active fans` → `active_fans`, `Renew on %` → `renew_on`: how columns are matched."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def page_name_from(value: str) -> str:
    """A CRM creator name as a page name: lower case, spaces to `_`, only a–z 0–9 `_`."""
    return re.sub(r"[^a-z0-9_]", "", re.sub(r"\s+", "_", value.strip().lower()))


def _money(value: str, column: str) -> float | None:
    text = value.strip().replace("$", "").replace(",", "").replace("%", "").strip()
    if text in ("", "-"):
        return None
    try:
        return float(text)
    except ValueError:
        raise _RowError(f"{column} {value!r} is not a number") from None


def _required_money(value: str, column: str) -> float:
    number = _money(value, column)
    if number is None:
        raise _RowError(f"{column} is required")
    return number


def _count(value: str, column: str, *, default: int | None = None) -> int:
    text = value.strip().replace(",", "")
    if text == "" and default is not None:
        return default
    if not text.isdigit():
        raise _RowError(f"{column} {value!r} is not a whole number ≥ 0")
    return int(text)


def _flag(value: str, column: str, *, default: bool) -> bool:
    text = value.strip().lower()
    if text == "":
        return default
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise _RowError(f"{column} {value!r} is not yes/no (1/0, true/false)")


def _choice(value: str, column: str, allowed: Sequence[str], *, default: str | None = None) -> str:
    text = value.strip().lower()
    if text == "" and default is not None:
        return default
    if text not in allowed:
        raise _RowError(f"{column} {value!r} is not one of {', '.join(allowed)}")
    return text


def _timezone(value: str) -> str:
    text = value.strip() or DEFAULT_TIMEZONE
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise _RowError(f"timezone {value!r} is not an IANA time zone (e.g. America/New_York)") from None
    return text


@dataclass(frozen=True, slots=True)
class _Row:
    number: int  # spreadsheet row: the header is row 1
    values: dict[str, str]  # normalised header → raw value
    raw: dict[str, str]  # original header → raw value

    def get(self, *names: str) -> str:
        for name in names:
            if self.values.get(name, "").strip():
                return self.values[name]
        return ""


def _row_of(text: str) -> int:
    """The spreadsheet row that the end of `text` (a file's beginning) is in."""
    try:
        records = sum(1 for _ in csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        records = text.count("\n")
    return records + 1 if not text or text.endswith(("\n", "\r")) else records


def decode_csv(path: Path, data: bytes) -> str:
    """The text of a CSV file: UTF-8 (a byte-order mark or none) or UTF-16 with its byte-order mark;
    INVALID_ENCODING naming the byte and the row where anything else fails to decode."""
    encoding, label = "utf-8", "UTF-8"
    for bom, name, what in _BOMS:
        if data.startswith(bom):
            if name is None:
                raise InvalidEncoding(
                    f"{path.name} is {what} text, which is not read; {_SAVE_AS}",
                    details={"file": str(path), "encoding": what},
                )
            encoding, label = name, what
            break
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        row = _row_of(data[: exc.start].decode(encoding, errors="replace"))
        raise InvalidEncoding(
            f"{path.name} is not {label} text: byte 0x{data[exc.start]:02X} at byte {exc.start} (row {row}) "
            f"cannot be decoded; {_SAVE_AS}",
            details={"file": str(path), "row": row, "byte_offset": exc.start, "encoding": label},
        ) from None
    if (nul := text.find("\x00")) >= 0:
        row = _row_of(text[:nul])
        raise InvalidEncoding(
            f"{path.name} holds NUL characters (row {row}): UTF-16 without a byte-order mark? {_SAVE_AS}",
            details={"file": str(path), "row": row, "encoding": label},
        )
    return text


def _delimiter(text: str) -> str:
    """Tab when the header row has more tabs than commas (Excel's "Unicode text"), else comma."""
    header = text.split("\n", 1)[0]
    return "\t" if header.count("\t") > header.count(",") else ","


def _read(path: Path) -> Iterator[_Row]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}", code="IMPORT_FILE_UNREADABLE") from exc
    text = decode_csv(path, data)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    index = 0  # the last row read (the header is row 1)
    try:
        if not reader.fieldnames:
            raise InvalidInput(f"{path.name}: the file is empty (no header row)")
        index = 1
        for index, record in enumerate(reader, start=2):
            raw = {str(k): (v or "") for k, v in record.items() if k is not None}
            if None in record:
                raise InvalidInput(f"{path.name} row {index}: more values than columns in the header")
            if not any(v.strip() for v in raw.values()):
                continue
            yield _Row(index, {normalise_header(k): v for k, v in raw.items()}, raw)
    except csv.Error as exc:
        raise InvalidInput(f"{path.name} row {index + 1}: not readable as CSV ({exc})") from None


def _require_columns(path: Path, rows: list[_Row], *alternatives: tuple[str, ...]) -> None:
    if not rows:
        return
    present = set(rows[0].values)
    missing = [" or ".join(names) for names in alternatives if not present & set(names)]
    if missing:
        raise InvalidInput(f"{path.name}: missing column(s): {'; '.join(missing)}")


# --- per-file importers ----------------------------------------------------------------------------

CREATOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "creator_id": ("creator_id", "id"),
    "page_name": ("page_name", "creator", "page", "username"),
    "display_name": ("display_name", "name"),
    "page_type": ("page_type",),
    "subscription_price": ("subscription_price", "sub_price"),
    "timezone": ("timezone", "time_zone", "tz"),
    "content_category": ("content_category", "category"),
    "is_active": ("is_active", "active"),
    "base_price": ("base_price",),
    "current_fan_count": ("fan_count", "fans", "current_fan_count"),
    "current_active_fans": ("active_fans", "current_active_fans"),
    "current_message_net": ("message_net",),
    "current_posts_net": ("posts_net",),
    "current_total_earnings": ("total_earnings_net", "total_earnings"),
    "current_subscription_net": ("subscription_net",),
    "current_tips_net": ("tips_net",),
    "current_renew_on_pct": ("renew_on", "renew_on_pct"),
}
METRIC_FIELDS = (
    "current_active_fans",
    "current_message_net",
    "current_posts_net",
    "current_total_earnings",
    "current_subscription_net",
    "current_tips_net",
    "current_renew_on_pct",
)
_KNOWN_CREATOR_HEADERS = frozenset(h for names in CREATOR_COLUMNS.values() for h in names)


#: Every creators column an import writes; `--replace` sets each of them (to None when the file is silent).
IMPORTED_CREATOR_COLUMNS = (
    *(c for c in CREATOR_COLUMNS if c != "creator_id"),
    "metrics_snapshot_date",
    "extra_metrics",
)


def _creator_values(row: _Row, now: datetime) -> tuple[dict[str, Any], set[str]]:
    """The row as a new creator (defaults where a cell is empty or its column absent), and the
    columns the row gives a value for (what an update of an existing creator overwrites)."""
    page_source = row.get(*CREATOR_COLUMNS["page_name"])
    page_name = page_name_from(page_source)
    if not page_name:
        raise _RowError("page_name (or Creator) is required")
    given = {"page_name"} | {
        column
        for column, names in CREATOR_COLUMNS.items()
        if column != "page_name" and row.get(*names).strip()
    }
    values: dict[str, Any] = {
        "page_name": page_name,
        "creator_id": row.get(*CREATOR_COLUMNS["creator_id"]).strip() or page_name,
        "display_name": row.get(*CREATOR_COLUMNS["display_name"]).strip() or page_source.strip(),
        "page_type": _choice(
            row.get("page_type"),
            "page_type",
            [p.value for p in PageType],
            default="free" if page_name.endswith("_free") else "paid",
        ),
        "timezone": _timezone(row.get(*CREATOR_COLUMNS["timezone"])),
        "content_category": _choice(
            row.get(*CREATOR_COLUMNS["content_category"]),
            "content_category",
            CONTENT_CATEGORIES,
            default="softcore",
        ),
        "is_active": _flag(row.get(*CREATOR_COLUMNS["is_active"]), "is_active", default=True),
        "updated_at": iso_z(now),
    }
    if len(values["creator_id"]) > 64 or not re.fullmatch(r"[A-Za-z0-9_-]+", values["creator_id"]):
        raise _RowError(f"creator_id {values['creator_id']!r} must be 1–64 letters, digits, _ or -")
    for column in ("subscription_price", "base_price", "current_fan_count", *METRIC_FIELDS):
        number = _money(row.get(*CREATOR_COLUMNS[column]), CREATOR_COLUMNS[column][0])
        if number is not None and number < 0 and column not in ("current_total_earnings",):
            raise _RowError(f"{CREATOR_COLUMNS[column][0]} {number} must not be negative")
        if number is not None:
            values[column] = int(number) if column in ("current_fan_count", "current_active_fans") else number
        else:
            given.discard(column)  # "-": unknown, like an empty cell
    if "current_fan_count" not in values and "current_active_fans" in values:
        values["current_fan_count"] = values["current_active_fans"]
        given.add("current_fan_count")
    if any(column in values for column in METRIC_FIELDS):
        values["metrics_snapshot_date"] = iso_z(now)
        given.add("metrics_snapshot_date")
    extra = {
        k: v for k, v in row.raw.items() if normalise_header(k) not in _KNOWN_CREATOR_HEADERS and v.strip()
    }
    if extra:
        values["extra_metrics"] = json.dumps(extra, sort_keys=True)
        given.add("extra_metrics")
    return values, given


def _merged_extra(stored: str | None, new: str) -> str:
    """The stored extra metrics with this file's columns written over them."""
    try:
        old = json.loads(stored) if stored else {}
    except ValueError:
        old = {}
    return json.dumps({**(old if isinstance(old, dict) else {}), **json.loads(new)}, sort_keys=True)


def _import_creators(
    conn: Connection, rows: list[_Row], report: FileReport, now: datetime, *, replace: bool = False
) -> list[str]:
    """Insert new creators; update existing ones (same id or page name) in the columns this row
    gives a value for, or, with `replace`, in every imported column (None where the file is silent)."""
    errors: list[str] = []
    seen: dict[str, int] = {}
    for row in rows:
        try:
            values, given = _creator_values(row, now)
        except _RowError as exc:
            errors.append(f"row {row.number}: {exc}")
            continue
        if values["page_name"] in seen:
            errors.append(
                f"row {row.number}: page_name {values['page_name']!r} repeats row {seen[values['page_name']]}"
            )
            continue
        seen[values["page_name"]] = row.number
        existing = conn.execute(
            select(creators.c.creator_id, creators.c.extra_metrics).where(
                or_(
                    creators.c.creator_id == values["creator_id"], creators.c.page_name == values["page_name"]
                )
            )
        ).first()
        if existing is None:
            values.setdefault("current_fan_count", 0)
            conn.execute(creators.insert().values(created_at=iso_z(now), **values))
            report.inserted += 1
            continue
        if replace:
            changes = {column: values.get(column) for column in IMPORTED_CREATOR_COLUMNS}
            changes["current_fan_count"] = values.get("current_fan_count", 0)
        else:
            changes = {column: values[column] for column in given if column != "creator_id"}
            if "extra_metrics" in given:
                changes["extra_metrics"] = _merged_extra(existing[1], values["extra_metrics"])
        changes["updated_at"] = values["updated_at"]
        conn.execute(creators.update().where(creators.c.creator_id == existing[0]).values(**changes))
        report.updated += 1
    return errors


def content_type_ids(conn: Connection) -> dict[str, int]:
    """Every content-type name → its id."""
    return {
        name: cid
        for cid, name in conn.execute(select(content_types.c.content_type_id, content_types.c.type_name))
    }


def _import_content_types(
    conn: Connection, rows: list[_Row], report: FileReport, _now: datetime
) -> list[str]:
    errors: list[str] = []
    known = content_type_ids(conn)
    for row in rows:
        try:
            name = row.get("type_name", "content_type", "name").strip().lower()
            if not re.fullmatch(r"[a-z0-9_]{1,64}", name):
                raise _RowError(f"type_name {name!r} must be 1–64 of a–z, 0–9, _")
            values = {
                "type_category": _choice(
                    row.get("category", "type_category"),
                    "category",
                    CONTENT_TYPE_CATEGORIES,
                    default="softcore",
                ),
                "is_explicit": _flag(row.get("is_explicit", "explicit"), "is_explicit", default=False),
                "description": row.get("description").strip() or name.replace("_", " "),
            }
        except _RowError as exc:
            errors.append(f"row {row.number}: {exc}")
            continue
        if name in known:
            conn.execute(content_types.update().where(content_types.c.type_name == name).values(**values))
            report.updated += 1
        else:
            result = conn.execute(content_types.insert().values(type_name=name, **values))
            known[name] = inserted_id(result)
            report.inserted += 1
    return errors


def _creator_lookup(conn: Connection) -> Callable[[str], tuple[str, str]]:
    """Creator id or page name (exact, then case-insensitive) → (creator_id, timezone)."""
    by_key: dict[str, tuple[str, str]] = {}
    for cid, page, tz in conn.execute(
        select(creators.c.creator_id, creators.c.page_name, creators.c.timezone)
    ):
        by_key[cid] = (cid, tz)
        by_key.setdefault(page, (cid, tz))
        by_key.setdefault(page.lower(), (cid, tz))

    def find(value: str) -> tuple[str, str]:
        key = value.strip()
        found = by_key.get(key) or by_key.get(key.lower()) or by_key.get(page_name_from(key))
        if found is None:
            raise _RowError(f"creator {value!r} is not known (import creators first)")
        return found

    return find


def _content_type(value: str, known: dict[str, int], *, required: bool) -> str | None:
    name = value.strip().lower()
    if not name:
        if required:
            raise _RowError("content_type is required")
        return None
    if name not in known:
        raise _RowError(f"content_type {value!r} is not in the dictionary (add it in content_types.csv)")
    return name


def _import_vault(conn: Connection, rows: list[_Row], report: FileReport, now: datetime) -> list[str]:
    errors: list[str] = []
    find = _creator_lookup(conn)
    known = content_type_ids(conn)
    for row in rows:
        try:
            creator_id, _ = find(row.get("creator", "creator_id", "page_name"))
            name = _content_type(row.get("content_type", "type_name"), known, required=True)
            assert name is not None
            has_content = _flag(row.get("has_content"), "has_content", default=True)
            quantity_text = row.get("quantity_available", "quantity")
            quantity = _count(quantity_text, "quantity_available") if quantity_text.strip() else None
        except _RowError as exc:
            errors.append(f"row {row.number}: {exc}")
            continue
        key = (vault_matrix.c.creator_id == creator_id) & (vault_matrix.c.content_type_id == known[name])
        values = {"has_content": has_content, "quantity_available": quantity, "updated_at": iso_z(now)}
        if conn.execute(select(func.count()).where(key)).scalar_one():
            conn.execute(vault_matrix.update().where(key).values(**values))
            report.updated += 1
        else:
            conn.execute(
                vault_matrix.insert().values(creator_id=creator_id, content_type_id=known[name], **values)
            )
            report.inserted += 1
    return errors


def _price(row: _Row, column: str) -> float | None:
    value = _money(row.get(column), column)
    if value is not None and not PRICE_FLOOR <= value <= PRICE_CEILING:
        raise _RowError(f"{column} {value} is outside ${PRICE_FLOOR:.0f}–${PRICE_CEILING:.0f}")
    return value


def caption_hash(text: str) -> str:
    """The dedupe key of a caption: SHA-256 of its lower-cased, whitespace-collapsed text."""
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()


def _import_captions(conn: Connection, rows: list[_Row], report: FileReport, now: datetime) -> list[str]:
    errors: list[str] = []
    known = content_type_ids(conn)
    seen = {h for (h,) in conn.execute(select(captions.c.caption_hash))}
    for row in rows:
        try:
            text = row.get("caption_text", "caption", "text").strip()
            if not text:
                raise _RowError("caption_text is required")
            if len(text) > MAX_CAPTION_LENGTH:
                raise _RowError(f"caption_text is {len(text)} characters (max {MAX_CAPTION_LENGTH})")
            send_type = _choice(
                row.get("send_type", "send_type_key", "caption_type"), "send_type", list(SEND_TYPES)
            )
            content = _content_type(
                row.get("content_type"), known, required=SEND_TYPES[send_type].requires_media
            )
            tier_text = row.get("performance_tier", "tier")
            tier = _count(tier_text, "performance_tier", default=DEFAULT_CAPTION_TIER)
            if tier not in TIER_LABELS:
                raise _RowError(f"performance_tier {tier} is not 1–4")
            suggested, low, high = (
                _price(row, "suggested_price"),
                _price(row, "price_min"),
                _price(row, "price_max"),
            )
            if low is not None and high is not None and low > high:
                raise _RowError(f"price_min {low} is above price_max {high}")
            rate = _money(row.get("avg_purchase_rate"), "avg_purchase_rate")
            if rate is not None and not 0 <= rate <= 1:
                raise _RowError(f"avg_purchase_rate {rate} is not a fraction 0–1")
            paid_only = _flag(row.get("is_paid_page_only", "paid_only"), "is_paid_page_only", default=False)
        except _RowError as exc:
            errors.append(f"row {row.number}: {exc}")
            continue
        digest = caption_hash(text)
        if digest in seen:
            report.skipped += 1
            continue
        seen.add(digest)
        conn.execute(
            captions.insert().values(
                caption_text=text,
                caption_hash=digest,
                send_type_key=send_type,
                content_type_id=known[content] if content else None,
                slot_class=slot_class(send_type),
                performance_tier=tier,
                suggested_price=suggested,
                price_min=low,
                price_max=high,
                avg_purchase_rate=rate,
                is_paid_page_only=paid_only or SEND_TYPES[send_type].page.value == "paid",
                created_at=iso_z(now),
            )
        )
        report.inserted += 1
    return errors


def _sent_at(value: str, zone: str) -> datetime:
    text = value.strip()
    if not text:
        raise _RowError("sent_at is required")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _RowError(
            f"sent_at {value!r} is not an ISO date-time (YYYY-MM-DD HH:MM[:SS][Z|±HH:MM])"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment


def _import_history(conn: Connection, rows: list[_Row], report: FileReport, now: datetime) -> list[str]:
    errors: list[str] = []
    find = _creator_lookup(conn)
    known = content_type_ids(conn)
    existing = {
        tuple(r)
        for r in conn.execute(
            select(
                mass_messages.c.creator_id,
                mass_messages.c.sent_at,
                mass_messages.c.send_type_key,
                mass_messages.c.content_type,
            )
        )
    }
    batch: list[dict[str, Any]] = []
    for row in rows:
        try:
            creator_id, zone = find(row.get("creator", "creator_id", "page_name"))
            moment = _sent_at(row.get("sent_at", "sent", "date_time", "sending_time"), zone)
            if moment > now:
                raise _RowError(f"sent_at {iso_z(moment)} is in the future")
            local = moment.astimezone(ZoneInfo(zone))
            send_type = _choice(
                row.get("send_type", "send_type_key", "message_type"),
                "send_type",
                list(SEND_TYPES),
                default="ppv_unlock",
            )
            content = _content_type(row.get("content_type"), known, required=False)
            price = _money(row.get("price"), "price")
            if price is not None and price < 0:
                raise _RowError(f"price {price} must not be negative")
            sent = _count(row.get("sent_count", "sent"), "sent_count")
            viewed = _count(row.get("viewed_count", "viewed"), "viewed_count", default=0)
            purchased = _count(row.get("purchased_count", "purchased"), "purchased_count", default=0)
            if viewed > sent:
                raise _RowError(f"viewed_count {viewed} is more than sent_count {sent}")
            if purchased > viewed and viewed:
                raise _RowError(f"purchased_count {purchased} is more than viewed_count {viewed}")
            earnings = _required_money(row.get("earnings", "revenue"), "earnings")
            if earnings < 0:
                raise _RowError(f"earnings {earnings} must not be negative")
        except _RowError as exc:
            errors.append(f"row {row.number}: {exc}")
            continue
        key = (creator_id, iso_z(moment), send_type, content)
        if key in existing:
            report.skipped += 1
            continue
        existing.add(key)
        batch.append(
            {
                "creator_id": creator_id,
                "sent_at": iso_z(moment),
                "sent_date": local.date().isoformat(),
                "sent_hour": local.hour,
                "send_type_key": send_type,
                "content_type": content,
                "caption_id": None,
                "price": price,
                "sent_count": sent,
                "viewed_count": viewed,
                "purchased_count": purchased,
                "earnings": round(earnings, 2),
                "imported_at": iso_z(now),
            }
        )
    if batch and not errors:
        conn.execute(mass_messages.insert(), batch)
        report.inserted += len(batch)
    return errors


_IMPORTERS: dict[ImportKind, Callable[[Connection, list[_Row], FileReport, datetime], list[str]]] = {
    ImportKind.CONTENT_TYPES: _import_content_types,
    ImportKind.CREATORS: _import_creators,
    ImportKind.VAULT: _import_vault,
    ImportKind.CAPTIONS: _import_captions,
    ImportKind.HISTORY: _import_history,
}
_REQUIRED: dict[ImportKind, tuple[tuple[str, ...], ...]] = {
    ImportKind.CONTENT_TYPES: (("type_name", "content_type", "name"),),
    ImportKind.CREATORS: (CREATOR_COLUMNS["page_name"],),
    ImportKind.VAULT: (("creator", "creator_id", "page_name"), ("content_type", "type_name")),
    ImportKind.CAPTIONS: (
        ("caption_text", "caption", "text"),
        ("send_type", "send_type_key", "caption_type"),
    ),
    ImportKind.HISTORY: (
        ("creator", "creator_id", "page_name"),
        ("sent_at", "sent", "date_time", "sending_time"),
        ("sent_count", "sent"),
        ("earnings", "revenue"),
    ),
}


def discover(directory: Path) -> list[tuple[ImportKind, Path]]:
    """The known files present in `directory`, in import order; VALIDATION_ERROR when there are none."""
    if not directory.is_dir():
        raise InvalidInput(f"{directory} is not a directory", code="IMPORT_FILE_UNREADABLE")
    found = [
        (kind, directory / name)
        for kind, names in FILE_NAMES.items()
        for name in names
        if (directory / name).is_file()
    ]
    if not found:
        expected = ", ".join(n for names in FILE_NAMES.values() for n in names)
        raise InvalidInput(f"{directory} has none of the import files ({expected})")
    return found


def kind_of(path: Path) -> ImportKind:
    """The kind a file name implies (creators.csv → creators, mass_messages.csv → history, …)."""
    for kind, names in FILE_NAMES.items():
        if path.name.lower() in names:
            return kind
    expected = ", ".join(n for v in FILE_NAMES.values() for n in v)
    raise InvalidInput(
        f"Cannot tell what {path.name} holds: name it like {expected} "
        "or give the kind (eros import creators FILE.csv)"
    )


def import_files(
    engine: Engine,
    files: Sequence[tuple[ImportKind, Path]],
    now: datetime,
    *,
    analyze: bool = True,
    replace: bool = False,
) -> ImportReport:
    """Import the files in one transaction; on the first file with bad rows nothing is written.
    `replace`: an existing creator's row is replaced whole instead of updated column by column."""
    if not database_exists(engine):
        raise ConfigError("No database yet: run `eros db init` first.", code="NO_DATABASE")
    report = ImportReport()
    order = list(ImportKind)
    with engine.begin() as conn:
        for kind, path in sorted(files, key=lambda f: order.index(f[0])):
            rows = list(_read(path))
            _require_columns(path, rows, *_REQUIRED[kind])
            file_report = FileReport(kind, path)
            importer = _IMPORTERS[kind]
            if kind is ImportKind.CREATORS:
                importer = functools.partial(_import_creators, replace=replace)
            errors = importer(conn, rows, file_report, now)
            if errors:
                shown = "; ".join(errors[:SHOWN_ERRORS])
                more = f" (and {len(errors) - SHOWN_ERRORS} more)" if len(errors) > SHOWN_ERRORS else ""
                raise InvalidInput(
                    f"{path.name}: {len(errors)} bad row(s), nothing was imported: {shown}{more}",
                    details={"file": str(path), "errors": errors[:MAX_ERRORS]},
                )
            report.files.append(file_report)
        if analyze and any(f.kind is ImportKind.HISTORY and f.inserted for f in report.files):
            touched = conn.execute(
                select(func.distinct(mass_messages.c.creator_id)).where(
                    mass_messages.c.imported_at == iso_z(now)
                )
            ).scalars()
            report.analyzed = [analyze_creator(conn, cid, now) for cid in sorted(map(str, touched))]
    return report


def import_path(
    engine: Engine,
    path: Path,
    now: datetime,
    *,
    kind: ImportKind | None = None,
    analyze: bool = True,
    replace: bool = False,
) -> ImportReport:
    """A directory of the known files, or one file (its kind given or implied by its name)."""
    files = discover(path) if path.is_dir() else [(kind or kind_of(path), path)]
    return import_files(engine, files, now, analyze=analyze, replace=replace)
