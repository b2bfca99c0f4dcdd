"""A stored row as the pure code reads it: by column name (a SQLAlchemy `RowMapping`, a dict)."""

from __future__ import annotations

from typing import Any, Protocol


class Row(Protocol):
    def __getitem__(self, column: str, /) -> Any: ...
