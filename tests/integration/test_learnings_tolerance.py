"""A LEARNINGS.md left with a real `git merge` conflict no longer fails v5 preflight: the learnings
outside the conflict apply, the ones inside are skipped and reported with their lines."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests.conftest import NOW, TEST_SIGNING_KEY

from eros.bootstrap import bootstrap, learning_loop
from eros.clock import FixedClock, parse_instant
from eros.config import Settings
from eros.errors import ErosError
from eros.infra.learnings_file import load_learnings_with_problems, read_document
from eros.preflight import MockMCP
from eros.services.preflight import PreflightEngine
from eros.services.reflect import record_learnings_problems

WEEK = "2026-01-06"  # the runbook's own example week over MockMCP's mini sample


def _entry(title: str, hour: int) -> str:
    return (
        f"### [2026-01-02] {title}\n**Pattern**: sends at {hour:02d}:00\n**Issue**: nobody opens them\n"
        f"**Correction**: move them\n**Source**: user | **Violation Code**: USER_CORRECTION\n"
        f'**Applies To**: creator:test\n**Directive**: {{"avoid_hours": [{hour}]}}\n'
    )


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@localhost", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )


@dataclass(frozen=True)
class Conflicted:
    path: Path
    titles: tuple[str, str]


@pytest.fixture(params=[("Ours", "Theirs"), ("Same title", "Same title")])
def conflicted(tmp_path: Path, request: pytest.FixtureRequest) -> Conflicted:
    """LEARNINGS.md after two branches each appended a learning to the HIGH section and merged
    (different learnings, or the same one with different directives: the same id twice)."""
    ours, theirs = request.param
    repo = tmp_path / "ops"
    repo.mkdir()
    path = repo / "LEARNINGS.md"
    _git(repo, "init", "-q", "-b", "main")
    path.write_text(
        "# LEARNINGS\n\n## HIGH Confidence\n\n" + _entry("Base rule", 3) + "\n## MEDIUM Confidence\n"
    )
    _git(repo, "add", "LEARNINGS.md")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "checkout", "-q", "-b", "other")
    path.write_text(path.read_text().replace("\n## MEDIUM", "\n" + _entry(theirs, 4) + "\n## MEDIUM"))
    _git(repo, "commit", "-q", "-am", "theirs")
    _git(repo, "checkout", "-q", "main")
    path.write_text(path.read_text().replace("\n## MEDIUM", "\n" + _entry(ours, 5) + "\n## MEDIUM"))
    _git(repo, "commit", "-q", "-am", "ours")
    merge = _git(repo, "merge", "other")
    assert merge.returncode != 0 and "<<<<<<<" in path.read_text()  # a real conflict
    return Conflicted(path, (ours, theirs))


async def test_v5_preflight_goes_on_with_the_learnings_outside_the_conflict(
    conflicted: Conflicted, clock: FixedClock
):
    path = conflicted.path
    context = await PreflightEngine(MockMCP(), learnings_path=path, clock=clock).execute("test", WEEK)
    assert [x.title for x in context.learnings] == ["Base rule"]

    loaded = load_learnings_with_problems(path, "test", "test", "STANDARD")
    lines = path.read_text().splitlines()
    opener = next(i for i, x in enumerate(lines, 1) if x.startswith("<<<<<<<"))
    assert any(p.line == opener and "merge conflict" in p.message for p in loaded.problems)
    skipped = sorted(heading for _, heading in {(p.entry_line, p.entry) for p in loaded.problems if p.entry})
    titles = {f"### [2026-01-02] {title}" for title in conflicted.titles}
    assert set(skipped) == titles and len(skipped) == len(titles)  # git merges a same-titled pair into one
    with pytest.raises(ErosError) as caught:  # reflect --yes refuses to write over it
        read_document(path)
    assert caught.value.code == "LEARNINGS_INVALID"


def test_the_problems_become_learning_signals_once_while_pending(
    conflicted: Conflicted, empty_db: Engine, tmp_path: Path
):
    settings = Settings(
        db_url=str(empty_db.url), signing_key=TEST_SIGNING_KEY, learnings_path=tmp_path / "L.md"
    )
    loop = learning_loop(bootstrap(settings, clock=FixedClock(parse_instant(NOW)), engine=empty_db))
    problems = load_learnings_with_problems(conflicted.path, "test", "test", "STANDARD").problems
    for _ in range(3):  # three creators' preflights load the same broken file
        with loop.uow() as uow:
            record_learnings_problems(uow.signals, problems, parse_instant(NOW), path=conflicted.path)
            uow.commit()
    with loop.uow() as uow:
        pending = uow.signals.pending()
    assert len(pending) == len(problems) and {s.code for s in pending} == {"LEARNINGS_INVALID"}
    assert sorted(s.payload["line"] for s in pending) == sorted(p.line for p in problems)
    outcome = loop.run_reflect(write=True)  # reflection learns nothing from them and processes them
    assert outcome.reflection.empty and outcome.reflection.unmapped == len(problems)
    assert loop.status().pending == {}
