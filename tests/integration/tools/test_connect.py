"""connect_client honours EROS_MCP_TRANSPORT; ProductionMCPClient() alone uses the configured database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eros.adapters import ProductionMCPClient
from eros.bootstrap import bootstrap, connect_client
from eros.config import load_settings
from eros.errors import ConfigError
from eros.infra.mcp_clients import InProcessClient, StdioClient

NOW = "2026-01-04T12:00:00Z"


def settings_for(path: Path, transport: str) -> dict[str, str]:
    return {"EROS_DB_PATH": str(path), "EROS_NOW": NOW, "EROS_MCP_TRANSPORT": transport}


def test_transport_selection(sample_db_path: Path) -> None:
    inprocess = connect_client(bootstrap(load_settings(settings_for(sample_db_path, "inprocess"))))
    stdio = connect_client(bootstrap(load_settings(settings_for(sample_db_path, "STDIO"))))
    assert isinstance(inprocess, InProcessClient)
    assert isinstance(stdio, StdioClient) and stdio.params.env is not None
    assert stdio.params.env["EROS_DB_PATH"] == str(sample_db_path)
    with pytest.raises(ConfigError) as caught:
        connect_client(bootstrap(load_settings(settings_for(sample_db_path, "carrier-pigeon"))))
    assert caught.value.code == "INVALID_TRANSPORT"


async def test_runbook_health_check_with_no_arguments(
    sample_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "eros.db"
    shutil.copyfile(sample_db_path, target)
    for key, value in settings_for(target, "inprocess").items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("EROS_DB_URL", raising=False)
    client = ProductionMCPClient()
    answer = await client.get_active_creators(limit=1)
    assert answer["count"] == 1 and answer["total_count"] == 37
    assert client.calls == 1 and client.tools.calls == 1
