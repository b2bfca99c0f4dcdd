"""Acknowledging an alert: by an operator, once (a second acknowledgement answers the first), shown
in the API list, the dashboard and `eros alerts list`; an unknown id is a coded 404."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.web.conftest import bearer, login

from eros.access import Role
from eros.bootstrap import Container
from eros.cli.app import run


def _raise(container: Container) -> int:
    """A stored, open alert (as the monitor raises one)."""
    with container.uow() as uow:
        alert_id = uow.ops.insert_alert(
            code="V5_SUCCESS_CRITICAL",
            severity="CRITICAL",
            message="v5 success rate below 85%",
            episode_key="ack-test",
            at="2026-01-05T10:00:00Z",
            metrics=None,
        )
        uow.commit()
    return alert_id


def test_an_operator_acknowledges_once_and_the_first_acknowledgement_stays(
    client: TestClient, container: Container, tokens: dict[Role, str]
) -> None:
    alert_id = _raise(container)
    url = f"/api/v1/alerts/{alert_id}/acknowledge"
    first = client.post(url, headers=bearer(tokens[Role.OPERATOR]))
    assert first.status_code == 200, first.text
    acknowledged = first.json()
    assert acknowledged["acknowledged_by"] == "operator-token"
    assert acknowledged["acknowledged_at"] == container.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    again = client.post(url, headers=bearer(tokens[Role.ADMIN]))
    assert again.status_code == 200
    assert (again.json()["acknowledged_by"], again.json()["acknowledged_at"]) == (
        "operator-token",
        acknowledged["acknowledged_at"],
    )
    listed = client.get("/api/v1/alerts", headers=bearer(tokens[Role.VIEWER])).json()["alerts"]
    row = next(a for a in listed if a["id"] == alert_id)
    assert row["acknowledged_by"] == "operator-token"
    assert row["resolved_at"] is None  # acknowledged is not resolved: the episode stays open


def test_an_unknown_alert_is_a_coded_404_and_a_scheduler_is_refused(
    client: TestClient, container: Container, tokens: dict[Role, str]
) -> None:
    missing = client.post("/api/v1/alerts/999999/acknowledge", headers=bearer(tokens[Role.OPERATOR]))
    assert missing.status_code == 404
    assert missing.json()["error_code"] == "ALERT_NOT_FOUND"
    refused = client.post(
        f"/api/v1/alerts/{_raise(container)}/acknowledge", headers=bearer(tokens[Role.SCHEDULER])
    )
    assert refused.status_code == 403


def test_the_dashboard_offers_acknowledge_to_operators_and_then_shows_who(
    client: TestClient, container: Container, tokens: dict[Role, str]
) -> None:
    alert_id = _raise(container)
    login(client, "viewer")
    assert f'data-alert-id="{alert_id}"' not in client.get("/dashboard").text
    login(client, "operator")
    page = client.get("/dashboard").text
    assert f'<button type="button" class="alert-ack" data-alert-id="{alert_id}">Acknowledge</button>' in page
    client.post(f"/api/v1/alerts/{alert_id}/acknowledge", headers=bearer(tokens[Role.ADMIN]))
    page = client.get("/dashboard").text
    assert f'data-alert-id="{alert_id}"' not in page
    assert "admin-token · " in page


def test_eros_alerts_ack_records_the_name_and_alerts_list_shows_it(
    configured: Engine, container: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    alert_id = _raise(container)
    assert run(["alerts", "ack", str(alert_id), "--by", "oncall-olga"]) == 0
    assert f"alert {alert_id} (V5_SUCCESS_CRITICAL) acknowledged by oncall-olga" in capsys.readouterr().out
    assert run(["alerts", "ack", str(alert_id), "--by", "someone-else"]) == 0
    assert "acknowledged by oncall-olga" in capsys.readouterr().out
    assert run(["alerts", "list", "--json"]) == 0
    assert '"acknowledged_by": "oncall-olga"' in capsys.readouterr().out
    assert run(["alerts", "ack", "999999", "--by", "x"]) == 2
    assert "error [ALERT_NOT_FOUND]" in capsys.readouterr().err
