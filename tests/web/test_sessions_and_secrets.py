"""Session expiry (the signed cookie's timestamp and the server's own expiry), and no secret in any
answer: not the signing key, the session secret, a password hash or a token hash."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from tests.web.conftest import TEST_SIGNING_KEY, bearer, login

from eros.access import Role
from eros.bootstrap import Container
from eros.clock import FixedClock
from eros.config import DEFAULT_SESSION_MAX_AGE_S
from eros.services.auth import set_user_disabled, token_digest
from eros.web.security import SESSION_COOKIE, session_secret


class AgedSigner(TimestampSigner):
    """Signs as if `age` seconds ago (itsdangerous reads the timestamp from the cookie)."""

    age = 0

    def get_timestamp(self) -> int:
        return super().get_timestamp() - self.age


def forged_cookie(container: Container, session: dict[str, str], age: int) -> str:
    signer = AgedSigner(session_secret(container.signing_key))
    signer.age = age
    data = base64.b64encode(json.dumps(session).encode())
    return signer.sign(data).decode()


def test_a_cookie_older_than_its_max_age_is_refused_and_one_second_younger_is_not(
    client: TestClient, container: Container
) -> None:
    login(client, "viewer")
    session = {"user": "viewer", "expires_at": "2030-01-01T00:00:00Z", "csrf_token": "t"}
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, forged_cookie(container, session, DEFAULT_SESSION_MAX_AGE_S - 1))
    assert client.get("/api/v1/status").status_code == 200
    client.cookies.set(SESSION_COOKIE, forged_cookie(container, session, DEFAULT_SESSION_MAX_AGE_S + 1))
    assert client.get("/api/v1/status").status_code == 401


def test_the_server_side_expiry_follows_the_installation_clock(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    login(client, "viewer")
    clock.advance(timedelta(seconds=DEFAULT_SESSION_MAX_AGE_S - 1))
    assert client.get("/api/v1/status").status_code == 200
    clock.advance(timedelta(seconds=1))
    answer = client.get("/api/v1/status")
    assert answer.status_code == 401 and answer.json()["error_code"] == "AUTH_REQUIRED"


def test_a_disabled_user_loses_an_open_session(client: TestClient, container: Container) -> None:
    login(client, "viewer")
    set_user_disabled(container.uow, container.clock, "viewer", True, by="admin")
    assert client.get("/api/v1/status").status_code == 401


def test_no_answer_carries_a_secret(
    client: TestClient, container: Container, tokens: dict[Role, str]
) -> None:
    with container.uow() as uow:
        hashes = [uow.users.user_credentials(role.value)["password_hash"] for role in Role]
    secrets = [
        TEST_SIGNING_KEY,
        session_secret(container.signing_key),
        *hashes,
        *(token_digest(token) for token in tokens.values()),
        *(token for name, token in tokens.items() if name is not Role.ADMIN),
    ]
    headers = bearer(tokens[Role.ADMIN])
    paths = [
        "/api/v1/status",
        "/api/v1/flags",
        "/api/v1/creators",
        "/api/v1/creators/alexia",
        "/api/v1/schedules",
        "/api/v1/rollback/history",
        "/api/v1/alerts",
        "/api/v1/rollout",
        "/api/v1/session",
        "/api/v1/users",
        "/api/v1/tokens",
        "/admin/users",
        "/metrics",
        "/readyz",
        "/openapi.json",
        "/login",
    ]
    for path in paths:
        answer = client.get(path, headers=headers)
        text = answer.text + json.dumps(dict(answer.headers))
        assert answer.status_code == 200, path
        assert not [s for s in secrets if s in text], path
