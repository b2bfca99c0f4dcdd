"""Schedules and their revisions (DOMAIN §11): the one writer of the schedule tables.

A creator-week has one schedule row; replacing a draft/approved schedule bumps its revision with a
compare-and-swap on the old revision and keeps the old hash, status, items and who saved it in
schedule_revisions. Queued and completed schedules are locked. A generator's save never replaces
a revision a person saved unless it asks to (SCHEDULE_EDITED). Moving a schedule to `queued`
records caption usage so caption freshness follows what really goes out.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, RowMapping, func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from eros.clock import iso_z
from eros.db.schema import caption_creator_usage, captions, creators, schedule_revisions, schedules
from eros.errors import ErosError, InvalidInput
from eros.models import ScheduleStatus
from eros.rules.send_types import BUMP_TYPES, PPV_TYPES

#: Statuses a new revision may replace; the others are locked (DOMAIN §11).
REPLACEABLE = frozenset({ScheduleStatus.DRAFT.value, ScheduleStatus.APPROVED.value})
LOCK_CODES = {
    ScheduleStatus.QUEUED.value: "SCHEDULE_LOCKED",
    ScheduleStatus.COMPLETED.value: "SCHEDULE_COMPLETED",
}
SORT_FIELDS = ("updated_at", "created_at", "week_start", "status")
#: The width of the saved_by columns.
MAX_SAVED_BY = 100


#: The columns of `schedules` a certificate vouches for (ARCHITECTURE D11): an approved save
#: stores exactly what the signed items and certificate give them, nothing the caller adds.
SIGNED_COLUMNS = (
    "week_start",
    "items_json",
    "schedule_hash",
    "quality_score",
    "expected_revenue",
    "total_items",
    "total_ppvs",
    "total_bumps",
    "certificate_json",
)


class ScheduleConflict(ErosError):
    """Another save of the same creator-week won the race; reading again and retrying is safe."""

    code = "CONFLICT"


class ScheduleLocked(ErosError):
    code = "SCHEDULE_LOCKED"


class ScheduleNotFound(ErosError):
    code = "SCHEDULE_NOT_FOUND"


class InvalidTransition(ErosError):
    code = "INVALID_STATUS_TRANSITION"


class ScheduleEdited(ErosError):
    """A generator would overwrite a revision a person saved; it must ask to replace it."""

    code = "SCHEDULE_EDITED"


class RevisionNotFound(ErosError):
    code = "REVISION_NOT_FOUND"


class SavedBy(StrEnum):
    """Who saved a revision (`saved_by_kind`); NULL is a revision from before this was recorded."""

    GENERATOR = "generator"
    PERSON = "person"


@dataclass(frozen=True, slots=True)
class ScheduleWrite:
    """Everything one save writes; `items` are plain dicts exactly as validated.

    A save with a `generator` is the generator's; without one it is a person's (`saved_by` names
    them). `replace_edited` lets a generator's save replace a person's revision.
    """

    creator_id: str
    week_start: date
    items: Sequence[Mapping[str, Any]]
    status: ScheduleStatus
    schedule_hash: str
    certificate: Mapping[str, Any] | None = None
    warnings: Sequence[str] = ()
    generator: str | None = None
    quality_score: float | None = None
    expected_revenue: float | None = None
    health_status: str | None = None
    expected_revision: int | None = None
    saved_by: str | None = None
    replace_edited: bool = False

    @property
    def author(self) -> tuple[SavedBy, str | None]:
        """(kind, name) recorded for this save."""
        if self.generator:
            return SavedBy.GENERATOR, self.generator
        return SavedBy.PERSON, self.saved_by


@dataclass(frozen=True, slots=True)
class SavedSchedule:
    schedule_id: int
    revision: int
    status: str
    week_end: str
    replaced: bool
    previous_status: str | None = None
    previous_hash: str | None = None


@dataclass(frozen=True, slots=True)
class StoredWeek:
    """A saved schedule's items as stored, with what a re-check needs to know about it."""

    schedule_id: int
    creator_id: str
    week_start: str
    status: str
    revision: int
    items: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ScheduleQuery:
    creator_id: str | None = None
    week_start: str | None = None
    status: str | None = None
    schedule_id: int | None = None
    limit: int = 50
    offset: int = 0
    sort_by: str = "updated_at"
    sort_order: str = "desc"


def summary_counts(items: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """The summary columns derived from the items (DOMAIN §11.6)."""
    kinds = Counter(str(item.get("send_type_key")) for item in items)
    return {
        "total_items": len(items),
        "total_ppvs": sum(n for key, n in kinds.items() if key in PPV_TYPES),
        "total_bumps": sum(n for key, n in kinds.items() if key in BUMP_TYPES),
    }


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=str)


def row_summary(row: Mapping[Any, Any], *, include_items: bool = False) -> dict[str, Any]:
    """A schedule row as the tools and the CLI show it (items only when asked)."""
    summary = {
        key: row[key]
        for key in (
            "schedule_id",
            "creator_id",
            "week_start",
            "week_end",
            "status",
            "revision",
            "schedule_hash",
            "generator",
            "saved_by",
            "saved_by_kind",
            "total_items",
            "total_ppvs",
            "total_bumps",
            "quality_score",
            "expected_revenue",
            "health_status",
            "created_at",
            "updated_at",
            "queued_at",
            "completed_at",
        )
    }
    summary["page_name"] = row.get("page_name")
    summary["warnings"] = json.loads(row["warnings_json"]) if row["warnings_json"] else []
    summary["has_certificate"] = row["certificate_json"] is not None
    summary["items"] = json.loads(row["items_json"]) if include_items else None
    return summary


def refuse_if_edited(row: Mapping[Any, Any]) -> None:
    """SCHEDULE_EDITED when a person saved this schedule row's current revision."""
    if row["saved_by_kind"] != SavedBy.PERSON:
        return
    who = row["saved_by"] or "a person"
    raise ScheduleEdited(
        f"schedule {row['schedule_id']} ({row['creator_id']}, week {row['week_start']}) is revision "
        f"{row['revision']}, saved by {who} at {row['updated_at']}; generating would overwrite that edit. "
        "Ask to replace it (--replace) or leave the week as it is.",
        details={
            "schedule_id": row["schedule_id"],
            "revision": row["revision"],
            "saved_by": row["saved_by"],
        },
    )


class ScheduleRepository:
    """Saved weeks, their revisions, lifecycle moves and caption usage."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def save(self, write: ScheduleWrite, now: datetime) -> SavedSchedule:
        """Insert or replace the creator-week's schedule inside the caller's transaction.

        SCHEDULE_LOCKED / SCHEDULE_COMPLETED for locked rows, CONFLICT when `expected_revision` is stale
        or a concurrent save changed the row between our read and our write (nothing is written then).
        """
        if write.saved_by is not None and len(write.saved_by) > MAX_SAVED_BY:
            raise InvalidInput(f"saved_by is longer than {MAX_SAVED_BY} characters", code="INVALID_SAVED_BY")
        stamp = iso_z(now)
        week_start = write.week_start.isoformat()
        week_end = (write.week_start + timedelta(days=6)).isoformat()
        values = {
            "week_end": week_end,
            "status": write.status.value,
            "schedule_hash": write.schedule_hash,
            "items_json": json.dumps(list(write.items), sort_keys=True, default=str),
            "certificate_json": _dump(write.certificate),
            "warnings_json": _dump(list(write.warnings)),
            "generator": write.generator,
            "quality_score": write.quality_score,
            "expected_revenue": write.expected_revenue,
            "health_status": write.health_status,
            "saved_by_kind": write.author[0].value,
            "saved_by": write.author[1],
            "updated_at": stamp,
            **summary_counts(write.items),
        }
        try:
            existing = (
                self.conn.execute(
                    select(schedules).where(
                        schedules.c.creator_id == write.creator_id, schedules.c.week_start == week_start
                    )
                )
                .mappings()
                .first()
            )
            if existing is None:
                if write.expected_revision not in (None, 0):
                    raise ScheduleConflict(
                        f"expected revision {write.expected_revision}, "
                        "but no schedule exists for this week yet"
                    )
                result = self.conn.execute(
                    schedules.insert().values(
                        creator_id=write.creator_id,
                        week_start=week_start,
                        revision=1,
                        created_at=stamp,
                        **values,
                    )
                )
                pk = result.inserted_primary_key
                assert pk is not None
                return SavedSchedule(int(pk[0]), 1, write.status.value, week_end, replaced=False)
            return self._replace(existing, write, values, stamp)
        except IntegrityError:
            raise ScheduleConflict(
                "a concurrent save of this creator-week won; read it again and retry"
            ) from None
        except OperationalError as exc:
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                raise ScheduleConflict("the schedule is being saved by another process; retry") from None
            raise

    def _replace(
        self, existing: RowMapping, write: ScheduleWrite, values: dict[str, Any], stamp: str
    ) -> SavedSchedule:
        status = existing["status"]
        if status not in REPLACEABLE:
            raise ScheduleLocked(
                f"schedule {existing['schedule_id']} is {status} and cannot be replaced",
                code=LOCK_CODES[status],
                details={"schedule_id": existing["schedule_id"], "existing_status": status},
            )
        if write.author[0] is SavedBy.GENERATOR and not write.replace_edited:
            refuse_if_edited(existing)
        revision = int(existing["revision"])
        if write.expected_revision is not None and write.expected_revision != revision:
            raise ScheduleConflict(
                f"expected revision {write.expected_revision}, but the schedule is at revision {revision}",
                details={"schedule_id": existing["schedule_id"], "current_revision": revision},
            )
        self.conn.execute(
            schedule_revisions.insert().values(
                schedule_id=existing["schedule_id"],
                revision=revision,
                status=status,
                schedule_hash=existing["schedule_hash"],
                items_json=existing["items_json"],
                certificate_json=existing["certificate_json"],
                quality_score=existing["quality_score"],
                saved_by=existing["saved_by"],
                saved_by_kind=existing["saved_by_kind"],
                replaced_at=stamp,
            )
        )
        updated = self.conn.execute(
            schedules.update()
            .where(schedules.c.schedule_id == existing["schedule_id"], schedules.c.revision == revision)
            .values(revision=revision + 1, **values)
        )
        if updated.rowcount != 1:
            raise ScheduleConflict("a concurrent save of this creator-week won; read it again and retry")
        return SavedSchedule(
            int(existing["schedule_id"]),
            revision + 1,
            write.status.value,
            values["week_end"],
            replaced=True,
            previous_status=status,
            previous_hash=existing["schedule_hash"],
        )

    def find(self, query: ScheduleQuery) -> tuple[list[RowMapping], int]:
        """Rows matching the query (with page names) and the total before paging."""
        s = schedules.c
        conditions = []
        if query.creator_id is not None:
            conditions.append(s.creator_id == query.creator_id)
        if query.week_start is not None:
            conditions.append(s.week_start == query.week_start)
        if query.status is not None:
            conditions.append(s.status == query.status)
        if query.schedule_id is not None:
            conditions.append(s.schedule_id == query.schedule_id)
        total = int(
            self.conn.execute(select(func.count()).select_from(schedules).where(*conditions)).scalar() or 0
        )
        column = getattr(s, query.sort_by)
        ordering = column.asc() if query.sort_order == "asc" else column.desc()
        rows = (
            self.conn.execute(
                select(schedules, creators.c.page_name)
                .join(creators, creators.c.creator_id == s.creator_id)
                .where(*conditions)
                .order_by(ordering, s.schedule_id.desc())
                .limit(query.limit)
                .offset(query.offset)
            )
            .mappings()
            .all()
        )
        return list(rows), total

    def revisions(self, schedule_id: int) -> list[dict[str, Any]]:
        """The replaced revisions of a schedule, oldest first (hash, status, score, who saved it, when
        it was replaced)."""
        r = schedule_revisions.c
        rows = self.conn.execute(
            select(
                r.revision,
                r.status,
                r.schedule_hash,
                r.quality_score,
                r.saved_by,
                r.saved_by_kind,
                r.replaced_at,
            )
            .where(r.schedule_id == schedule_id)
            .order_by(r.revision)
        ).mappings()
        return [dict(row) for row in rows]

    def history(self, schedule_id: int) -> list[dict[str, Any]]:
        """Every revision, oldest first, with when it was saved; the current one last (`current`).

        A revision was saved when the one before it was replaced (the first: when the schedule was
        created), so the current revision's time survives a later queue or completion.
        """
        row = self.get(schedule_id)
        current = {
            "revision": row["revision"],
            "status": row["status"],
            "schedule_hash": row["schedule_hash"],
            "quality_score": row["quality_score"],
            "saved_by": row["saved_by"],
            "saved_by_kind": row["saved_by_kind"],
            "replaced_at": None,
        }
        revisions = [*self.revisions(schedule_id), current]
        saved_at = [row["created_at"], *(rev["replaced_at"] for rev in revisions[:-1])]
        return [
            {**rev, "saved_at": at, "current": rev is current}
            for rev, at in zip(revisions, saved_at, strict=True)
        ]

    def revision(self, schedule_id: int, revision: int) -> RowMapping:
        """One replaced revision with its items and certificate (REVISION_NOT_FOUND if there is none)."""
        r = schedule_revisions.c
        row = (
            self.conn.execute(
                select(schedule_revisions).where(r.schedule_id == schedule_id, r.revision == revision)
            )
            .mappings()
            .first()
        )
        if row is None:
            raise RevisionNotFound(
                f"schedule {schedule_id} has no replaced revision {revision} "
                f"(`eros schedules revisions {schedule_id}` lists them)",
                details={"schedule_id": schedule_id, "revision": revision},
            )
        return row

    def refuse_generation_over_edit(self, creator: str, week_start: str) -> None:
        """SCHEDULE_EDITED when a person saved the latest revision of this creator-week (by id or
        page name); nothing happens for a week without a schedule or a creator that is unknown."""
        row = (
            self.conn.execute(
                select(schedules)
                .join(creators, creators.c.creator_id == schedules.c.creator_id)
                .where(
                    (creators.c.creator_id == creator) | (creators.c.page_name == creator),
                    schedules.c.week_start == week_start,
                )
            )
            .mappings()
            .first()
        )
        if row is not None:
            refuse_if_edited(row)

    def get(self, schedule_id: int) -> RowMapping:
        row = (
            self.conn.execute(select(schedules).where(schedules.c.schedule_id == schedule_id))
            .mappings()
            .first()
        )
        if row is None:
            raise ScheduleNotFound(
                f"schedule {schedule_id} does not exist", details={"schedule_id": schedule_id}
            )
        return row

    def stored_week(self, schedule_id: int) -> StoredWeek:
        row = self.get(schedule_id)
        return StoredWeek(
            schedule_id=int(row["schedule_id"]),
            creator_id=str(row["creator_id"]),
            week_start=str(row["week_start"]),
            status=str(row["status"]),
            revision=int(row["revision"]),
            items=list(json.loads(row["items_json"])),
        )

    def _move(
        self,
        schedule_id: int,
        source: ScheduleStatus,
        target: ScheduleStatus,
        now: datetime,
        expected_revision: int | None = None,
    ) -> RowMapping:
        row = self.get(schedule_id)
        if row["status"] != source.value:
            raise InvalidTransition(
                f"schedule {schedule_id} is {row['status']}; "
                f"only {source.value} schedules can become {target.value}",
                details={"schedule_id": schedule_id, "status": row["status"]},
            )
        conditions = [schedules.c.schedule_id == schedule_id, schedules.c.status == source.value]
        if expected_revision is not None:
            conditions.append(schedules.c.revision == expected_revision)
        stamp_column = "queued_at" if target is ScheduleStatus.QUEUED else "completed_at"
        moved = self.conn.execute(
            schedules.update()
            .where(*conditions)
            .values(status=target.value, updated_at=iso_z(now), **{stamp_column: iso_z(now)})
        )
        if moved.rowcount != 1:
            raise ScheduleConflict(f"schedule {schedule_id} changed while moving it to {target.value}; retry")
        return self.get(schedule_id)

    def queue(self, schedule_id: int, now: datetime, expected_revision: int | None = None) -> RowMapping:
        """approved → queued (locked), recording caption usage for every caption the week sends;
        with `expected_revision`, only if the schedule is still that revision (CONFLICT otherwise)."""
        row = self._move(schedule_id, ScheduleStatus.APPROVED, ScheduleStatus.QUEUED, now, expected_revision)
        self.record_caption_usage(row["creator_id"], json.loads(row["items_json"]))
        return row

    def complete(self, schedule_id: int, now: datetime) -> RowMapping:
        """queued → completed (historical, locked)."""
        return self._move(schedule_id, ScheduleStatus.QUEUED, ScheduleStatus.COMPLETED, now)

    def record_caption_usage(self, creator_id: str, items: Sequence[Mapping[str, Any]]) -> int:
        """Per-creator times used / first / last used and global usage, dated by the send's day
        (DOMAIN §11)."""
        uses: dict[int, list[str]] = {}
        for item in items:
            caption_id = item.get("caption_id")
            if isinstance(caption_id, int) and not isinstance(caption_id, bool):
                uses.setdefault(caption_id, []).append(str(item["scheduled_date"]))
        if not uses:
            return 0
        known = {
            int(cid)
            for cid in self.conn.execute(
                select(captions.c.caption_id).where(captions.c.caption_id.in_(sorted(uses)))
            ).scalars()
        }
        u = caption_creator_usage.c
        for caption_id in sorted(known):
            dates = sorted(uses[caption_id])
            row = (
                self.conn.execute(
                    select(caption_creator_usage).where(
                        u.caption_id == caption_id, u.creator_id == creator_id
                    )
                )
                .mappings()
                .first()
            )
            if row is None:
                self.conn.execute(
                    caption_creator_usage.insert().values(
                        caption_id=caption_id,
                        creator_id=creator_id,
                        times_used=len(dates),
                        first_used_date=dates[0],
                        last_used_date=dates[-1],
                    )
                )
            else:
                self.conn.execute(
                    caption_creator_usage.update()
                    .where(u.caption_id == caption_id, u.creator_id == creator_id)
                    .values(
                        times_used=row["times_used"] + len(dates),
                        first_used_date=min(filter(None, [row["first_used_date"], dates[0]])),
                        last_used_date=max(filter(None, [row["last_used_date"], dates[-1]])),
                    )
                )
            glob = self.conn.execute(
                select(captions.c.global_times_used, captions.c.global_last_used_date).where(
                    captions.c.caption_id == caption_id
                )
            ).one()
            self.conn.execute(
                captions.update()
                .where(captions.c.caption_id == caption_id)
                .values(
                    global_times_used=(glob[0] or 0) + len(dates),
                    global_last_used_date=max(filter(None, [glob[1], dates[-1]])),
                )
            )
        return len(known)
