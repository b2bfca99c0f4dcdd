"""Prometheus exposition of the operational state, read from the database at each scrape.

An optional exporter (reference/ecosystem.md §4.2): the monitor and the rollback controller
never depend on it. Every value is computed from the shared tables, so any process (the
`eros metrics serve` endpoint, a cron job writing the text format) reports the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, generate_latest, make_wsgi_app
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.registry import Collector

from eros.control.flags import ACTIVE_STATE, FlagValues, RollbackState
from eros.control.slo import HealthStatus
from eros.control.windows import classify_health
from eros.ports import UnitOfWorkFactory

if TYPE_CHECKING:  # the monitor service is handed in; this exporter never builds one
    from eros.services.monitor import PipelineMonitor

HEALTH_VALUE = {HealthStatus.HEALTHY: 0, HealthStatus.DEGRADED: 1, HealthStatus.UNHEALTHY: 2}
PIPELINES = ("v4", "v5")
ROLLBACK_STATES = tuple(state.value for state in RollbackState)
#: How long a scraper has to send its request before its connection is closed (a half-sent
#: request holds only its own thread, and only this long).
READ_TIMEOUT_S = 10.0


class ErosCollector(Collector):
    """SLIs per pipeline over the status window, run counters, flags, rollback state, open alerts."""

    def __init__(
        self, monitor: PipelineMonitor, uow: UnitOfWorkFactory, read_flags: Callable[[], FlagValues]
    ) -> None:
        self.monitor = monitor
        self.uow = uow
        self.read_flags = read_flags

    def collect(self) -> Iterator[Metric]:
        monitor = self.monitor
        window = f"{int(monitor.slo.status_window.total_seconds())}s"
        success = GaugeMetricFamily(
            "eros_pipeline_success_ratio",
            "Share of successful runs in the status window",
            labels=["pipeline"],
        )
        p95 = GaugeMetricFamily(
            "eros_pipeline_p95_latency_seconds",
            "Nearest-rank p95 run duration in the window",
            labels=["pipeline"],
        )
        gates = GaugeMetricFamily(
            "eros_pipeline_hard_gate_ratio", "Share of runs with a hard-gate violation", labels=["pipeline"]
        )
        quality = GaugeMetricFamily("eros_pipeline_quality_avg", "Mean quality score", labels=["pipeline"])
        window_runs = GaugeMetricFamily(
            "eros_pipeline_window_runs", f"Runs finished in the last {window}", labels=["pipeline"]
        )
        health = GaugeMetricFamily(
            "eros_pipeline_health",
            "0 healthy, 1 degraded, 2 unhealthy (runbook §2 bands)",
            labels=["pipeline"],
        )
        in_flight = GaugeMetricFamily(
            "eros_pipeline_in_flight", "Runs started, not finished, lease held", labels=["pipeline"]
        )
        abandoned = GaugeMetricFamily(
            "eros_pipeline_abandoned",
            "Runs never finished whose lease ran out (their process died)",
            labels=["pipeline"],
        )
        for pipeline in PIPELINES:
            stats = monitor.stats(pipeline)
            window_runs.add_metric([pipeline], stats.runs)
            health.add_metric([pipeline], HEALTH_VALUE[classify_health(stats, monitor.slo)])
            in_flight.add_metric([pipeline], monitor.in_flight(pipeline))
            abandoned.add_metric([pipeline], monitor.abandoned(pipeline))
            if stats.success_rate is not None:
                success.add_metric([pipeline], stats.success_rate)
            if stats.p95_latency_s is not None:
                p95.add_metric([pipeline], stats.p95_latency_s)
            if stats.hard_gate_rate is not None:
                gates.add_metric([pipeline], stats.hard_gate_rate)
            if stats.quality_avg is not None:
                quality.add_metric([pipeline], stats.quality_avg)
        yield from (success, p95, gates, quality, window_runs, health, in_flight, abandoned)

        runs = CounterMetricFamily(
            "eros_pipeline_runs",
            "Finished runs since the database was created",
            labels=["pipeline", "shadow", "outcome"],
        )
        with self.uow() as uow:
            for row in uow.ops.run_counts():
                outcome = "success" if row["success"] else "failure"
                runs.add_metric([row["pipeline"], str(bool(row["shadow"])).lower(), outcome], row["n"])
            state_row = uow.ops.rollback_state_row()
            open_alerts = uow.ops.alert_rows(open_only=True, limit=1000)
        yield runs

        state = state_row["state"] if state_row is not None else ACTIVE_STATE
        rollback = GaugeMetricFamily(
            "eros_rollback_state", "1 for the current rollback state", labels=["state"]
        )
        for name in ROLLBACK_STATES:
            rollback.add_metric([name], 1.0 if name == state else 0.0)
        yield rollback

        alerts = GaugeMetricFamily("eros_alerts_open", "Open alert episodes", labels=["code"])
        counts: dict[str, int] = {}
        for row in open_alerts:
            counts[row["code"]] = counts.get(row["code"], 0) + 1
        for code, n in sorted(counts.items()):
            alerts.add_metric([code], n)
        yield alerts

        flags = self.read_flags()
        yield GaugeMetricFamily(
            "eros_flag_v5_enabled", "EROS_V5_ENABLED as resolved", value=float(flags.v5_enabled)
        )
        yield GaugeMetricFamily(
            "eros_flag_shadow_mode", "EROS_V5_SHADOW_MODE", value=float(flags.shadow_mode)
        )
        yield GaugeMetricFamily(
            "eros_flag_v5_percentage", "EROS_V5_PERCENTAGE", value=float(flags.v5_percentage)
        )
        yield GaugeMetricFamily(
            "eros_flag_state_error", "1 when flag state is unreadable", value=float(bool(flags.error))
        )


def build_registry(
    monitor: PipelineMonitor, uow: UnitOfWorkFactory, read_flags: Callable[[], FlagValues]
) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(ErosCollector(monitor, uow, read_flags))
    return registry


def render(registry: CollectorRegistry) -> bytes:
    """The Prometheus text format (what `eros metrics` prints)."""
    return generate_latest(registry)


def metrics_server(
    registry: CollectorRegistry, host: str, port: int, *, read_timeout_s: float = READ_TIMEOUT_S
) -> WSGIServer:
    """The /metrics endpoint: a thread per scrape (prometheus_client's ThreadingWSGIServer), so one
    slow or half-sent request never blocks the others, and each read bounded by `read_timeout_s`."""

    class ScrapeHandler(WSGIRequestHandler):
        timeout = read_timeout_s

        def log_message(self, format: str, *args: Any) -> None:
            """No log line per scrape."""

    return make_server(host, port, make_wsgi_app(registry), ThreadingWSGIServer, handler_class=ScrapeHandler)


def serve(registry: CollectorRegistry, host: str, port: int) -> None:
    """Serve /metrics until interrupted (`eros metrics serve --port`)."""
    with metrics_server(registry, host, port) as server:
        server.serve_forever()
