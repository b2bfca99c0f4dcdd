"""Every API endpoint through the ASGI app, on a private copy of the sample (bearer tokens)."""

from __future__ import annotations

import copy
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.conftest import bearer, moved_to_a_free_hour

from eros.access import Role
from eros.bootstrap import Container
from eros.db.schema import flag_audit, learning_signals, rollback_events
from eros.services.reflect import capture
from eros.services.rollback import RESTORE_CONFIRMATION

WEEK = "2026-01-05"


@pytest.fixture
def viewer(tokens: dict[Role, str]) -> dict[str, str]:
    return bearer(tokens[Role.VIEWER])


@pytest.fixture
def scheduler(tokens: dict[Role, str]) -> dict[str, str]:
    return bearer(tokens[Role.SCHEDULER])


@pytest.fixture
def operator(tokens: dict[Role, str]) -> dict[str, str]:
    return bearer(tokens[Role.OPERATOR])


def test_health_ready_metrics_and_openapi_answer(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert "eros_pipeline_success_ratio" in client.get("/metrics").text
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/schedules/{schedule_id}/edit" in paths


def test_readyz_is_503_with_a_code_when_the_database_is_behind(
    client: TestClient, container: Container
) -> None:
    with container.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0002'")
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json()["error_code"] == "DATABASE_NOT_MIGRATED"


def test_status_shows_health_slo_thresholds_phase_and_rollback_state(
    client: TestClient, viewer: dict[str, str]
) -> None:
    status = client.get("/api/v1/status", headers=viewer).json()
    assert status["health"] == "healthy"
    assert status["slo"]["thresholds"]["rollback_success_below"] == 0.85
    assert status["rollout"]["phase_name"] == "not_started"
    assert status["rollback_state"] == "active"
    assert status["flags"]["flags"]["EROS_V5_PERCENTAGE"]["source"] == "default"


def test_roster_and_profile_with_avoid_rankings(client: TestClient, viewer: dict[str, str]) -> None:
    roster = client.get("/api/v1/creators", headers=viewer).json()
    assert roster["count"] == 37 and roster["week_start"] == WEEK
    alexia = next(row for row in roster["creators"] if row["page_name"] == "alexia")
    assert alexia["status"] == "not_generated" and alexia["tier"]
    profile = client.get("/api/v1/creators/alexia", headers=viewer).json()
    assert {
        "allowed_content_types",
        "content_rankings",
        "persona",
        "health",
        "volume_config",
        "triggers",
    } <= set(profile)
    assert "avoid_types" in json.dumps(profile["content_rankings"]) or "AVOID" in json.dumps(profile)
    missing = client.get("/api/v1/creators/nobody", headers=viewer)
    assert missing.status_code == 404 and missing.json()["error_code"] == "CREATOR_NOT_FOUND"


def test_a_week_from_generation_to_completion(
    client: TestClient, container: Container, scheduler: dict[str, str], viewer: dict[str, str]
) -> None:
    made = client.post(
        "/api/v1/schedules/generate", json={"creator": "alexia", "week_start": WEEK}, headers=scheduler
    )
    assert made.status_code == 200, made.text
    schedule_id = made.json()["schedule_id"]
    assert made.json()["success"] and schedule_id is not None
    week = client.get(f"/api/v1/schedules/{schedule_id}", headers=viewer).json()
    assert week["items"] and week["revision"] == 1

    # a proposed edit is judged without being saved
    broken = copy.deepcopy(week["items"])
    broken[0]["scheduled_time"] = "03:00"
    broken[1]["scheduled_date"] = broken[0]["scheduled_date"]
    broken[1]["scheduled_time"] = "03:00"
    judged = client.post(
        "/api/v1/schedules/validate",
        json={"creator": "alexia", "week_start": WEEK, "items": broken},
        headers=scheduler,
    ).json()
    assert judged["status"] in {"REJECTED", "NEEDS_REVIEW", "APPROVED"} and judged["components"]
    assert client.get(f"/api/v1/schedules/{schedule_id}", headers=viewer).json()["revision"] == 1

    # a person moves one send to an hour the week did not use: a new revision, re-validated
    moved = moved_to_a_free_hour(week["items"])
    saved = client.post(
        f"/api/v1/schedules/{schedule_id}/edit",
        json={"items": moved, "expected_revision": 1},
        headers=scheduler,
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["revision"] == 2 and body["validation"]["components"]
    assert body["status"] == ("approved" if body["validation"]["status"] == "APPROVED" else "draft")
    # the person's edit is a user signal for the learning loop, as a CLI edit is
    with container.uow() as uow:
        capture(uow.signals, container.clock.now())
        uow.commit()
    with container.engine.connect() as conn:
        sources = set(conn.execute(select(learning_signals.c.source)).scalars())
    assert "user" in sources

    stale = client.post(
        f"/api/v1/schedules/{schedule_id}/edit",
        json={"items": week["items"], "expected_revision": 1},
        headers=scheduler,
    )
    assert stale.status_code == 409 and stale.json()["error_code"] == "CONFLICT"
    with container.uow() as uow:
        newest = uow.schedules.history(schedule_id)[-1]
    assert (newest["saved_by"], newest["saved_by_kind"]) == ("scheduler-token", "person")

    # generation now refuses to overwrite the person's week
    again = client.post(
        "/api/v1/schedules/generate", json={"creator": "alexia", "week_start": WEEK}, headers=scheduler
    )
    assert again.status_code == 409 and again.json()["error_code"] == "SCHEDULE_EDITED"

    revisions = client.get(f"/api/v1/schedules/{schedule_id}/revisions", headers=viewer).json()["revisions"]
    assert [r["revision"] for r in revisions] == [1, 2]
    restored = client.post(
        f"/api/v1/schedules/{schedule_id}/restore", json={"revision": 1}, headers=scheduler
    )
    assert restored.status_code == 200 and restored.json()["revision"] == 3
    current = client.post(f"/api/v1/schedules/{schedule_id}/restore", json={"revision": 3}, headers=scheduler)
    assert current.status_code == 409 and current.json()["error_code"] == "REVISION_IS_CURRENT"

    for fmt, marker in (("ics", "BEGIN:VCALENDAR"), ("csv", "scheduled_date"), ("json", '"items"')):
        exported = client.get(f"/api/v1/schedules/{schedule_id}/export?format={fmt}", headers=viewer)
        assert exported.status_code == 200 and marker in exported.text

    approved = client.post(f"/api/v1/schedules/{schedule_id}/approve", headers=scheduler)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    queued = client.post(f"/api/v1/schedules/{schedule_id}/queue", headers=scheduler)
    assert queued.status_code == 200 and queued.json()["status"] == "queued"
    locked = client.post(
        f"/api/v1/schedules/{schedule_id}/edit",
        json={"items": week["items"], "expected_revision": 4},
        headers=scheduler,
    )
    assert locked.status_code == 409 and locked.json()["error_code"] == "SCHEDULE_LOCKED"
    done = client.post(f"/api/v1/schedules/{schedule_id}/complete", headers=scheduler)
    assert done.status_code == 200 and done.json()["status"] == "completed"
    listed = client.get("/api/v1/schedules?creator=alexia", headers=viewer).json()
    assert listed["schedules"][0]["status"] == "completed"


def test_flags_route_rollback_restore_are_audited_with_the_operator(
    client: TestClient, container: Container, operator: dict[str, str], viewer: dict[str, str]
) -> None:
    changed = client.put("/api/v1/flags/v5_enabled", json={"value": "true", "reason": "go"}, headers=operator)
    assert changed.status_code == 200
    unknown = client.put("/api/v1/flags/nonsense", json={"value": "1", "reason": "x"}, headers=operator)
    assert unknown.status_code in (400, 404) and unknown.json()["error_code"] == "UNKNOWN_FLAG"
    read = client.get("/api/v1/flags", headers=viewer).json()
    assert read["flags"]["EROS_V5_ENABLED"] == {"value": True, "source": "override"}
    removed = client.post("/api/v1/flags/v5_enabled/unset", json={"reason": "back"}, headers=operator)
    assert removed.json()["old"] == "true"
    route = client.get("/api/v1/route/alexia", headers=viewer).json()
    assert route["pipeline"] in {"v4", "v5", "shadow"} and route["reason"]

    rolled = client.post("/api/v1/rollback", json={"reason": "drill"}, headers=operator)
    assert rolled.status_code == 200 and rolled.json()["state_after"] == "disabled"
    assert client.get("/api/v1/route/alexia", headers=viewer).json()["pipeline"] == "v4"
    refused = client.post("/api/v1/rollback/restore", json={"confirm": "yes"}, headers=operator)
    assert refused.status_code == 422 and refused.json()["error_code"] == "RESTORE_NOT_CONFIRMED"
    restored = client.post(
        "/api/v1/rollback/restore", json={"confirm": RESTORE_CONFIRMATION}, headers=operator
    )
    assert restored.status_code == 200 and restored.json()["state_after"] == "active"
    history = client.get("/api/v1/rollback/history", headers=viewer).json()["events"]
    assert [e["action"] for e in history][:2] == ["restore", "rollback"]
    with container.engine.connect() as conn:
        actors = set(conn.execute(select(flag_audit.c.actor)).scalars())
        initiators = set(conn.execute(select(rollback_events.c.initiator)).scalars())
    assert actors == {"operator-token"} and initiators == {"operator-token"}
    alerts = client.get("/api/v1/alerts", headers=viewer).json()["alerts"]
    assert any(a["code"] for a in alerts)


def test_rollout_shadow_and_learnings_read_and_refuse_coded(
    client: TestClient, operator: dict[str, str], viewer: dict[str, str]
) -> None:
    rollout = client.get("/api/v1/rollout", headers=viewer).json()
    assert rollout["phase"] is None and len(rollout["phases"]) >= 5
    assert isinstance(client.get("/api/v1/rollout/report", headers=viewer).json()["final_validation"], list)
    not_started = client.post("/api/v1/rollout/hold", json={"reason": "wait"}, headers=operator)
    assert not_started.status_code == 409 and not_started.json()["error_code"] == "ROLLOUT_NOT_STARTED"
    shadow = client.get("/api/v1/shadow?day=2026-01-04", headers=viewer).json()
    assert shadow["day"] == "2026-01-04" and shadow["count"] == len(shadow["comparisons"])
    learnings = client.get("/api/v1/learnings", headers=viewer).json()
    assert "pending_signals" in learnings and "auto_reflect" in learnings
    proposals = client.get("/api/v1/learnings/proposals", headers=viewer).json()
    assert proposals["written"] is False
    missing = client.post("/api/v1/learnings/no-such-id/deprecate", json={"reason": "x"}, headers=operator)
    assert missing.status_code in (404, 422) and missing.json()["error_code"]


def test_a_bad_request_is_422_json_and_never_a_trace(client: TestClient, scheduler: dict[str, str]) -> None:
    answer = client.post("/api/v1/schedules/validate", content=b"{not json", headers=scheduler)
    assert answer.status_code == 422 and answer.json()["error_code"] == "VALIDATION_ERROR"
    assert "Traceback" not in answer.text
