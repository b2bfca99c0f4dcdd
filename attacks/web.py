"""Attack the web app as an outsider and as a low-privileged insider, on a throw-away sample database.

    .venv/bin/python attacks/web.py

The real FastAPI app (in process, through Starlette's test client) over a fresh sample with a
viewer and a scheduler: every state-changing operation of the OpenAPI document anonymously and
as a viewer, session writes without or with a wrong CSRF token, forged and tampered session
cookies, made-up, truncated and revoked bearer tokens, a password guessed until the limit, an
off-site `next` after login, a foreign Host on `/mcp`, oversized and malformed bodies. It prints
each attempt with its status and exits 1 if any got through, answered 5xx, or showed a secret
(the signing key, a password or token hash, a token other than the one just created).
"""

from __future__ import annotations

import base64
import json
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlalchemy import select

from eros.access import Role
from eros.bootstrap import bootstrap
from eros.clock import FixedClock, parse_instant
from eros.config import load_settings
from eros.db.engine import create_schema, make_engine
from eros.db.sample import build_sample
from eros.db.schema import api_tokens, users
from eros.services.auth import add_user, create_token, revoke_token
from eros.web.app import create_app
from eros.web.security import SESSION_COOKIE

NOW = "2026-01-04T12:00:00Z"
SIGNING_KEY = "attack-web-signing-key-0123456789"
PASSWORD = "a long attack password"
#: Keys an attacker might sign a session cookie with.
GUESSED_SECRETS = ("", "secret", "eros", "changeme", SIGNING_KEY[:8])
WRITE_METHODS = ("post", "put", "patch", "delete")


@dataclass
class Report:
    rows: list[tuple[str, int, bool]] = field(default_factory=list)

    def expect(self, attempt: str, status: int, refused: set[int]) -> None:
        self.rows.append((attempt, status, status in refused))

    @property
    def through(self) -> list[str]:
        return [attempt for attempt, _, ok in self.rows if not ok]

    @property
    def server_errors(self) -> list[str]:
        return [attempt for attempt, status, _ in self.rows if status >= 500]


def _login(client: TestClient, name: str, password: str = PASSWORD) -> tuple[int, str]:
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    token = match.group(1) if match else ""
    answer = client.post(
        "/login", data={"username": name, "password": password, "csrf_token": token}, follow_redirects=False
    )
    return answer.status_code, answer.headers.get("location", "")


def _write_operations(client: TestClient) -> list[tuple[str, str]]:
    paths = client.get("/openapi.json").json()["paths"]
    return [
        (method, re.sub(r"\{[^}]+\}", "1", path))
        for path, operations in sorted(paths.items())
        for method in operations
        if method in WRITE_METHODS
    ]


@contextmanager
def _app(directory: Path) -> Iterator[tuple[TestClient, dict[str, str], str]]:
    path = directory / "eros.db"
    engine = make_engine(f"sqlite:///{path}", create=True)
    create_schema(engine)
    build_sample(engine)
    environ = {
        "EROS_DB_PATH": str(path),
        "EROS_SIGNING_KEY": SIGNING_KEY,
        "EROS_LEARNINGS_PATH": str(directory / "LEARNINGS.md"),
    }
    container = bootstrap(load_settings(environ), clock=FixedClock(parse_instant(NOW)), engine=engine)
    tokens = {}
    for role in (Role.VIEWER, Role.SCHEDULER):
        add_user(container.uow, container.clock, role.value, role, PASSWORD, by="attack")
        tokens[role.value] = create_token(
            container.uow, container.clock, f"{role.value}-t", role, by="attack"
        )
    revoked = create_token(container.uow, container.clock, "revoked-t", Role.ADMIN, by="attack")
    revoke_token(container.uow, container.clock, "revoked-t", by="attack")
    with TestClient(create_app(container), base_url="http://127.0.0.1") as client:
        yield client, tokens, revoked
    with engine.connect() as conn:
        hashes = [*conn.execute(select(users.c.password_hash)).scalars()]
        hashes += [*conn.execute(select(api_tokens.c.token_hash)).scalars()]
    _SECRETS.extend([SIGNING_KEY, *hashes, revoked])
    engine.dispose()


_SECRETS: list[str] = []


def run_attacks(directory: Path) -> tuple[Report, list[str]]:
    """Every attempt's status, and every secret some answer showed."""
    report = Report()
    bodies: list[str] = []
    denied = {401, 403}
    with _app(directory) as (client, tokens, revoked):
        writes = _write_operations(client)
        for method, path in writes:
            if path.startswith("/api/v1/session"):
                continue  # logging in and out is for anyone
            answer = client.request(method.upper(), path, json={})
            report.expect(f"anonymous {method.upper()} {path}", answer.status_code, denied)
            answer = client.request(method.upper(), path, json={}, headers=_bearer(tokens["viewer"]))
            report.expect(f"viewer {method.upper()} {path}", answer.status_code, {403})
        for token, label in (
            ("eros_" + "0" * 43, "made-up token"),
            (tokens["scheduler"][:-1], "truncated token"),
            (revoked, "revoked admin token"),
            ("", "empty bearer"),
        ):
            answer = client.post("/api/v1/schedules/validate", json={}, headers=_bearer(token))
            report.expect(label, answer.status_code, {401})
        status, _ = _login(client, "scheduler")
        report.expect("login as scheduler (allowed)", status, {303})
        for headers, label in (({}, "no CSRF token"), ({"X-CSRF-Token": "guess"}, "wrong CSRF token")):
            answer = client.post("/api/v1/schedules/validate", json={}, headers=headers)
            report.expect(f"session write with {label}", answer.status_code, {403})
        cookie = client.cookies.get(SESSION_COOKIE) or ""
        report.expect("the genuine session (allowed)", client.get("/api/v1/status").status_code, {200})
        client.cookies.clear()
        client.cookies.set(SESSION_COOKIE, cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
        report.expect("tampered session cookie", client.get("/api/v1/status").status_code, {401})
        for secret in GUESSED_SECRETS:
            client.cookies.clear()
            client.cookies.set(SESSION_COOKIE, _forged(secret))
            report.expect(f"session signed with {secret!r}", client.get("/api/v1/status").status_code, {401})
        client.cookies.clear()
        guesses = [_login(client, "viewer", "wrong password")[1] for _ in range(6)]
        limited = 429 if "LOGIN_RATE_LIMITED" in guesses[-1] else 303
        report.expect("6th password guess", limited, {429})
        after = _login(client, "viewer")[1]
        report.expect("right password after the limit", 429 if "LOGIN_RATE_LIMITED" in after else 303, {429})
        page = client.get("/login", params={"next": "https://evil.example/"})
        match = re.search(r'name="next" value="([^"]*)"', page.text)
        report.expect(
            "off-site next after login", 400 if not match or "evil" not in match.group(1) else 200, {400}
        )
        answer = client.post(
            "/mcp", json={}, headers={**_bearer(tokens["scheduler"]), "Host": "evil.example"}
        )
        report.expect("/mcp with a foreign Host", answer.status_code, {400, 403, 421})
        big = {"creator": "alexia", "week_start": "2026-01-05", "items": [{"x": "y" * 100_000}] * 50}
        answer = client.post("/api/v1/schedules/validate", json=big, headers=_bearer(tokens["scheduler"]))
        report.expect("5 MB validate body", answer.status_code, {400, 413, 422})
        answer = client.post(
            "/api/v1/schedules/validate",
            content=b"{not json",
            headers={**_bearer(tokens["scheduler"]), "Content-Type": "application/json"},
        )
        report.expect("broken JSON", answer.status_code, {400, 422})
        for path in (
            "/api/v1/status",
            "/api/v1/creators",
            "/api/v1/flags",
            "/api/v1/tokens",
            "/api/v1/users",
        ):
            bodies.append(client.get(path, headers=_bearer(tokens["scheduler"])).text)
    shown = [secret for secret in _SECRETS if any(secret and secret in body for body in bodies)]
    return report, shown


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _forged(secret: str) -> str:
    """A session cookie claiming the admin, signed the way Starlette signs, with a guessed key."""
    payload = base64.b64encode(json.dumps({"user": "admin", "role": "admin"}).encode())
    return TimestampSigner(secret or "x").sign(payload).decode()


def main() -> int:
    with tempfile.TemporaryDirectory() as directory:
        report, shown = run_attacks(Path(directory))
    width = max(len(attempt) for attempt, _, _ in report.rows)
    for attempt, status, ok in report.rows:
        print(f"{attempt:<{width}}  {status}  {'as expected' if ok else 'GOT THROUGH'}")
    print(
        f"\n{len(report.rows)} attempts: {len(report.through)} got through, "
        f"{len(report.server_errors)} answered 5xx, {len(shown)} secrets shown"
    )
    return 1 if report.through or report.server_errors or shown else 0


if __name__ == "__main__":
    sys.exit(main())
