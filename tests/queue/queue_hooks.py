"""Test-only v4 runners a worker subprocess loads through EROS_V4_RUNNER (the runner injection)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

#: Where `block_until_killed` says which creator-week it holds (the test waits for this file).
MARKER_ENV = "EROS_TEST_BLOCK_MARKER"


async def block_until_killed(creator_id: str, week_start: str) -> dict[str, Any]:
    """Start the run, say so, then hold it forever: the test kills the worker here."""
    Path(os.environ[MARKER_ENV]).write_text(f"{creator_id} {week_start}", encoding="utf-8")
    await asyncio.Event().wait()
    raise AssertionError("unreachable: nothing sets the event")
