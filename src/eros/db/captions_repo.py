"""The caption bank as the caption tools read it: usable captions with this creator's usage (DOMAIN §12)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Connection, and_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from eros.db.schema import caption_creator_usage, captions, content_types


class CaptionCandidateRow(NamedTuple):
    """One usable caption with its global and per-creator usage, as read (cheap for whole pools)."""

    caption_id: int
    caption_text: str
    send_type_key: str
    content_type: str | None
    slot_class: str | None
    performance_tier: int
    is_paid_page_only: bool
    suggested_price: float | None
    price_min: float | None
    price_max: float | None
    avg_purchase_rate: float | None
    global_times_used: int | None
    global_last_used_date: str | None
    creator_times_used: int | None
    creator_last_used_date: str | None


@dataclass(frozen=True, slots=True)
class CaptionSelector:
    """Captions matching every given field (None: any); a pool is the union of its selectors."""

    send_types: Sequence[str] | None = None
    content_types: Sequence[str] | None = None
    slot_class: str | None = None

    def condition(self) -> ColumnElement[bool]:
        conditions: list[ColumnElement[bool]] = []
        if self.send_types is not None:
            conditions.append(captions.c.send_type_key.in_(self.send_types))
        if self.content_types is not None:
            conditions.append(content_types.c.type_name.in_(self.content_types))
        if self.slot_class is not None:
            conditions.append(captions.c.slot_class == self.slot_class)
        return and_(*conditions)


class CaptionRepository:
    """Reads of the caption bank (its one writer of usage is the schedule repository, at queue time)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def pool(
        self,
        creator_id: str,
        *,
        free_page: bool,
        usable_types: Iterable[str],
        selectors: Sequence[CaptionSelector],
    ) -> list[CaptionCandidateRow]:
        """Active captions matching any selector whose content type (if any) is usable and that
        may run on the page (no paid-only captions on a free page), in no particular order."""
        c, u = captions.c, caption_creator_usage.c
        conditions = [
            c.is_active.is_(True),
            or_(c.content_type_id.is_(None), content_types.c.type_name.in_(sorted(usable_types))),
            or_(*(selector.condition() for selector in selectors)),
        ]
        if free_page:
            conditions.append(c.is_paid_page_only.is_(False))
        query = (
            select(
                c.caption_id,
                c.caption_text,
                c.send_type_key,
                content_types.c.type_name,
                c.slot_class,
                c.performance_tier,
                c.is_paid_page_only,
                c.suggested_price,
                c.price_min,
                c.price_max,
                c.avg_purchase_rate,
                c.global_times_used,
                c.global_last_used_date,
                u.times_used,
                u.last_used_date,
            )
            .select_from(
                captions.outerjoin(
                    content_types, content_types.c.content_type_id == c.content_type_id
                ).outerjoin(
                    caption_creator_usage, and_(u.caption_id == c.caption_id, u.creator_id == creator_id)
                )
            )
            .where(and_(*conditions))
        )
        return [CaptionCandidateRow._make(row) for row in self.conn.execute(query).all()]

    def existing_ids(self, caption_ids: Iterable[int]) -> frozenset[int]:
        """Which of these caption ids are in the bank."""
        wanted = sorted(set(caption_ids))
        if not wanted:
            return frozenset()
        found = self.conn.execute(select(captions.c.caption_id).where(captions.c.caption_id.in_(wanted)))
        return frozenset(int(row[0]) for row in found)
