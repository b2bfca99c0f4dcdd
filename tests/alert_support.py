"""Helpers of the alert delivery tests (importable as `alert_support`: pytest puts tests/ on the path)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from eros.bootstrap import Container, bootstrap
from eros.clock import FixedClock, parse_instant
from eros.config import load_settings

WEBHOOK = "https://hooks.example.test/T000/B000/s3cr3t"
PAGERDUTY = "https://events.example.test/v2/enqueue"


class SinkRecorder:
    """An httpx.MockTransport handler that accepts every delivery and keeps (url, JSON body)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((str(request.url), json.loads(request.content)))
        return httpx.Response(202, json={"status": "ok"})

    def texts(self, url: str = WEBHOOK) -> list[str]:
        """The `text` of every body sent to `url` (the webhook by default), in order."""
        return [str(body["text"]) for sent_to, body in self.requests if sent_to == url]


def alerting_container(engine: Engine, tmp_path: Path, now: str) -> Container:
    """A container with every sink configured (webhook and PagerDuty), its clock fixed at `now`."""
    settings = load_settings(
        {
            "EROS_DB_PATH": str(tmp_path / "eros.db"),
            "EROS_SLACK_WEBHOOK_URL": WEBHOOK,
            "EROS_PAGERDUTY_ROUTING_KEY": "R0UT1NGKEY",
            "EROS_PAGERDUTY_URL": PAGERDUTY,
        }
    )
    return bootstrap(settings, FixedClock(parse_instant(now), frozen_durations=True), engine=engine)


@contextmanager
def local_receiver(path: str, *, failures: int = 0) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A real HTTP receiver on loopback: (its URL ending in `path`, the JSON bodies it got). It
    answers its first `failures` requests with 503, then accepts."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(503 if len(received) <= failures else 200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{path}", received
    finally:
        server.shutdown()
        server.server_close()
