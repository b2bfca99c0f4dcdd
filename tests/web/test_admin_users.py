"""Admins manage users and tokens through the API and the /admin/users page: the CLI's rules, every
change in the access audit with the acting admin, no hash in any answer, the token shown once."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.conftest import bearer, login

from eros.access import Role
from eros.bootstrap import Container
from eros.db.schema import access_audit
from eros.web.app import create_app

NEW_PASSWORD = "carol's long password"


@pytest.fixture
def admin(tokens: dict[Role, str]) -> dict[str, str]:
    return bearer(tokens[Role.ADMIN])


def _audit(container: Container) -> list[tuple[str, str, str]]:
    with container.engine.connect() as conn:
        query = select(access_audit.c.actor, access_audit.c.action, access_audit.c.subject).where(
            access_audit.c.actor == "admin-token"
        )
        return [(r.actor, r.action, r.subject) for r in conn.execute(query.order_by(access_audit.c.id))]


def test_an_admin_adds_disables_enables_users_and_it_is_audited(
    client: TestClient, container: Container, admin: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    added = client.post(
        "/api/v1/users", json={"name": "carol", "role": "scheduler", "password": NEW_PASSWORD}, headers=admin
    )
    assert added.status_code == 200, added.text
    assert added.json() == {"name": "carol", "role": "scheduler", "disabled": False}
    listed = client.get("/api/v1/users", headers=admin).json()["users"]
    assert {"name": "carol", "role": "scheduler", "disabled": False}.items() <= next(
        u for u in listed if u["name"] == "carol"
    ).items()
    assert "password_hash" not in listed[0]

    with TestClient(create_app(container), base_url="http://127.0.0.1") as carol:
        login(carol, "carol", NEW_PASSWORD)
        assert client.post("/api/v1/users/carol/disable", headers=admin).json() == {
            "name": "carol",
            "disabled": True,
        }
        assert carol.get("/api/v1/status").status_code == 401  # her open session ends
    assert client.post("/api/v1/users/carol/enable", headers=admin).status_code == 200

    again = client.post(
        "/api/v1/users", json={"name": "carol", "role": "viewer", "password": NEW_PASSWORD}, headers=admin
    )
    assert (again.status_code, again.json()["error_code"]) == (409, "USER_EXISTS")
    weak = client.post(
        "/api/v1/users", json={"name": "dave", "role": "viewer", "password": "elevenchars"}, headers=admin
    )
    assert (weak.status_code, weak.json()["error_code"]) == (400, "WEAK_PASSWORD")
    assert (
        client.post(
            "/api/v1/users",
            json={"name": "dave", "role": "viewer", "password": "twelve chars"},
            headers=admin,
        ).status_code
        == 200
    )
    bad_role = client.post(
        "/api/v1/users", json={"name": "erin", "role": "boss", "password": NEW_PASSWORD}, headers=admin
    )
    assert bad_role.status_code == 422
    unknown = client.post("/api/v1/users/nobody/disable", headers=admin)
    assert (unknown.status_code, unknown.json()["error_code"]) == (404, "USER_NOT_FOUND")

    assert _audit(container) == [
        ("admin-token", "user_add", "carol"),
        ("admin-token", "user_disable", "carol"),
        ("admin-token", "user_enable", "carol"),
        ("admin-token", "user_add", "dave"),
    ]
    assert NEW_PASSWORD not in caplog.text and "twelve chars" not in caplog.text
    assert NEW_PASSWORD not in again.text + weak.text + bad_role.text


def test_an_admin_creates_a_token_shown_once_and_revokes_it(
    client: TestClient, container: Container, admin: dict[str, str]
) -> None:
    made = client.post("/api/v1/tokens", json={"name": "ci", "role": "operator"}, headers=admin)
    assert made.status_code == 200, made.text
    token = made.json()["token"]
    assert token.startswith("eros_") and made.json()["role"] == "operator"
    assert client.get("/api/v1/flags", headers=bearer(token)).status_code == 200
    listed = client.get("/api/v1/tokens", headers=admin)
    assert token not in listed.text and "token_hash" not in listed.text
    assert next(t for t in listed.json()["tokens"] if t["name"] == "ci")["revoked_at"] is None

    assert client.post("/api/v1/tokens/ci/revoke", headers=admin).json() == {"name": "ci", "revoked": True}
    assert client.get("/api/v1/flags", headers=bearer(token)).status_code == 401
    twice = client.post("/api/v1/tokens/ci/revoke", headers=admin)
    assert (twice.status_code, twice.json()["error_code"]) == (404, "TOKEN_NOT_FOUND")
    taken = client.post("/api/v1/tokens", json={"name": "ci", "role": "viewer"}, headers=admin)
    assert (taken.status_code, taken.json()["error_code"]) == (409, "TOKEN_EXISTS")
    assert _audit(container) == [("admin-token", "token_create", "ci"), ("admin-token", "token_revoke", "ci")]


def test_the_admin_page_lists_users_and_tokens_for_admins_only(client: TestClient) -> None:
    assert client.get("/admin/users", follow_redirects=False).status_code == 303
    login(client, "operator")
    refused = client.get("/admin/users")
    assert (refused.status_code, refused.json()["error_code"]) == (403, "FORBIDDEN")
    assert 'href="/admin/users"' not in client.get("/dashboard").text
    login(client, "admin")
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert 'data-user-disable="viewer"' in page.text and 'data-user-disable="admin"' not in page.text
    assert 'data-token-revoke="operator-token"' in page.text
    assert '<script src="/static/admin.js" defer></script>' in page.text and "<script>" not in page.text
    assert 'href="/admin/users" aria-current="page"' in page.text
