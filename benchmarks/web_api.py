"""p50/p95 of the web API's main reads (status, a week, the roster) and of validate-an-edit under
N concurrent clients, against a real uvicorn on an ephemeral loopback port over a fresh sample.

    .venv/bin/python benchmarks/web_api.py [--clients 8] [--requests 25]

Each client sends its requests one after another (bounded: clients × requests per endpoint).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import httpx
import uvicorn

from eros.access import Role
from eros.bootstrap import bootstrap
from eros.clock import FixedClock, parse_instant
from eros.config import load_settings
from eros.db.engine import create_schema, make_engine
from eros.db.sample import build_sample
from eros.services.auth import create_token
from eros.web.app import create_app

NOW = "2026-01-04T12:00:00Z"
WEEK = "2026-01-05"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def measure(
    base: str, token: str, path: str, body: dict[str, object] | None, clients: int, n: int
) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}

    async def one_client(client: httpx.AsyncClient) -> list[float]:
        took = []
        for _ in range(n):
            start = time.perf_counter()
            answer = await (client.post(path, json=body) if body is not None else client.get(path))
            took.append((time.perf_counter() - start) * 1000)
            answer.raise_for_status()
        return took

    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
        results = await asyncio.gather(*(one_client(client) for _ in range(clients)))
    return [ms for result in results for ms in result]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=25, help="per client and endpoint")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "eros.db"
        engine = make_engine(f"sqlite:///{path}", create=True)
        create_schema(engine)
        build_sample(engine, seed=7, as_of=date(2026, 1, 4))
        container = bootstrap(
            load_settings({"EROS_DB_PATH": str(path), "EROS_LEARNINGS_PATH": str(Path(tmp) / "L.md")}),
            clock=FixedClock(parse_instant(NOW)),
            engine=engine,
        )
        token = create_token(container.uow, container.clock, "bench", Role.SCHEDULER, by="bench")
        server = uvicorn.Server(
            uvicorn.Config(create_app(container), host="127.0.0.1", port=0, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=300) as setup:
            made = setup.post(
                "/api/v1/schedules/generate", json={"creator": "alexia", "week_start": WEEK}
            ).json()
            schedule_id = made["schedule_id"]
            items = setup.get(f"/api/v1/schedules/{schedule_id}").json()["items"]
        cases = {
            "status": ("/api/v1/status", None),
            "a week": (f"/api/v1/schedules/{schedule_id}", None),
            "roster": ("/api/v1/creators", None),
            "validate an edit": (
                "/api/v1/schedules/validate",
                {"creator": "alexia", "week_start": WEEK, "items": items},
            ),
        }
        print(f"{args.clients} concurrent clients × {args.requests} requests each, uvicorn on {base}")
        for name, (route, body) in cases.items():
            took = asyncio.run(measure(base, token, route, body, args.clients, args.requests))
            print(
                f"{name:>17}: p50 {statistics.median(took):7.1f} ms  p95 {percentile(took, 95):7.1f} ms  "
                f"({len(took)} requests)"
            )
        server.should_exit = True
        thread.join(timeout=10)


if __name__ == "__main__":
    main()
