"""`eros reflect --yes` is safe to run twice at once, to re-run, and on hostile signals.

Two real processes are serialised by LEARNINGS.md's lock (the second finds the first one's signals
processed: one commit, one entry, no git `index.lock` failure); a reflection written twice writes
once (the signals are claimed in the database first); a signal whose text cannot be written is
refused and processed, so it cannot wedge every later `reflect --yes`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from tests.conftest import NOW, TEST_SIGNING_KEY

from eros.bootstrap import bootstrap, learning_loop
from eros.clock import FixedClock, parse_instant
from eros.config import Settings
from eros.db import signals_repo
from eros.db.schema import learning_signals
from eros.errors import ErosError
from eros.infra.learnings_file import learnings_lock, read_document
from eros.learning.signals import NewSignal
from eros.services.reflect import REFLECT_CONFLICT, LearningLoop
from support import subprocess_env

CORRECTION = NewSignal(
    "user", "correction", "alexia", 7, "USER_CORRECTION", {"revision": 2, "removed_hours": [2]}
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    folder = tmp_path / "ops"
    folder.mkdir()
    return folder


@pytest.fixture
def loop(empty_db: Engine, repo: Path) -> LearningLoop:
    settings = Settings(
        db_url=str(empty_db.url), signing_key=TEST_SIGNING_KEY, learnings_path=repo / "LEARNINGS.md"
    )
    return learning_loop(bootstrap(settings, clock=FixedClock(parse_instant(NOW)), engine=empty_db))


def _insert(engine: Engine, *signals: NewSignal) -> None:
    with engine.begin() as conn:
        signals_repo.SignalRepository(conn).insert(signals, parse_instant(NOW))


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def _env(engine: Engine, repo: Path) -> dict[str, str]:
    env = {k: v for k, v in subprocess_env(engine).items() if k != "EROS_SIGNING_KEY"}
    return {
        **env,
        "EROS_NOW": NOW,
        "EROS_LEARNINGS_PATH": str(repo / "LEARNINGS.md"),
    }


def _start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from eros.cli.app import main; main()", "reflect", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def _reflect_commits(repo: Path) -> list[str]:
    return _git(repo, "log", "--format=%s", "--grep=reflect(eros)").splitlines()


def test_two_concurrent_reflects_write_one_learning_in_one_commit(empty_db: Engine, repo: Path):
    for trial in range(2):
        _insert(
            empty_db,
            NewSignal(
                "user",
                "correction",
                "alexia",
                7 + trial,
                "USER_CORRECTION",
                {"revision": 2, "removed_hours": [2 + trial]},
            ),
        )
        env = _env(empty_db, repo)
        first, second = _start(env, "--yes", "--json"), _start(env, "--yes", "--json")
        results = [_finish(first), _finish(second)]
        assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
        written = [json.loads(out) for _, out, _ in results]
        assert sorted(w["written"] for w in written) == [False, True]  # one wrote, the other found nothing
        assert sorted(w["signals"] for w in written) == [0, 1]
        assert len(_reflect_commits(repo)) == trial + 1
    titles = [e.learning.title for e in read_document(repo / "LEARNINGS.md").entries]
    assert titles == ["No sends at 02:00 for alexia", "No sends at 03:00 for alexia"]
    with empty_db.connect() as conn:
        pending = conn.execute(
            select(func.count()).where(learning_signals.c.processed_at.is_(None))
        ).scalar_one()
    assert pending == 0 and "LEARNINGS.md" not in _git(repo, "status", "--porcelain", "--", "LEARNINGS.md")


def test_a_reflect_waits_for_the_lock_holder(empty_db: Engine, repo: Path):
    _insert(empty_db, CORRECTION)
    with learnings_lock(repo / "LEARNINGS.md"):
        waiting = _start(_env(empty_db, repo), "--yes")
        deadline = time.monotonic() + 8  # far longer than a reflect takes (about 1.5 s)
        while time.monotonic() < deadline and waiting.poll() is None:
            time.sleep(0.2)
        assert waiting.poll() is None and not (repo / "LEARNINGS.md").exists()  # blocked, wrote nothing
    code, out, err = _finish(waiting)
    assert code == 0, err
    assert "Wrote" in out and (repo / "LEARNINGS.md").exists()


def test_a_busy_lock_is_a_coded_error(loop: LearningLoop, empty_db: Engine, repo: Path):
    _insert(empty_db, CORRECTION)
    quick = LearningLoop(
        uow=loop.uow,
        clock=loop.clock,
        learnings_path=loop.learnings_path,
        git=loop.git,
        lock=lambda path, required=True: learnings_lock(path, timeout=0.2, required=required),
    )
    with learnings_lock(repo / "LEARNINGS.md"), pytest.raises(ErosError) as caught:
        quick.run_reflect(write=True)
    assert caught.value.code == "REFLECT_BUSY" and not (repo / "LEARNINGS.md").exists()


def test_a_reflection_written_twice_is_written_once(loop: LearningLoop, empty_db: Engine, repo: Path):
    _insert(empty_db, CORRECTION)
    shown = loop.run_reflect(write=False)  # what a reviewer saw
    assert len(shown.reflection.proposals) == 1
    assert loop.write_reflection(shown.reflection).written
    with pytest.raises(ErosError) as caught:  # the same signals again: already processed
        loop.write_reflection(shown.reflection)
    assert caught.value.code == REFLECT_CONFLICT
    assert len(read_document(repo / "LEARNINGS.md").entries) == 1 and len(_reflect_commits(repo)) == 1


def test_a_failed_database_commit_puts_the_file_back(loop: LearningLoop, empty_db: Engine, repo: Path):
    _insert(empty_db, CORRECTION)
    (repo / "LEARNINGS.md").write_text("# LEARNINGS\n\nas it was\n")
    before = (repo / "LEARNINGS.md").read_text()

    class FailingCommit:
        def __init__(self) -> None:
            self.inner = loop.uow()

        def __enter__(self) -> Any:
            uow = self.inner.__enter__()
            if uow.signals.pending():  # the block that claims the signals
                uow.commit = self.fail
            return uow

        def __exit__(self, *exc: Any) -> None:
            self.inner.__exit__(*exc)

        @staticmethod
        def fail() -> None:
            raise RuntimeError("disk full")

    failing = LearningLoop(
        uow=FailingCommit, clock=loop.clock, learnings_path=loop.learnings_path, git=loop.git
    )
    shown = loop.run_reflect(write=False)
    with pytest.raises(RuntimeError):
        failing.write_reflection(shown.reflection)
    assert (repo / "LEARNINGS.md").read_text() == before
    assert loop.run_reflect(write=True).written  # the signals are still pending: nothing lost either


HOSTILE = [
    NewSignal(
        "user",
        "correction",
        "alexia",
        8,
        "USER_CORRECTION",
        {
            "revision": "2\n### [2026-01-01] x",
            "removed_content": ['feet"]}\n## HIGH | **Directive**: {}'],
            "removed_hours": [99],
        },
    ),
    NewSignal(
        "user", "correction", "alexia\n| **Applies To**: all", 9, "X", {"revision": 2, "removed_hours": [5]}
    ),
    NewSignal(
        "validation",
        "violation",
        "alexia",
        None,
        "DEAD\u2028ZONE" * 30,
        {
            "rule": "dead_zone",
            "message": "x\n" * 500 + "| **",
            "sends": [{"hour": 4}, "junk", {"hour": "4\n"}],
        },
    ),
    NewSignal(
        "performance", "bucket", "alexia", 3, "UNDERPERFORM", {"dimension": "content_type", "key": "\ud800"}
    ),
]


def test_hostile_signals_cannot_wedge_later_reflects(loop: LearningLoop, empty_db: Engine, repo: Path):
    _insert(empty_db, *HOSTILE)
    first = loop.run_reflect(write=True)
    # every signal carried a value that cannot be written as it is; 3's good hour is still learned
    assert first.written and first.reflection.rejected == (1, 2, 3, 4)
    (entry,) = read_document(repo / "LEARNINGS.md").entries  # the dead-zone hour, its prose cleaned
    assert entry.learning.directive == {"avoid_hours": [4]} and "\n" not in entry.fields["Pattern"]
    _insert(empty_db, CORRECTION)
    assert loop.run_reflect(write=True).written  # the next reflect is not wedged
    assert len(read_document(repo / "LEARNINGS.md").entries) == 2
