"""Digest of every sample creator's generated week, v5 and v4: the "behaviour did not change" check.

Builds the sample (seed 7, as of 2026-01-04) in a temporary folder, runs `eros generate --all`
for the week of 2026-01-05 with the clock pinned, once per pipeline on its own copy, and prints
one SHA-256 per creator and pipeline over what was stored (status, items, score, revenue), then
one digest over all of them. Run it before and after a refactor: the last line must not change.

    .venv/bin/python benchmarks/schedule_digests.py [--per-creator]
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

SEED, AS_OF, NOW, WEEK = "7", "2026-01-04", "2026-01-04T12:00:00Z", "2026-01-05"
EROS = str(Path(sys.executable).with_name("eros"))


def _eros(db: Path, *args: str) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("EROS_")},
        "EROS_DB_PATH": str(db),
        "EROS_NOW": NOW,
        "EROS_SIGNING_KEY": "digest-key",
        "EROS_LEARNINGS_PATH": str(db.with_suffix(".learnings.md")),
    }
    subprocess.run([EROS, *args], env=env, check=True, stdout=subprocess.DEVNULL)


def week_digests(db: Path) -> dict[str, str]:
    """creator id → SHA-256 of the stored week (what a scheduler sees, not row ids or timestamps)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT creator_id, status, items_json, quality_score, expected_revenue, total_items"
            " FROM schedules WHERE week_start = ? ORDER BY creator_id",
            (WEEK,),
        ).fetchall()
    return {
        row[0]: hashlib.sha256(json.dumps(row[1:], sort_keys=True, default=str).encode()).hexdigest()
        for row in rows
    }


def main() -> None:
    per_creator = "--per-creator" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "sample.db"
        _eros(base, "db", "init", "--sample", "--seed", SEED, "--as-of", AS_OF)
        overall = hashlib.sha256()
        for pipeline in ("v5", "v4"):
            db = Path(tmp) / f"{pipeline}.db"
            shutil.copyfile(base, db)
            _eros(db, "generate", "--all", "--week", WEEK, "--pipeline", pipeline)
            digests = week_digests(db)
            for creator, digest in digests.items():
                overall.update(f"{pipeline}:{creator}:{digest}".encode())
                if per_creator:
                    print(f"{pipeline} {creator:<24} {digest}")
            print(f"{pipeline}: {len(digests)} weeks")
        print(f"all weeks: {overall.hexdigest()}")


if __name__ == "__main__":
    main()
