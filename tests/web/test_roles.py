"""The role × endpoint matrix: every state-changing route refuses anonymous callers (401) and every
role below its own (403), read from the app's routes so a new route cannot slip through."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from tests.web.conftest import bearer

from eros.access import Role
from eros.bootstrap import Container
from eros.web.api import creators, flags, learnings, ops, rollout, schedules, status, users
from eros.web.app import create_app

API_MODULES = (status, creators, schedules, flags, ops, rollout, learnings, users)
API_PREFIX = "/api/v1"
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
#: Routes anyone may call: logging in and out.
PUBLIC = {("POST", "/api/v1/session"), ("DELETE", "/api/v1/session")}


def required_role(route: APIRoute) -> Role | None:
    for dependency in route.dependant.dependencies:
        role = getattr(dependency.call, "required_role", None)
        if isinstance(role, Role):
            return role
    return None


def matrix(container: Container) -> list[tuple[str, str, Role]]:
    """(method, path, role) of every state-changing API route; the OpenAPI document (every route
    the app serves) must list no other state-changing operation but the public ones."""
    rows = []
    for module in API_MODULES:
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            for method in sorted(route.methods & STATE_CHANGING):
                role = required_role(route)
                assert role is not None, f"{method} {route.path} changes state without a role check"
                rows.append((method, API_PREFIX + route.path, role))
    served = {
        (method.upper(), path)
        for path, operations in create_app(container).openapi()["paths"].items()
        for method in operations
        if method.upper() in STATE_CHANGING
    }
    assert served - PUBLIC == {(method, path) for method, path, _ in rows}
    return rows


def test_every_state_changing_route_refuses_anonymous_and_lower_roles(
    client: TestClient, container: Container, tokens: dict[Role, str]
) -> None:
    rows = matrix(container)
    checks = 0
    for method, path, role in rows:
        url = re.sub(r"\{[^}]+\}", "1", path)
        anonymous = client.request(method, url, json={})
        assert anonymous.status_code == 401, (method, path, anonymous.text)
        checks += 1
        for lower in (r for r in Role if r.rank < role.rank):
            answer = client.request(method, url, json={}, headers=bearer(tokens[lower]))
            assert answer.status_code == 403, (method, path, lower, answer.text)
            assert answer.json()["error_code"] == "FORBIDDEN"
            checks += 1
    print(f"role matrix: {len(rows)} state-changing endpoints, {checks} refusals checked")
    assert len(rows) >= 15


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/api/v1/schedules/validate", Role.SCHEDULER),
        ("/api/v1/rollback", Role.OPERATOR),
        ("/api/v1/alerts/{alert_id}/acknowledge", Role.OPERATOR),
        ("/api/v1/users", Role.ADMIN),
        ("/api/v1/users/{name}/disable", Role.ADMIN),
        ("/api/v1/users/{name}/enable", Role.ADMIN),
        ("/api/v1/tokens", Role.ADMIN),
        ("/api/v1/tokens/{name}/revoke", Role.ADMIN),
    ],
)
def test_the_matrix_reads_the_roles_the_routes_declare(container: Container, path: str, role: Role) -> None:
    assert ("POST", path, role) in matrix(container)
