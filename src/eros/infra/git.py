"""Git, the learning loop's review trail: LEARNINGS.md is committed alone, like code (runbook §9).

`GitCommitter` fills the `eros.ports.FileCommitter` port by running the `git` command line;
any failure is REFLECT_GIT_FAILED, naming what to do by hand. A command that finds git's
`index.lock` held (another git in the same repository: an editor, a `git status`) is tried again
a few times before it counts as a failure; two reflections never meet here, they hold
LEARNINGS.md's own lock (`eros.infra.learnings_file.learnings_lock`).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from eros.errors import ErosError

REFLECT_GIT_FAILED = "REFLECT_GIT_FAILED"
#: Who commits when the repository has no identity configured (a fresh `git init`).
FALLBACK_IDENTITY: tuple[str, ...] = (
    "-c",
    "user.name=eros reflect",
    "-c",
    "user.email=eros-reflect@localhost",
)


#: Waits between tries of a command that found `index.lock` held (about 3 s in all).
LOCK_RETRY_DELAYS_S: tuple[float, ...] = (0.05, 0.1, 0.2, 0.4, 0.8, 1.5)


class ReflectGitFailed(ErosError):
    code = REFLECT_GIT_FAILED


def _run(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise ReflectGitFailed(f"cannot run git: {exc}") from exc


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = _run(args, cwd)
    for delay in LOCK_RETRY_DELAYS_S:
        if done.returncode == 0 or "index.lock" not in done.stderr:
            break
        time.sleep(delay)
        done = _run(args, cwd)
    return done


class GitCommitter:
    """Commits one file with the `git` executable found on PATH."""

    def commit_file(self, path: Path, message: str) -> str | None:
        """Commit `path` alone (`git commit --only`); `git init` its directory when no repository holds
        it. Returns the new commit's id, or None when the file had no change to commit."""
        folder = path.resolve().parent
        top = _git(["rev-parse", "--show-toplevel"], folder)
        if top.returncode != 0:
            init = _git(["init", "-q"], folder)
            if init.returncode != 0:
                raise ReflectGitFailed(f"git init {folder} failed: {init.stderr.strip()}")
            top = _git(["rev-parse", "--show-toplevel"], folder)
        root = Path(top.stdout.strip())
        relative = str(path.resolve().relative_to(root.resolve()))
        identity = list(FALLBACK_IDENTITY) if _git(["config", "user.email"], root).returncode != 0 else []
        added = _git(["add", "--", relative], root)
        if added.returncode != 0:
            raise ReflectGitFailed(f"git add {relative} failed: {added.stderr.strip()}")
        if _git(["diff", "--cached", "--quiet", "--", relative], root).returncode == 0:
            return None
        done = _git([*identity, "commit", "-q", "-m", message, "--only", "--", relative], root)
        if done.returncode != 0:
            raise ReflectGitFailed(
                f"git commit of {relative} failed (the file is written; commit it by hand): "
                f"{(done.stderr or done.stdout).strip()}",
                details={"path": str(path)},
            )
        return _git(["rev-parse", "HEAD"], root).stdout.strip()
