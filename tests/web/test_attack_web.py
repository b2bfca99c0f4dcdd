"""`attacks/web.py` runs and gets nothing through; the body limit holds at its boundary."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import bearer

from eros.access import Role
from eros.tools.stdio import MAX_REQUEST_BYTES
from support import load_attack


def test_the_web_attacks_get_nothing_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EROS_SIGNING_KEY", "EROS_SIGNING_KEY_FILE", "EROS_DB_URL", "EROS_MCP_TRANSPORT"):
        monkeypatch.delenv(name, raising=False)
    attacks = load_attack("web")
    report, shown = attacks.run_attacks(tmp_path)
    assert len(report.rows) >= 60
    assert (report.through, report.server_errors, shown) == ([], [], [])


def _body(size: int) -> bytes:
    """A validate request of exactly `size` bytes (padded with JSON whitespace)."""
    document = json.dumps({"creator": "alexia", "week_start": "2026-01-05", "items": []}).encode()
    return document[:-1] + b" " * (size - len(document)) + b"}"


@pytest.mark.parametrize(("size", "too_large"), [(MAX_REQUEST_BYTES, False), (MAX_REQUEST_BYTES + 1, True)])
def test_a_body_over_the_limit_is_413_and_one_at_it_is_read(
    client: TestClient, tokens: dict[Role, str], size: int, too_large: bool
) -> None:
    headers = {**bearer(tokens[Role.SCHEDULER]), "Content-Type": "application/json"}
    answer = client.post("/api/v1/schedules/validate", content=_body(size), headers=headers)
    assert (answer.status_code == 413) is too_large, answer.text[:200]
    if too_large:
        assert answer.json()["error_code"] == "PAYLOAD_TOO_LARGE"


def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(
    client: TestClient, tokens: dict[Role, str]
) -> None:
    def chunks() -> Iterator[bytes]:
        body = _body(MAX_REQUEST_BYTES + 1)
        for start in range(0, len(body), 1 << 20):
            yield body[start : start + (1 << 20)]

    headers = {**bearer(tokens[Role.SCHEDULER]), "Content-Type": "application/json"}
    answer = client.post("/api/v1/schedules/validate", content=chunks(), headers=headers)
    assert answer.status_code == 413 and answer.json()["error_code"] == "PAYLOAD_TOO_LARGE"
