"""Learnings accepted or deprecated from the web name the operator in LEARNINGS.md's git commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fastapi.testclient import TestClient
from tests.web.conftest import bearer, moved_to_a_free_hour

from eros.access import Role
from eros.bootstrap import Container

WEEK = "2026-01-05"


def _last_commit(repo: Path) -> str:
    command = ["git", "log", "-1", "--format=%B"]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, check=True).stdout


def _edit_a_week(client: TestClient, scheduler: dict[str, str]) -> None:
    """A person moves one send of alexia's week: a user signal the learning loop learns from."""
    made = client.post(
        "/api/v1/schedules/generate", json={"creator": "alexia", "week_start": WEEK}, headers=scheduler
    ).json()
    week = client.get(f"/api/v1/schedules/{made['schedule_id']}", headers=scheduler).json()
    saved = client.post(
        f"/api/v1/schedules/{made['schedule_id']}/edit",
        json={"items": moved_to_a_free_hour(week["items"]), "expected_revision": 1},
        headers=scheduler,
    )
    assert saved.status_code == 200, saved.text


def test_a_web_accept_and_deprecate_commit_with_the_operators_name(
    client: TestClient, container: Container, tokens: dict[Role, str]
) -> None:
    _edit_a_week(client, bearer(tokens[Role.SCHEDULER]))
    operator = bearer(tokens[Role.OPERATOR])
    accepted = client.post("/api/v1/learnings/proposals/accept", json={}, headers=operator)
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["commit"], body
    repo = container.settings.learnings_path.parent
    message = _last_commit(repo)
    assert message.startswith("reflect(eros): add")
    assert message.rstrip().endswith("Accepted-by: operator-token")

    learning_id = body["proposals"][0]["id"]
    gone = client.post(
        f"/api/v1/learnings/{learning_id}/deprecate", json={"reason": "wrong"}, headers=operator
    )
    assert gone.status_code == 200, gone.text
    message = _last_commit(repo)
    assert f"deprecate {learning_id}" in message
    assert message.rstrip().endswith("Deprecated-by: operator-token")
    assert "Accepted-by" not in message
