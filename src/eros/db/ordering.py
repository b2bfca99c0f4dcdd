"""Text ordering that is the same on every backend: by code point, as SQLite's BINARY does.

A PostgreSQL database sorts text by its collation, and the usual ones (`en_US.UTF-8`, ICU
`en-US`) put `alexia` before `Alexia` and ignore `_` at first: rosters, content types and ties
would come out in another order than on SQLite, and with them the schedules (their candidates
and tie-breaks follow that order). `bytewise(column)` orders by `COLLATE "C"` on PostgreSQL and
by the column itself elsewhere.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class bytewise(FunctionElement[str]):
    """`column`, compared by code point (use it in ORDER BY)."""

    type = String()
    inherit_cache = True


@compiles(bytewise)
def _plain(element: bytewise, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(bytewise, "postgresql")
def _c_collation(element: bytewise, compiler: SQLCompiler, **kw: Any) -> str:
    return f'{compiler.process(element.clauses, **kw)} COLLATE "C"'
