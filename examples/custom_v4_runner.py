"""An agency's own generator plugged in as EROS's v4 pipeline (EROS_V4_RUNNER).

Many agencies already have a scheduler that exports each creator's week as a file. This
plug-in hands those weeks to EROS, which then treats them exactly like its built-in v4:
the router can serve them, shadow mode compares v5 against them, rollback returns to them,
and each one goes through the same rule engine, certificate and save.

    export AGENCY_SCHEDULES_DIR=/srv/agency/exports      # <creator>_<YYYY-MM-DD>.json files
    export PYTHONPATH=/path/to/eros/examples
    export EROS_V4_RUNNER=custom_v4_runner:generate
    eros generate alexia --pipeline v4 --week 2026-01-05

Each file holds `{"items": [...]}` with the fields of `eros.models.ScheduleItem`
(send_type_key, scheduled_date, scheduled_time, content_type, caption_id, price, ...).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


async def generate(creator_id: str, week_start: str) -> dict[str, Any]:
    """The week the agency's tool exported for this creator; FileNotFoundError when there is none."""
    folder = Path(os.environ.get("AGENCY_SCHEDULES_DIR", "agency_schedules"))
    path = folder / f"{creator_id}_{week_start}.json"
    exported = json.loads(path.read_text(encoding="utf-8"))
    return {"items": exported["items"], "generator": "agency-export"}
