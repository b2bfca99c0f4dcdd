"""Logging in and out, sessions, CSRF, bearer tokens and the failed-login limit, through the app."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, bearer, login

from eros.access import Role
from eros.bootstrap import Container
from eros.services.auth import MAX_FAILED_LOGINS


def test_anonymous_callers_get_401_with_the_code(client: TestClient) -> None:
    answer = client.get("/api/v1/status")
    assert answer.status_code == 401
    assert answer.json()["error_code"] == "AUTH_REQUIRED"


def test_a_logged_in_person_reads_and_writes_with_the_session_token(client: TestClient) -> None:
    csrf = login(client, "operator")
    assert client.get("/api/v1/status").status_code == 200
    change = {"value": "10", "reason": "canary"}
    refused = client.put("/api/v1/flags/v5_percentage", json=change)
    assert refused.status_code == 403 and refused.json()["error_code"] == "CSRF_FAILED"
    wrong = client.put("/api/v1/flags/v5_percentage", json=change, headers={"X-CSRF-Token": csrf + "x"})
    assert wrong.status_code == 403
    done = client.put("/api/v1/flags/v5_percentage", json=change, headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200 and done.json()["by"] == "operator"


def test_a_bearer_token_needs_no_csrf_and_a_bad_one_is_refused(
    client: TestClient, tokens: dict[Role, str]
) -> None:
    change = {"value": "10", "reason": "canary"}
    done = client.put("/api/v1/flags/v5_percentage", json=change, headers=bearer(tokens[Role.OPERATOR]))
    assert done.status_code == 200 and done.json()["by"] == "operator-token"
    bad = client.get("/api/v1/status", headers=bearer(tokens[Role.OPERATOR] + "x"))
    assert bad.status_code == 401 and bad.json()["error_code"] == "TOKEN_INVALID"


def test_the_login_form_without_its_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    answer = client.post("/login", data={"username": "viewer", "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 403 and answer.json()["error_code"] == "CSRF_FAILED"


def test_the_sixth_failed_login_within_the_window_is_refused_even_with_the_right_password(
    client: TestClient, container: Container
) -> None:
    csrf = client.get("/api/v1/session").json()["csrf_token"]
    headers = {"X-CSRF-Token": csrf}
    for _ in range(MAX_FAILED_LOGINS):
        wrong = client.post(
            "/api/v1/session", json={"username": "viewer", "password": "wrong"}, headers=headers
        )
        assert wrong.status_code == 401 and wrong.json()["error_code"] == "LOGIN_FAILED"
    limited = client.post(
        "/api/v1/session", json={"username": "viewer", "password": PASSWORD}, headers=headers
    )
    assert limited.status_code == 429 and limited.json()["error_code"] == "LOGIN_RATE_LIMITED"


def test_a_refused_login_form_comes_back_to_the_login_page_saying_why(client: TestClient) -> None:
    form = client.get("/login?next=/dashboard")
    match = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert match is not None
    fields = {"username": "viewer", "csrf_token": match.group(1), "next": "/dashboard"}
    wrong = client.post("/login", data={**fields, "password": "wrong"}, follow_redirects=False)
    assert wrong.status_code == 303
    assert wrong.headers["location"] == "/login?error=LOGIN_FAILED&next=%2Fdashboard"
    assert "Wrong user name or password." in client.get(wrong.headers["location"]).text
    assert "call this number" not in client.get("/login?error=call+this+number").text
    elsewhere = client.post(
        "/login", data={**fields, "password": PASSWORD, "next": "//evil.example/"}, follow_redirects=False
    )
    assert (elsewhere.status_code, elsewhere.headers["location"]) == (303, "/")
    fields["csrf_token"] = client.get("/api/v1/session").json()["csrf_token"]  # a new session, a new token
    back = client.post("/login", data={**fields, "password": PASSWORD}, follow_redirects=False)
    assert (back.status_code, back.headers["location"]) == (303, "/dashboard")
