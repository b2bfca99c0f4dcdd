"""Digest of every sample creator's generated week, v5 and v4: the "behaviour did not change" check.

Builds the sample (seed 7, as of 2026-01-04) in a temporary folder, runs `eros generate --all`
for the week of 2026-01-05 with the clock pinned, once per pipeline on its own copy, and prints
one SHA-256 per creator and pipeline over what was stored (status, items, score, revenue), then
one digest over all of them. Run it before and after a refactor: the last line must not change.

    .venv/bin/python benchmarks/schedule_digests.py [--per-creator] [--postgres URL]

With `--postgres postgresql+psycopg://user@host:port` the same runs happen in databases it
creates (and drops) on that server instead of SQLite files, collated ICU `en-US`; the last
line must be the same.
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

SEED, AS_OF, NOW, WEEK = "7", "2026-01-04", "2026-01-04T12:00:00Z", "2026-01-05"
EROS = str(Path(sys.executable).with_name("eros"))


def _eros(db: Path, *args: str, url: str | None = None) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("EROS_")},
        "EROS_DB_PATH": str(db),
        "EROS_NOW": NOW,
        "EROS_SIGNING_KEY": "digest-key",
        "EROS_LEARNINGS_PATH": str(db.with_suffix(".learnings.md")),
        **({"EROS_DB_URL": url} if url else {}),
    }
    subprocess.run([EROS, *args], env=env, check=True, stdout=subprocess.DEVNULL)


WEEK_QUERY = (
    "SELECT creator_id, status, items_json, quality_score, expected_revenue, total_items"
    " FROM schedules WHERE week_start = :week ORDER BY creator_id"
)


def week_digests(db: Path, url: str | None = None) -> dict[str, str]:
    """creator id → SHA-256 of the stored week (what a scheduler sees, not row ids or timestamps)."""
    if url is None:
        with sqlite3.connect(db) as conn:
            rows = conn.execute(WEEK_QUERY.replace(":week", "?"), (WEEK,)).fetchall()
    else:
        engine = create_engine(url)
        with engine.connect() as pg:
            rows = [tuple(row) for row in pg.execute(text(WEEK_QUERY), {"week": WEEK})]
        engine.dispose()
    return {
        row[0]: hashlib.sha256(json.dumps(row[1:], sort_keys=True, default=str).encode()).hexdigest()
        for row in rows
    }


#: Text collated as a typical server's default would (not bytewise like SQLite): order must not matter.
ICU_EN_US = "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"


@contextmanager
def postgres_databases(server: str) -> Iterator[dict[str, str]]:
    """One database per run on the server (`digest_sample`, `digest_v5`, `digest_v4`), dropped after."""
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    names = {name: f"digest_{name}_{os.getpid()}" for name in ("sample", "v5", "v4")}
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{names["sample"]}" {ICU_EN_US}'))
        yield {name: f"{server}/{db}" for name, db in names.items()}
    finally:
        with admin.connect() as conn:
            for db in names.values():
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        admin.dispose()


def _copy(tmp: str, pipeline: str, urls: dict[str, str] | None) -> tuple[Path, str | None]:
    """The run's own copy of the sample: a file, or a database made from the sample as a template."""
    db = Path(tmp) / f"{pipeline}.db"
    if urls is None:
        shutil.copyfile(Path(tmp) / "sample.db", db)
        return db, None
    server, name = urls[pipeline].rsplit("/", 1)
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{urls["sample"].rsplit("/", 1)[1]}"'))
    admin.dispose()
    return db, urls[pipeline]


def main() -> None:
    per_creator = "--per-creator" in sys.argv
    server = sys.argv[sys.argv.index("--postgres") + 1] if "--postgres" in sys.argv else None
    with (
        tempfile.TemporaryDirectory() as tmp,
        postgres_databases(server) if server else _no_databases() as urls,
    ):
        base = Path(tmp) / "sample.db"
        _eros(base, "db", "init", "--sample", "--seed", SEED, "--as-of", AS_OF, url=urls and urls["sample"])
        overall = hashlib.sha256()
        for pipeline in ("v5", "v4"):
            db, url = _copy(tmp, pipeline, urls)
            _eros(db, "generate", "--all", "--week", WEEK, "--pipeline", pipeline, url=url)
            digests = week_digests(db, url)
            for creator, digest in digests.items():
                overall.update(f"{pipeline}:{creator}:{digest}".encode())
                if per_creator:
                    print(f"{pipeline} {creator:<24} {digest}")
            print(f"{pipeline}: {len(digests)} weeks")
        print(f"all weeks: {overall.hexdigest()}")


@contextmanager
def _no_databases() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    main()
