"""Attack: every command group on a broken database, and hostile input to every eros-db tool.

    .venv/bin/python attacks/faults.py          # about a minute; temp dirs and a pipe only

1. Every command group (listed from the Typer app, so a new one is attacked too) runs in this
   process against each database fault: missing, empty file, no schema, unreadable,
   read-only (file and directory), locked by another writer, garbage bytes, truncated, damaged
   schema page. Each run must print one `error [CODE] …` line with the fault's code and exit
   code, no traceback, and leave the directory as it was (no file created or changed).
2. Every integer, decimal and date parameter of every tool gets huge, negative, NaN and
   out-of-calendar values, and every tool meets each database fault: each answer must be a
   coded tool error other than INTERNAL_ERROR (or a success).
3. The stdio server gets JSON nested 200 deep, requests at and one past the size and depth
   limits, a 64 MB line and a line that is not JSON: each must be answered, quickly.

The table at the end counts tries and failures; every failure column must be 0. The e2e
tests import this module (tests/e2e/test_command_faults.py) and run its core.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from typer.main import get_command
from typer.testing import CliRunner

from eros.cli.app import EXIT_ERROR, EXIT_RETRY, _register, app, run
from eros.clock import FixedClock, parse_instant
from eros.db.engine import create_schema, make_engine
from eros.db.sample import build_mini_sample
from eros.db.unit_of_work import SqlUnitOfWork
from eros.errors import ErosError
from eros.infra.mcp_clients import InProcessClient
from eros.tools.env import ToolEnv
from eros.tools.server import TOOLS
from eros.tools.stdio import MAX_JSON_DEPTH, MAX_REQUEST_BYTES

NOW = "2026-01-04T12:00:00Z"
DB_NAME = "eros.db"
#: A lock is given up on after this long in the attack (the default, 10 s, would only be slower).
BUSY_TIMEOUT_S = "0.05"
ERROR_LINE = re.compile(r"^error \[([A-Z0-9_]+)\] \S")

# --- the command groups -----------------------------------------------------------------------

#: Arguments for a command group that needs some (or whose first subcommand is not harmless);
#: any other group runs its first subcommand with none. "{csv}" is a CSV file outside the
#: database's directory.
ARGUMENTS: dict[str, list[str]] = {
    "analyze": ["--all"],
    "import": ["creators", "{csv}"],
    "generate": ["alexia", "--dry-run"],
    "show": ["alexia"],
    "export": ["alexia"],
    "route": ["alexia"],
    "run": ["alexia", "--dry-run"],
    "validate": ["1"],
    "watch": ["--iterations", "1"],
    "db": ["summary"],
    "rollback": ["history"],
    "metrics": [],
    "mcp": ["call", "get_send_types"],
    "rollout": ["status"],
    "reflect": ["status"],
    "simulate": ["rollout", "--days", "1", "--creators", "1"],
}
#: The invocations that create a database where there is none (no file, an empty one, one
#: without tables), so not tried on those.
CREATING = (("demo",), ("db", "init"))


def invocations() -> list[list[str]]:
    """One harmless invocation per top-level command or group of `eros`, plus `db init`."""
    _register()
    root = get_command(app)
    assert hasattr(root, "commands")
    found = []
    for name, command in root.commands.items():
        if name in ARGUMENTS:
            found.append([name, *ARGUMENTS[name]])
        elif hasattr(command, "commands"):
            found.append([name, next(iter(command.commands))])
        else:
            found.append([name])
    return [*found, ["db", "init"]]


# --- the database faults ----------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """A broken database in `directory`: what a command on it must answer."""

    name: str
    code: str
    exit_code: int = EXIT_ERROR
    #: Makes the fault in `directory` from a healthy template; returns what undoes it.
    make: Callable[[Path, Path], Callable[[], None]] = field(default=lambda d, t: lambda: None)


def _copy(directory: Path, template: Path) -> Path:
    target = directory / DB_NAME
    shutil.copyfile(template, target)
    return target


def _nothing() -> None:
    return None


def _missing(directory: Path, template: Path) -> Callable[[], None]:
    return _nothing


def _empty(directory: Path, template: Path) -> Callable[[], None]:
    (directory / DB_NAME).touch()
    return _nothing


def _no_schema(directory: Path, template: Path) -> Callable[[], None]:
    with sqlite3.connect(directory / DB_NAME) as conn:
        conn.execute("PRAGMA user_version=1")
    return _nothing


def _unreadable(directory: Path, template: Path) -> Callable[[], None]:
    _copy(directory, template).chmod(0)
    return partial((directory / DB_NAME).chmod, 0o600)


def _read_only(directory: Path, template: Path) -> Callable[[], None]:
    _copy(directory, template).chmod(stat.S_IRUSR | stat.S_IRGRP)
    directory.chmod(stat.S_IRUSR | stat.S_IXUSR)
    return partial(directory.chmod, stat.S_IRWXU)


def _locked(directory: Path, template: Path) -> Callable[[], None]:
    """Another writer takes the lock and keeps it (exclusive locking mode holds it until close)."""
    holder = sqlite3.connect(_copy(directory, template))
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE app_config SET value = value")
    holder.commit()
    return holder.close


def _damage(directory: Path, template: Path, *, at: int, size: int | None) -> Callable[[], None]:
    """Overwrite `size` bytes at `at` with garbage, or cut the file at `at` (size None)."""
    with _copy(directory, template).open("r+b") as file:
        if size is None:
            file.truncate(at)
        else:
            file.seek(at)
            file.write(bytes((i * 151 + 7) % 256 for i in range(size)))
    return _nothing


FAULTS: tuple[Fault, ...] = (
    Fault("missing", "NO_DATABASE", make=_missing),
    Fault("empty file", "NO_DATABASE", make=_empty),
    Fault("no schema", "NO_DATABASE", make=_no_schema),
    Fault("unreadable", "DATABASE_UNREADABLE", make=_unreadable),
    Fault("read-only", "DATABASE_READONLY", make=_read_only),
    Fault("locked", "DATABASE_LOCKED", EXIT_RETRY, make=_locked),
    Fault("garbage bytes", "DATABASE_CORRUPT", make=partial(_damage, at=0, size=4096)),
    Fault("truncated", "DATABASE_CORRUPT", make=partial(_damage, at=3 * 4096, size=None)),
    Fault("damaged schema page", "DATABASE_CORRUPT", make=partial(_damage, at=100, size=3900)),
)
#: The three the e2e test runs every group against.
E2E_FAULTS = ("missing", "read-only", "garbage bytes")


def healthy_template(directory: Path) -> Path:
    """A migrated database with send types and a key (no creators), to break in copies."""
    path = directory / "template.db"
    engine = make_engine(f"sqlite:///{path}", create=True)
    create_schema(engine)
    engine.dispose()
    return path


def _listing(directory: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in directory.iterdir()}


@dataclass
class Outcome:
    """What one command did on one fault, judged."""

    argv: list[str]
    fault: str
    exit_code: int
    stderr: str
    stdout: str
    created: list[str]

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.stderr + self.stdout

    @property
    def code(self) -> str | None:
        lines = self.stderr.strip().splitlines()
        found = ERROR_LINE.match(lines[0]) if len(lines) == 1 else None
        return found.group(1) if found else None


@contextmanager
def broken(fault: Fault, template: Path) -> Iterator[Path]:
    """A fresh directory holding `fault`; undone (and removed) afterwards."""
    with tempfile.TemporaryDirectory(prefix="eros-fault-") as name:
        directory = Path(name) / "db"
        directory.mkdir()
        undo = fault.make(directory, template)
        try:
            yield directory
        finally:
            undo()


def run_command(argv: list[str], fault: Fault, template: Path, csv: Path) -> Outcome:
    """`eros ARGV…` in this process on `fault`, through the real error handler (`eros.cli.app.run`)."""
    argv = [arg.replace("{csv}", str(csv)) for arg in argv]
    with broken(fault, template) as directory:
        env: dict[str, str | None] = {
            "EROS_DB_PATH": str(directory / DB_NAME),
            "EROS_DB_URL": None,
            "EROS_NOW": NOW,
            "EROS_SIGNING_KEY": None,
            "EROS_DB_BUSY_TIMEOUT_S": BUSY_TIMEOUT_S,
            "EROS_LEARNINGS_PATH": str(directory.parent / "LEARNINGS.md"),
        }
        before = _listing(directory)
        with CliRunner().isolation(env=env) as (stdout, stderr, _):
            exit_code = run(argv)
            sys.stdout.flush()
            sys.stderr.flush()
            out, err = stdout.getvalue().decode(), stderr.getvalue().decode()
        after = _listing(directory)
    changed = sorted(n for n in after.keys() | before.keys() if after.get(n) != before.get(n))
    return Outcome(argv, fault.name, exit_code, err, out, changed)


def command_cases() -> Iterator[tuple[list[str], Fault]]:
    for argv in invocations():
        for fault in FAULTS:
            if fault.code == "NO_DATABASE" and tuple(argv) in CREATING:
                continue
            yield argv, fault


def command_failures(outcome: Outcome, fault: Fault) -> list[str]:
    """What is wrong with one outcome (nothing, when the command failed as it must)."""
    problems = []
    if outcome.traceback:
        problems.append("traceback")
    if outcome.created:
        problems.append(f"changed files {outcome.created}")
    if outcome.code != fault.code:
        problems.append(f"expected one line error [{fault.code}], got {outcome.stderr.strip()[:300]!r}")
    if outcome.exit_code != fault.exit_code:
        problems.append(f"exit {outcome.exit_code}, expected {fault.exit_code}")
    return problems


# --- the tools --------------------------------------------------------------------------------

HOSTILE_INTS = (-1, -(2**63), -(2**63) - 1, 2**63 - 1, 2**63, 10**30, -(10**30))
HOSTILE_FLOATS = (float("nan"), float("inf"), float("-inf"), 1e308, -1e308)
HOSTILE_DATES = ("9999-12-27", "9999-12-31", "0001-01-01", "1969-12-31", "3000-01-01", "2026-99-01")
#: A valid value for each required parameter, so a hostile one is what the tool judges.
REQUIRED = {
    "creator_id": "test",
    "week_start": "2026-01-05",
    "send_type": "ppv_unlock",
    "caption_text": "hello",
    "triggers": [],
    "items": [{"send_type_key": "bump_normal", "scheduled_date": "2026-01-05", "scheduled_time": "12:07"}],
    "content_types": ["solo"],
}
NESTED = {
    "triggers": lambda v: [
        {"content_type": "solo", "trigger_type": "HIGH_PERFORMER", "adjustment_multiplier": v}
    ],
    "items": lambda v: [{**REQUIRED["items"][0], "price": v, "caption_id": v}],  # type: ignore[dict-item]
}


def tool_cases() -> Iterator[tuple[str, dict[str, Any]]]:
    """Each tool with one parameter made hostile at a time (nested numbers too)."""
    for fn in TOOLS:
        parameters = list(inspect.signature(fn, eval_str=True).parameters.values())[1:]
        required = {p.name: REQUIRED[p.name] for p in parameters if p.default is inspect.Parameter.empty}
        for p in parameters:
            kind = str(p.annotation)
            values: tuple[Any, ...] = ()
            if "int" in kind:
                values = HOSTILE_INTS
            elif "float" in kind:
                values = HOSTILE_FLOATS
            elif p.name == "week_start":
                values = HOSTILE_DATES
            elif p.name in NESTED:
                values = tuple(NESTED[p.name](v) for v in (*HOSTILE_INTS, *HOSTILE_FLOATS))
            for value in values:
                yield fn.__name__, {**required, p.name: value}


async def _call(client: InProcessClient, tool: str, arguments: dict[str, Any]) -> str:
    try:
        await client.call_tool(tool, arguments)
    except ErosError as exc:
        return exc.code
    return "ok"


def tool_env_on(path: Path) -> ToolEnv:
    engine = make_engine(f"sqlite:///{path}", busy_timeout_s=float(BUSY_TIMEOUT_S))
    return ToolEnv(partial(SqlUnitOfWork, engine), FixedClock(parse_instant(NOW)), b"attack")


def mini_database(directory: Path) -> Path:
    path = directory / "mini.db"
    engine = make_engine(f"sqlite:///{path}", create=True)
    create_schema(engine)
    build_mini_sample(engine)
    engine.dispose()
    return path


def tool_attacks(mini: Path) -> tuple[int, list[str]]:
    """Hostile arguments to every tool on a healthy copy; INTERNAL_ERROR is a failure."""
    client = InProcessClient(tool_env_on(mini))
    cases = list(tool_cases())
    answers = asyncio.run(_answer_all(client, cases))
    return len(cases), [
        f"{t} {a}" for (t, a), code in zip(cases, answers, strict=True) if code == "INTERNAL_ERROR"
    ]


async def _answer_all(client: InProcessClient, cases: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [await _call(client, tool, arguments) for tool, arguments in cases]


def tool_fault_attacks(template: Path) -> tuple[int, list[str]]:
    """Every tool on every database fault answers that fault's code (or, for the few tools that
    serve the rulebook and read no database, succeeds), and no file is created or changed."""
    tries, wrong = 0, []
    for fault in FAULTS:
        with broken(fault, template) as directory:
            client = InProcessClient(tool_env_on(directory / DB_NAME))
            for fn in TOOLS:
                parameters = list(inspect.signature(fn, eval_str=True).parameters.values())[1:]
                required = [p.name for p in parameters if p.default is inspect.Parameter.empty]
                before = _listing(directory)
                code = asyncio.run(_call(client, fn.__name__, {name: REQUIRED[name] for name in required}))
                tries += 1
                if code not in (fault.code, "ok") or _listing(directory) != before:
                    wrong.append(f"{fn.__name__} on {fault.name}: {code}")
    return tries, wrong


# --- the stdio server -------------------------------------------------------------------------


def _nested(depth: int) -> Any:
    """A value that, as a tool argument, makes a tools/call request `depth` levels deep."""
    value: Any = "x"
    for _ in range(depth - 3):  # the envelope: request, params, arguments
        value = [value]
    return value


def _call_line(request_id: int, tool: str, arguments: dict[str, Any]) -> bytes:
    message = {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {"name": tool, "arguments": arguments},
    }
    return json.dumps(message, separators=(",", ":")).encode()


def _padded(request_id: int, size: int) -> bytes:
    """A validate_caption_structure call of exactly `size` bytes."""
    bare = _call_line(
        request_id, "validate_caption_structure", {"caption_text": "", "send_type": "ppv_unlock"}
    )
    return bare.replace(b'"caption_text":""', b'"caption_text":"' + b"a" * (size - len(bare)) + b'"')


def stdio_requests() -> list[tuple[str, bytes, str | None]]:
    """(what, line, the error code expected or None for an ordinary answer)."""
    return [
        ("nested 200 deep", _call_line(2, "get_send_types", {"page_type": _nested(200)}), "REQUEST_TOO_DEEP"),
        (
            f"nested {MAX_JSON_DEPTH} deep",
            _call_line(3, "get_send_types", {"page_type": _nested(MAX_JSON_DEPTH)}),
            None,
        ),
        (
            f"nested {MAX_JSON_DEPTH + 1} deep",
            _call_line(4, "get_send_types", {"page_type": _nested(MAX_JSON_DEPTH + 1)}),
            "REQUEST_TOO_DEEP",
        ),
        (f"{MAX_REQUEST_BYTES} bytes", _padded(5, MAX_REQUEST_BYTES), None),
        (f"{MAX_REQUEST_BYTES + 1} bytes", _padded(6, MAX_REQUEST_BYTES + 1), "REQUEST_TOO_LARGE"),
        ("64 MB", _padded(7, 64 * 1024 * 1024), "REQUEST_TOO_LARGE"),
        ("not JSON", b"{this is not json", "INVALID_JSON"),
    ]


def stdio_attacks(mini: Path, answer_within_s: float = 5.0) -> tuple[int, list[str], float]:
    """Send each request to a `python -m eros.tools` subprocess; each must be answered in time
    with its code (or, at the limits, with the tool's own answer). Returns the slowest answer."""
    env = {
        **os.environ,
        "EROS_DB_PATH": str(mini),
        "EROS_DB_URL": "",
        "EROS_NOW": NOW,
        "EROS_SIGNING_KEY": "attack",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "eros.tools"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert server.stdin is not None and server.stdout is not None
    wrong: list[str] = []
    slowest = 0.0
    try:
        hello = {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "attack", "version": "1"},
        }
        server.stdin.write(
            json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": hello}).encode() + b"\n"
        )
        server.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
        server.stdin.flush()
        server.stdout.readline()
        for what, line, expected in stdio_requests():
            started = time.monotonic()
            server.stdin.write(line + b"\n")
            server.stdin.flush()
            answer = json.loads(server.stdout.readline() or b"null")
            took = time.monotonic() - started
            slowest = max(slowest, took)
            code = (
                ((answer or {}).get("error") or {}).get("data", {}).get("error_code")
                if isinstance(answer, dict)
                else None
            )
            if code != expected or took > answer_within_s:
                wrong.append(f"{what}: {code} in {took:.2f} s, expected {expected}")
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    return len(stdio_requests()), wrong, slowest


# --- the table --------------------------------------------------------------------------------


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="eros-attack-") as name:
        root = Path(name)
        template = healthy_template(root)
        csv = root / "creators.csv"
        csv.write_text("creator_id,page_name\nc1,attack\n", encoding="utf-8")
        outcomes = [(run_command(argv, fault, template, csv), fault) for argv, fault in command_cases()]
        mini = mini_database(root)
        tool_tries, tool_internal = tool_attacks(mini)
        fault_tries, fault_wrong = tool_fault_attacks(template)
        stdio_tries, stdio_wrong, slowest = stdio_attacks(mini)
    failures = [(o, command_failures(o, f)) for o, f in outcomes]
    rows = [
        ("command runs on a broken database", len(outcomes)),
        ("  command groups", len(invocations())),
        ("  faults", len(FAULTS)),
        ("  tracebacks", sum(o.traceback for o, _ in outcomes)),
        ("  files created or changed by accident", sum(bool(o.created) for o, _ in outcomes)),
        ("  uncoded or wrongly coded errors", sum(o.code != f.code for o, f in outcomes)),
        ("  wrong exit codes", sum(o.exit_code != f.exit_code for o, f in outcomes)),
        ("hostile tool arguments", tool_tries),
        ("  INTERNAL_ERROR answers", len(tool_internal)),
        ("tool calls on a broken database", fault_tries),
        ("  wrong codes", len(fault_wrong)),
        ("stdio requests past a limit or at it", stdio_tries),
        ("  unanswered, late or wrongly coded", len(stdio_wrong)),
        (
            f"  slowest answer (ms, limit {MAX_REQUEST_BYTES} B / {MAX_JSON_DEPTH} deep)",
            round(slowest * 1000),
        ),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"{'attack':<{width}}  count")
    for label, count in rows:
        print(f"{label:<{width}}  {count}")
    print(f"({time.monotonic() - started:.0f} s)")
    for outcome, problems in failures:
        if problems:
            print(f"FAIL eros {' '.join(outcome.argv)} on {outcome.fault}: {'; '.join(problems)}")
    for line in (*tool_internal, *fault_wrong, *stdio_wrong):
        print(f"FAIL {line}")
    bad = any(p for _, p in failures) or tool_internal or fault_wrong or stdio_wrong
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
