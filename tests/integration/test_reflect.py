"""The learning loop on a real sample database and a real git repository.

A recorded v5 run leaves validation signals; a scheduler's edit of the saved week becomes a user
signal; `reflect --yes` writes LEARNINGS.md and commits it; preflight then loads the learning and
the generator plans around it; a finished week's actuals become performance signals.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select
from tests.conftest import NOW, TEST_SIGNING_KEY

from eros.bootstrap import Container, bootstrap, learning_loop, pipeline_monitor, tool_env, v5_runner
from eros.clock import FixedClock, parse_instant
from eros.config import Settings
from eros.db import schedules_repo, signals_repo
from eros.db.schema import learning_signals, mass_messages
from eros.errors import ErosError
from eros.infra.git import REFLECT_GIT_FAILED
from eros.infra.learnings_file import read_document
from eros.infra.mcp_clients import InProcessClient
from eros.scheduling.generator import plan_week
from eros.services.preflight import PreflightEngine
from eros.services.reflect import LearningLoop
from eros.tools import ToolEnv
from eros.tools.schedules import save_schedule

WEEK = "2026-01-05"
CREATOR = "alexia"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fresh directory that is not a git repository yet (reflect must `git init` it)."""
    folder = tmp_path / "ops"
    folder.mkdir()
    return folder


@pytest.fixture
def container(sample_db: Engine, repo: Path) -> Container:
    settings = Settings(
        db_url=str(sample_db.url), signing_key=TEST_SIGNING_KEY, learnings_path=repo / "LEARNINGS.md"
    )
    return bootstrap(settings, clock=FixedClock(parse_instant(NOW)), engine=sample_db)


@pytest.fixture
def loop(container: Container) -> LearningLoop:
    return learning_loop(container)


def _env(container: Container) -> ToolEnv:
    return tool_env(container)


def _hour(item: dict[str, Any]) -> int:
    return int(str(item["scheduled_time"])[:2])


async def _recorded_run(container: Container) -> int:
    """A routed-style v5 run recorded by the monitor; returns the saved schedule id."""
    result = await pipeline_monitor(container).observe("v5", v5_runner(container), CREATOR, WEEK)
    assert result.success and result.schedule_id is not None
    return result.schedule_id


def _edit_out_of_busiest_hour(container: Container, schedule_id: int) -> int:
    """A scheduler moves every send out of the week's busiest hour (one hour later); returns it."""
    with container.engine.connect() as conn:
        row = schedules_repo.ScheduleRepository(conn).get(schedule_id)
    items = json.loads(row["items_json"])
    busiest = Counter(_hour(i) for i in items).most_common(1)[0][0]
    target = busiest + 1 if busiest < 23 else busiest - 1
    edited = [
        {**i, "scheduled_time": f"{target:02d}{str(i['scheduled_time'])[2:]}"} if _hour(i) == busiest else i
        for i in items
    ]
    save_schedule(_env(container), CREATOR, WEEK, edited)  # no generator: a person's edit
    return busiest


async def _planned_hours(container: Container) -> Counter[int]:
    client = InProcessClient(_env(container))
    engine = PreflightEngine(client, learnings_path=container.settings.learnings_path, clock=container.clock)
    context = await engine.execute(CREATOR, date.fromisoformat(WEEK))
    return Counter(_hour(item.model_dump()) for item in plan_week(context).items)


async def test_a_user_edit_becomes_a_committed_learning_the_generator_follows(
    container: Container, loop: LearningLoop, repo: Path
):
    schedule_id = await _recorded_run(container)
    with container.engine.connect() as conn:
        recorded = conn.execute(
            select(func.count())
            .select_from(learning_signals)
            .where(learning_signals.c.source == "validation")
        ).scalar()
    assert recorded, "the recorded run left validation signals (lost score points)"
    hours_before = await _planned_hours(container)
    busiest = _edit_out_of_busiest_hour(container, schedule_id)
    assert hours_before[busiest] > 0

    preview = loop.run_reflect(write=False)
    assert not (repo / "LEARNINGS.md").exists() and not preview.written
    user = [p for p in preview.reflection.proposals if p.entry.learning.source == "user"]
    avoid = [p.entry.learning for p in user if "avoid_hours" in p.entry.learning.directive]
    assert [(x.confidence, x.applies_to, x.directive) for x in avoid] == [
        ("HIGH", f"creator:{CREATOR}", {"avoid_hours": [busiest]})
    ]

    (repo / "unrelated.txt").write_text("staged, not ours")
    outcome = loop.run_reflect(write=True)
    assert outcome.written and outcome.commit
    assert "reflect(eros)" in _git(repo, "log", "--oneline", "--grep=reflect", "-5")
    assert _git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["LEARNINGS.md"]
    text = (repo / "LEARNINGS.md").read_text()
    assert text.count("\n### [") == len(read_document(repo / "LEARNINGS.md").entries) >= 1
    with container.engine.connect() as conn:
        assert signals_repo.SignalRepository(conn).pending() == []
    assert loop.run_reflect(write=True).reflection.signal_ids == ()  # nothing twice

    hours_after = await _planned_hours(container)
    assert hours_after[busiest] == 0, (busiest, hours_before, hours_after)


async def test_a_finished_week_is_compared_with_its_actuals(container: Container, loop: LearningLoop):
    schedule_id = await _recorded_run(container)
    with container.engine.begin() as conn:
        row = schedules_repo.ScheduleRepository(conn).get(schedule_id)
        items = json.loads(row["items_json"])
        schedules_repo.ScheduleRepository(conn).queue(schedule_id, container.clock.now())
        schedules_repo.ScheduleRepository(conn).complete(schedule_id, container.clock.now())
        weak = next(i["content_type"] for i in items if i.get("content_type") and i.get("expected_revenue"))
        for item in items:
            if not item.get("expected_revenue"):
                continue
            share = 0.1 if item.get("content_type") == weak else 1.0
            conn.execute(
                insert(mass_messages).values(
                    creator_id=row["creator_id"],
                    sent_at=f"{item['scheduled_date']}T{item['scheduled_time']}:00Z",
                    sent_date=item["scheduled_date"],
                    sent_hour=_hour(item),
                    send_type_key=item["send_type_key"],
                    content_type=item.get("content_type"),
                    earnings=float(item["expected_revenue"]) * share,
                )
            )
    assert isinstance(container.clock, FixedClock)
    container.clock.advance(timedelta(days=9))  # the week is over
    outcome = loop.run_reflect(write=False)
    with container.engine.connect() as conn:
        rows = (
            conn.execute(select(learning_signals).where(learning_signals.c.source == "performance"))
            .mappings()
            .all()
        )
    assert {r["code"] for r in rows} >= {"WEEK_ACTUALS", "UNDERPERFORM"}
    keys = {json.loads(r["payload_json"]).get("key") for r in rows if r["code"] == "UNDERPERFORM"}
    assert weak in keys
    proposed = [
        p.entry.learning for p in outcome.reflection.proposals if p.entry.learning.source == "performance"
    ]
    assert {"avoid_content": [weak]} in [x.directive for x in proposed]
    assert all(x.confidence == "LOW" for x in proposed)  # one week is a single observation
    assert loop.run_reflect(write=False).captured == 0  # each week is compared once


async def test_status_deprecate_and_a_failing_commit(container: Container, loop: LearningLoop, repo: Path):
    schedule_id = await _recorded_run(container)
    _edit_out_of_busiest_hour(container, schedule_id)
    before = loop.status()
    assert before.pending.get("user") == 1 and before.pending.get("validation", 0) >= 1
    loop.run_reflect(write=True)
    after = loop.status()
    assert after.pending == {} and after.statistics.by_source["user"] >= 1
    assert after.statistics.last_7_days["added"] == after.total

    first = read_document(repo / "LEARNINGS.md").entries[0]
    entry, commit = loop.deprecate(first.learning.id, "caused a regression")
    assert commit and not entry.active
    assert f"deprecate {first.learning.id}" in _git(repo, "log", "-1", "--format=%s")
    assert first.learning.id not in [x.id for x in read_document(repo / "LEARNINGS.md").learnings()]

    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    hour = _edit_out_of_busiest_hour(container, schedule_id)  # a second edit, a new learning
    with pytest.raises(ErosError) as caught:
        loop.run_reflect(write=True)
    assert caught.value.code == REFLECT_GIT_FAILED and "commit it by hand" in caught.value.message
    kept = read_document(repo / "LEARNINGS.md").learnings()  # the file stays written
    assert {"avoid_hours": [hour]} in [x.directive for x in kept]
    assert "LEARNINGS.md" in _git(repo, "status", "--porcelain")
