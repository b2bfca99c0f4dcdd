"""The one creator resolver: by id, exact page name, or case-insensitive page name."""

from __future__ import annotations

from sqlalchemy import Connection, RowMapping, func, or_, select

from eros.db.schema import creators
from eros.errors import CreatorNotFound, InvalidInput

MAX_ID_LENGTH = 100


class CreatorRepository:
    """The one creator resolver and the active roster."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def resolve_creator(self, creator_id_or_page_name: str, *, active_only: bool = False) -> RowMapping:
        """The creator's row; CreatorNotFound (or InvalidInput for a blank or absurd id) otherwise."""
        key = (creator_id_or_page_name or "").strip()
        if not key:
            raise InvalidInput("creator_id is required", code="INVALID_CREATOR_ID")
        if len(key) > MAX_ID_LENGTH:
            raise InvalidInput(
                f"creator_id is longer than {MAX_ID_LENGTH} characters", code="INVALID_CREATOR_ID"
            )
        row = (
            self.conn.execute(
                select(creators).where(or_(creators.c.creator_id == key, creators.c.page_name == key))
            )
            .mappings()
            .first()
        )
        if row is None:
            row = (
                self.conn.execute(select(creators).where(func.lower(creators.c.page_name) == key.lower()))
                .mappings()
                .first()
            )
        if row is None:
            raise CreatorNotFound(
                f"Creator {key!r} not found (tried id and page name)", details={"creator_id": key}
            )
        if active_only and not row["is_active"]:
            raise CreatorNotFound(
                f"Creator {key!r} is not active", code="CREATOR_INACTIVE", details={"creator_id": key}
            )
        return row

    def active_creator_ids(self, *, by_page_name: bool = False) -> list[str]:
        """The active creators' ids, in id order (or page-name order, for rosters people read)."""
        order = creators.c.page_name if by_page_name else creators.c.creator_id
        query = select(creators.c.creator_id).where(creators.c.is_active.is_(True)).order_by(order)
        return [str(cid) for cid in self.conn.execute(query).scalars()]
