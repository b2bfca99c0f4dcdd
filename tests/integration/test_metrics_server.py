"""`eros metrics serve` answers concurrent scrapers: a half-sent request never blocks another."""

from __future__ import annotations

import socket
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import WSGIServer

import pytest
from sqlalchemy import Engine

from eros.bootstrap import bootstrap, flag_reader, pipeline_monitor
from eros.clock import FixedClock
from eros.config import load_settings
from eros.infra.prometheus import build_registry, metrics_server

#: Seconds any one step may take before the test gives up (a blocked server never answers).
PATIENCE_S = 5.0
READ_TIMEOUT_S = 1.0


@pytest.fixture
def server(empty_db: Engine, tmp_path: Path, clock: FixedClock) -> Iterator[WSGIServer]:
    container = bootstrap(load_settings({"EROS_DB_PATH": str(tmp_path / "eros.db")}), clock, engine=empty_db)
    monitor = pipeline_monitor(container)
    monitor.start_run("v5", "alexia", "2026-01-05")
    registry = build_registry(monitor, container.uow, flag_reader(container))
    with metrics_server(registry, "127.0.0.1", 0, read_timeout_s=READ_TIMEOUT_S) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        yield httpd
        httpd.shutdown()
        thread.join(PATIENCE_S)


def half_sent(port: int) -> socket.socket:
    """A scraper that sends the request line and one header, then nothing (a slowloris)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=PATIENCE_S)
    sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    return sock


def test_a_scrape_succeeds_while_half_sent_requests_hang(server: WSGIServer) -> None:
    port = server.server_address[1]
    stalled = [half_sent(port) for _ in range(5)]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=PATIENCE_S) as response:
        body = response.read().decode()
    assert response.status == 200
    assert 'eros_pipeline_in_flight{pipeline="v5"} 1.0' in body
    assert 'eros_pipeline_abandoned{pipeline="v5"} 0.0' in body
    for sock in stalled:
        sock.close()


def test_a_half_sent_request_is_closed_after_the_read_timeout(server: WSGIServer) -> None:
    sock = half_sent(server.server_address[1])
    assert sock.recv(1024) == b""  # the server hung up (read timeout 1 s) long before our 5 s patience
    sock.close()
