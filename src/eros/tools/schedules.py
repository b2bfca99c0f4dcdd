"""save_schedule and get_schedules (DOMAIN §11): strict input checks, certificate verification, history.

Approved status is earned only by a fresh, APPROVED certificate signed under this installation's
key whose hashes match these items and the creator's current vault and AVOID sets (ARCHITECTURE D6);
anything else saves as draft with the reasons in `warnings`. What is stored is what was signed
(D11): the items as read (unknown fields refused, sizes bounded by eros.rules.limits), the summary
derived by the server, and a score and certificate only when the certificate is authentic.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel

from eros.db import schedules_repo
from eros.db.analyze import load_history
from eros.db.schema import GENERATOR_CHARS
from eros.errors import ErosError, InvalidInput
from eros.models import ScheduleItem, ScheduleStatus
from eros.rules.limits import MAX_ITEMS
from eros.rules.pricing import PRICE_CEILING, PRICE_FLOOR
from eros.rules.send_types import SEND_TYPES
from eros.rules.timing import parse_date, parse_time
from eros.tools.env import ToolEnv, in_range, one_of, strict_date
from eros.tools.history import creator_health
from eros.validation.certificate import PayloadTooLarge, read_certificate, schedule_hash, stored_hash, verify
from eros.validation.items import invalid_items, require_items

REQUIRED_ITEM_FIELDS = ("send_type_key", "scheduled_date", "scheduled_time")
MAX_SCHEDULE_LIMIT = 500


class SaveScheduleResult(BaseModel):
    schedule_id: int
    creator_id: str
    page_name: str
    week_start: str
    week_end: str
    status: str
    revision: int
    items_saved: int
    schedule_hash: str
    certificate_verified: bool
    replaced: bool
    previous_status: str | None
    previous_hash: str | None
    warnings: list[str]
    saved_at: str


class ScheduleRecord(BaseModel):
    schedule_id: int
    creator_id: str
    page_name: str | None
    week_start: str
    week_end: str
    status: str
    revision: int
    schedule_hash: str
    generator: str | None
    saved_by: str | None = None
    saved_by_kind: str | None = None
    total_items: int
    total_ppvs: int
    total_bumps: int
    quality_score: float | None
    expected_revenue: float | None
    health_status: str | None
    created_at: str
    updated_at: str
    queued_at: str | None
    completed_at: str | None
    warnings: list[str]
    has_certificate: bool
    items: list[dict[str, Any]] | None = None
    revisions: list[dict[str, Any]] | None = None


class ScheduleList(BaseModel):
    schedules: list[ScheduleRecord]
    count: int
    total_count: int
    limit: int
    offset: int
    has_more: bool
    fetched_at: str


def parse_items(items: list[Any], week_start: date) -> list[ScheduleItem]:
    """The items as ScheduleItems, or InvalidInput listing every problem of every item as `item[i]: …`
    (DOMAIN §11.2)."""
    if not items:
        raise invalid_items(["items list is empty"])
    if len(items) > MAX_ITEMS:
        raise invalid_items([f"at most {MAX_ITEMS} items per schedule, got {len(items)}"], too_large=True)
    return require_items(items, functools.partial(_item_problems, week_start=week_start))


def _item_problems(item: Mapping[str, Any], week_start: date) -> list[str]:
    """What `save_schedule` refuses in one item before reading it: missing fields, else each bad field."""
    missing = [key for key in REQUIRED_ITEM_FIELDS if item.get(key) in (None, "")]
    if missing:
        return [f"missing {', '.join(missing)}"]
    week_end = week_start + timedelta(days=6)
    problems: list[str] = []
    day = str(item["scheduled_date"])
    try:
        when = parse_date(day)
        if not week_start <= when <= week_end:
            problems.append(f"scheduled_date {day} is outside the week {week_start}…{week_end}")
    except ValueError:
        problems.append(f"scheduled_date {day!r} is not a real YYYY-MM-DD date")
    try:
        parse_time(str(item["scheduled_time"]))
    except ValueError:
        problems.append(f"scheduled_time {item['scheduled_time']!r} is not a real HH:MM time")
    if str(item["send_type_key"]) not in SEND_TYPES:
        problems.append(
            f"send_type_key {item['send_type_key']!r} is not one of the {len(SEND_TYPES)} send types"
        )
    price = item.get("price")
    if price is not None:
        if isinstance(price, bool) or not isinstance(price, int | float):
            problems.append(f"price {price!r} is not a number")
        elif not PRICE_FLOOR <= price <= PRICE_CEILING:
            problems.append(f"price {price} is outside [{PRICE_FLOOR:.2f}, {PRICE_CEILING:.2f}]")
    flyer = item.get("flyer_required", 0)
    if isinstance(flyer, bool) or flyer not in (0, 1):
        problems.append(f"flyer_required must be 0 or 1, got {flyer!r}")
    return problems


def save_schedule(
    env: ToolEnv,
    creator_id: str,
    week_start: str,
    items: list[Any],
    validation_certificate: dict[str, Any] | None = None,
    expected_revision: int | None = None,
    generator: str | None = None,
    saved_by: str | None = None,
    replace: bool = False,
) -> SaveScheduleResult:
    """Save a creator-week's schedule: approved only with a valid signed certificate, else draft.

    A certificate that is not exactly DOMAIN §10's (an unknown field, a string score) is refused
    (VALIDATION_ERROR), as is an item with an unknown field; past a size limit PAYLOAD_TOO_LARGE.
    The quality score, the certificate and the expected-revenue total are stored only when the
    certificate is authentic for these items: a draft never carries a number the server did not
    sign. `expected_revision` (optional) makes the save conditional on the current revision (CONFLICT
    otherwise); queued and completed schedules are locked. A save naming a `generator` is refused
    with SCHEDULE_EDITED when a person saved the current revision, unless `replace`; a save without
    one is a person's (`saved_by` names them). Nothing is written on any error: the schedule and
    its revision land together in one unit of work.
    """
    start = strict_date(week_start)
    cert = read_certificate(validation_certificate) if validation_certificate is not None else None
    if generator is not None and len(generator) > GENERATOR_CHARS:
        raise PayloadTooLarge(f"generator is {len(generator)} characters; at most {GENERATOR_CHARS}")
    with env.uow() as uow:
        creator = dict(uow.creators.resolve_creator(creator_id))
        parsed = parse_items(items, start)
        cid = creator["creator_id"]
        digest = stored_hash(schedule_hash(parsed, start))
        now = env.now()
        check = verify(
            cert,
            parsed,
            start,
            cid,
            uow.content.vault_type_names(cid),
            uow.content.avoid_types(cid),
            env.verifying_keys(),
            now,
        )
        status = ScheduleStatus.APPROVED if check.approved else ScheduleStatus.DRAFT
        warnings = [] if check.approved else [f"saved as draft: {reason}" for reason in check.reasons]
        health = creator_health(load_history(uow.connection, cid, now), env.today())
        signed = cert if check.authentic else None
        revenues = [item.expected_revenue for item in parsed if item.expected_revenue is not None]
        saved = uow.schedules.save(
            schedules_repo.ScheduleWrite(
                creator_id=cid,
                week_start=start,
                items=[item.canonical() for item in parsed],
                status=status,
                schedule_hash=digest,
                certificate=signed.model_dump(mode="json") if signed else None,
                warnings=warnings,
                generator=generator,
                quality_score=signed.quality_score if signed else None,
                expected_revenue=round(sum(revenues), 2) if signed and revenues else None,
                health_status=health.status.value,
                expected_revision=expected_revision,
                saved_by=saved_by,
                replace_edited=replace,
            ),
            now,
        )
        uow.commit()
    return SaveScheduleResult(
        schedule_id=saved.schedule_id,
        creator_id=cid,
        page_name=creator["page_name"],
        week_start=start.isoformat(),
        week_end=saved.week_end,
        status=saved.status,
        revision=saved.revision,
        items_saved=len(parsed),
        schedule_hash=digest,
        certificate_verified=check.approved,
        replaced=saved.replaced,
        previous_status=saved.previous_status,
        previous_hash=saved.previous_hash,
        warnings=warnings,
        saved_at=env.fetched_at(),
    )


def restore_revision(env: ToolEnv, schedule_id: int, revision: int, by: str) -> SaveScheduleResult:
    """Save revision `revision` of a week again as its newest, by person `by` (`eros schedules
    restore`, the web app): approved only if its certificate still verifies, else a draft."""
    with env.uow() as uow:
        current = uow.schedules.get(schedule_id)
        if revision == current["revision"]:
            raise ErosError(
                f"revision {revision} is schedule {schedule_id}'s current revision; nothing to restore",
                code="REVISION_IS_CURRENT",
            )
        old = uow.schedules.revision(schedule_id, revision)
    certificate = old["certificate_json"]
    return save_schedule(
        env,
        creator_id=current["creator_id"],
        week_start=current["week_start"],
        items=json.loads(old["items_json"]),
        validation_certificate=json.loads(certificate) if certificate else None,
        expected_revision=current["revision"],
        saved_by=by,
    )


def get_schedules(
    env: ToolEnv,
    creator_id: str | None = None,
    week_start: str | None = None,
    status: str | None = None,
    schedule_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
    include_items: bool = False,
    include_revisions: bool = False,
    sort_by: str = "updated_at",
    sort_order: str = "desc",
) -> ScheduleList:
    """Saved schedules with their summary columns, newest first; items and revision history on request."""
    in_range(limit, 1, MAX_SCHEDULE_LIMIT, "limit")
    if offset < 0:
        raise InvalidInput(f"offset must be ≥ 0, got {offset}", code="INVALID_OFFSET")
    statuses = tuple(s.value for s in ScheduleStatus)
    query = schedules_repo.ScheduleQuery(
        week_start=strict_date(week_start).isoformat() if week_start else None,
        status=one_of(status, statuses, "status", "INVALID_STATUS"),
        schedule_id=schedule_id,
        limit=limit,
        offset=offset,
        sort_by=one_of(sort_by, schedules_repo.SORT_FIELDS, "sort_by", "INVALID_SORT_FIELD") or "updated_at",
        sort_order=one_of(sort_order, ("asc", "desc"), "sort_order", "INVALID_SORT_ORDER") or "desc",
    )
    with env.uow() as uow:
        if creator_id and creator_id.strip():
            query = dataclasses.replace(
                query, creator_id=uow.creators.resolve_creator(creator_id)["creator_id"]
            )
        rows, total = uow.schedules.find(query)
        records = []
        for row in rows:
            record = ScheduleRecord.model_validate(
                schedules_repo.row_summary(row, include_items=include_items)
            )
            if include_revisions:
                record.revisions = uow.schedules.revisions(record.schedule_id)
            records.append(record)
    return ScheduleList(
        schedules=records,
        count=len(records),
        total_count=total,
        limit=limit,
        offset=offset,
        has_more=offset + len(records) < total,
        fetched_at=env.fetched_at(),
    )
