"""The web app over a private copy of the sample, with one user and one API token per role."""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.conftest import NOW

from eros.access import Role
from eros.bootstrap import Container, bootstrap
from eros.clock import FixedClock, parse_instant
from eros.config import load_settings
from eros.db.engine import make_engine
from eros.services.auth import add_user, create_token
from eros.web.app import create_app

TEST_SIGNING_KEY = "web-test-signing-key-not-secret"
PASSWORD = "a long test password"


@dataclass(frozen=True)
class Seeded:
    path: Path
    tokens: dict[Role, str]


@pytest.fixture(scope="session")
def seeded_db(sample_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """The sample with a user `<role>` (password PASSWORD) and a token per role, made once."""
    path = tmp_path_factory.mktemp("web") / "eros.db"
    shutil.copyfile(sample_db_path, path)
    engine = make_engine(f"sqlite:///{path}")
    container = bootstrap(
        load_settings({"EROS_DB_PATH": str(path), "EROS_SIGNING_KEY": TEST_SIGNING_KEY}),
        clock=FixedClock(parse_instant(NOW)),
        engine=engine,
    )
    tokens = {}
    for role in Role:
        add_user(container.uow, container.clock, role.value, role, PASSWORD, by="fixture")
        tokens[role] = create_token(container.uow, container.clock, f"{role.value}-token", role, by="fixture")
    engine.dispose()
    return Seeded(path, tokens)


@pytest.fixture
def web_db(seeded_db: Seeded, tmp_path: Path) -> Iterator[Engine]:
    target = tmp_path / "eros.db"
    shutil.copyfile(seeded_db.path, target)
    engine = make_engine(f"sqlite:///{target}")
    yield engine
    engine.dispose()


@pytest.fixture
def container(web_db: Engine, clock: FixedClock, tmp_path: Path) -> Container:
    environ = {
        "EROS_DB_PATH": str(tmp_path / "eros.db"),
        "EROS_SIGNING_KEY": TEST_SIGNING_KEY,
        "EROS_LEARNINGS_PATH": str(tmp_path / "LEARNINGS.md"),
    }
    return bootstrap(load_settings(environ), clock=clock, engine=web_db)


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def tokens(seeded_db: Seeded) -> dict[Role, str]:
    return seeded_db.tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log `name` in through the form; the session's CSRF token."""
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match is not None
    answer = client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": match.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    token = client.get("/api/v1/session").json()["csrf_token"]
    assert isinstance(token, str)
    return token


def moved_to_a_free_hour(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The week with its first non-follow-up send moved to an hour the week did not use (a
    person's edit: a new revision and a user signal)."""
    moved = copy.deepcopy(items)
    used = {item["scheduled_time"][:2] for item in moved}
    free = next(f"{h:02d}" for h in range(24) if f"{h:02d}" not in used)
    target = next(i for i, item in enumerate(moved) if not item.get("is_follow_up"))
    moved[target]["scheduled_time"] = f"{free}:10"
    return moved


@pytest.fixture
def configured(web_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """`eros` commands in this process over the test's database (`eros.cli.app.run`)."""
    monkeypatch.setenv("EROS_DB_PATH", str(tmp_path / "eros.db"))
    monkeypatch.setenv("EROS_SIGNING_KEY", "cli-test-key")
    return web_db
