"""A learning signal: one observation reflection learns from (ARCHITECTURE §2).

A run's violation or lost score points (validation), a scheduler's edit of a generated week
(user), a finished week's actuals against its plan (performance). `NewSignal` is one not yet
recorded; `Signal` one read back with its id, pending until a written reflection marks it processed.
The database stores them (`eros.db.signals_repo`); reflection only reads these values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class NewSignal:
    source: str
    kind: str
    creator_id: str | None
    schedule_id: int | None = None
    code: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Signal:
    id: int
    source: str
    kind: str
    creator_id: str | None
    schedule_id: int | None
    code: str | None
    payload: Mapping[str, Any]
    created_at: str
    processed_at: str | None
