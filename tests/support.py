"""Helpers several test modules share (importable as `support`: pytest puts tests/ on the path)."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Connection, Engine
from typer.testing import CliRunner, Result

import databases
from eros.cli.app import _register, app
from eros.clock import Clock
from eros.db.unit_of_work import SqlUnitOfWork
from eros.errors import ErosError, TransportError
from eros.ports import ToolClient
from eros.tools.env import ToolEnv

#: The rollout flags a test must not inherit from the developer's shell.
FLAG_VARIABLES = (
    "EROS_DB_URL",
    "EROS_V5_ENABLED",
    "EROS_V5_SHADOW_MODE",
    "EROS_V5_PERCENTAGE",
    "EROS_V5_CREATORS",
    "EROS_V5_TIMEOUT_S",
    "EROS_LOG_FILE",
    "EROS_LOG_FORMAT",
)


#: The variables that say which database (and key file) a CLI run uses.
DATABASE_VARIABLES = ("EROS_DB_URL", "EROS_DB_PATH", "EROS_SIGNING_KEY_FILE")


def database_env(engine: Engine) -> dict[str, str]:
    """What points a CLI run at `engine`'s database: the SQLite file, or the server database's URL
    with a key file of its own (a database that is not a file keeps no key beside it)."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "sqlite":
        return {"EROS_DB_PATH": str(engine.url.database)}
    return {"EROS_DB_URL": url, "EROS_SIGNING_KEY_FILE": str(databases.signing_key_file(url))}


def subprocess_env(engine: Engine, **extra: str) -> dict[str, str]:
    """This process's environment for an `eros` subprocess over `engine`'s database."""
    env = {k: v for k, v in os.environ.items() if k not in DATABASE_VARIABLES}
    return {**env, **database_env(engine), **extra}


def use_database(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> None:
    """Point in-process CLI runs at `engine`'s database for this test."""
    for key in DATABASE_VARIABLES:
        monkeypatch.delenv(key, raising=False)
    for key, value in database_env(engine).items():
        monkeypatch.setenv(key, value)


def clear_flag_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset the flag variables, recorded first: what a rollback writes there is undone after the test."""
    for key in FLAG_VARIABLES:
        monkeypatch.setenv(key, "")
        monkeypatch.delenv(key)


def cli(*args: str) -> Result:
    """`eros ARGS…` in-process."""
    _register()
    return CliRunner().invoke(app, list(args))


def cli_ok(*args: str) -> str:
    """`eros ARGS…`, which must exit 0; its output."""
    result = cli(*args)
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    return result.output


def cli_error_code(*args: str) -> str:
    """`eros ARGS…`, which must fail with an ErosError; its code."""
    result = cli(*args)
    assert isinstance(result.exception, ErosError), f"{result.output}\n{result.exception!r}"
    return result.exception.code


class FailingTool:
    """The real client, except that one tool always fails as if its server were down."""

    def __init__(self, inner: ToolClient, failing: str) -> None:
        self.inner, self.failing = inner, failing
        self.calls = 0

    async def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        self.calls += 1
        if name == self.failing:
            raise TransportError(f"{name} is down")
        return await self.inner.call_tool(name, arguments)


def tool_env(engine: Engine, clock: Clock, signing_key: bytes) -> ToolEnv:
    """The tools over a test's own database (what `eros.bootstrap.tool_env` wires for an installation)."""
    return ToolEnv(partial(SqlUnitOfWork, engine), clock, signing_key)


@contextmanager
def reading(env: ToolEnv) -> Iterator[Connection]:
    """The connection of one of `env`'s units of work, for a test's own queries (nothing is committed)."""
    with env.uow() as uow:
        yield uow.connection


ATTACKS = Path(__file__).resolve().parents[1] / "attacks"


def load_attack(name: str) -> ModuleType:
    """`attacks/<name>.py` as a module (registered, so its dataclasses resolve their annotations)."""
    spec = importlib.util.spec_from_file_location(f"attack_{name}", ATTACKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
