"""EROS_V4_RUNNER: the built-in legacy pipeline, or an agency's own generator as `module:function`.

The function is called as `fn(creator_id, week_start)` (plus `dry_run=` when it accepts it),
may be sync or async, and may return a `PipelineResult`, a `Schedule`, or a dict (a schedule's
fields with `items`, or a PipelineResult's fields). A schedule is put through the same gate as
the built-in pipeline — v5's preflight for the context, the rule engine, the certificate, the
save — so whatever generator runs as v4, its result has v4's shape and is judged by one rulebook.

A spec that cannot be loaded is a ConfigError (code V4_RUNNER_INVALID) when the runner is built;
a function that raises or returns something else gives a failed PipelineResult saying so.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import date
from typing import Any

from pydantic import ValidationError

from eros.clock import Clock
from eros.errors import ConfigError, ErosError
from eros.legacy import p10_validation
from eros.legacy.deprecation import V4DeprecationNotice
from eros.models import Schedule
from eros.ports import ToolClient
from eros.services.pipeline_run import PipelineResult, phase_metrics
from eros.services.preflight import PreflightEngine, client_session, parse_week_start

BUILTIN = "builtin"
INVALID = "V4_RUNNER_INVALID"
_RESULT_FIELDS = frozenset(f.name for f in fields(PipelineResult))


def _invalid(spec: str, why: str) -> ConfigError:
    return ConfigError(
        f"EROS_V4_RUNNER={spec!r}: {why} (use 'builtin' or 'package.module:function')",
        code=INVALID,
        details={"v4_runner": spec},
    )


def load_runner(spec: str) -> Callable[..., Any]:
    """The callable `module:function` names (dotted attributes allowed); else V4_RUNNER_INVALID."""
    module_name, sep, attribute = spec.strip().partition(":")
    if not sep or not module_name.strip() or not attribute.strip():
        raise _invalid(spec, "not of the form module:function")
    try:
        target: Any = importlib.import_module(module_name.strip())
    except ImportError as exc:
        raise _invalid(spec, f"module {module_name!r} cannot be imported ({exc})") from exc
    for part in attribute.strip().split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise _invalid(spec, f"module {module_name!r} has no attribute {attribute!r}") from None
    if not callable(target):
        raise _invalid(spec, f"{attribute!r} is a {type(target).__name__}, not a callable")
    runner: Callable[..., Any] = target
    return runner


def _accepts_dry_run(fn: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "dry_run" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


class PluginRunner:
    """A PipelineRunner around an agency's generator (ARCHITECTURE §7 `EROS_V4_RUNNER`);
    `deprecation` warns at each call once full cutover is recorded."""

    def __init__(
        self,
        spec: str,
        fn: Callable[..., Any],
        client_factory: Callable[[], ToolClient],
        signing_key: bytes,
        clock: Clock,
        *,
        replace_edited: bool = False,
        deprecation: V4DeprecationNotice | None = None,
    ) -> None:
        self.spec = spec
        self.fn = fn
        self.client_factory = client_factory
        self.signing_key = signing_key
        self.clock = clock
        self.replace_edited = replace_edited
        self.deprecation = deprecation

    async def __call__(self, creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        if self.deprecation is not None:
            self.deprecation.warn()
        started = self.clock.monotonic()
        metrics: dict[str, dict[str, Any]] = {}
        try:
            value = self.fn(
                creator_id, week_start, **({"dry_run": dry_run} if _accepts_dry_run(self.fn) else {})
            )
            if inspect.isawaitable(value):
                value = await value
        except Exception as exc:  # an agency's code may raise anything; it must not take the router down
            message = f"custom v4 runner {self.spec!r} raised {type(exc).__name__}: {exc}"
            metrics["runner"] = phase_metrics("runner", self._since(started), 0, "error", message)
            return self._finish(self._failed(creator_id, week_start, dry_run, message), metrics, started, 0)
        metrics["runner"] = phase_metrics("runner", self._since(started), 0)
        if isinstance(value, PipelineResult):
            return self._finish(value, {**metrics, **value.metrics}, started, value.mcp_calls_total)
        if isinstance(value, Mapping) and "items" not in value and "success" in value:
            try:
                result = PipelineResult(**{k: v for k, v in value.items() if k in _RESULT_FIELDS})
            except TypeError as exc:
                return self._wrong_type(creator_id, week_start, dry_run, value, metrics, started, str(exc))
            return self._finish(result, {**metrics, **result.metrics}, started, result.mcp_calls_total)
        try:
            schedule = self._schedule(value, creator_id, week_start)
        except (TypeError, ValidationError) as exc:
            return self._wrong_type(
                creator_id, week_start, dry_run, value, metrics, started, str(exc).splitlines()[0]
            )
        return await self._gate(schedule, dry_run, metrics, started)

    def _since(self, started: float) -> float:
        return (self.clock.monotonic() - started) * 1000

    @staticmethod
    def _schedule(value: Any, creator_id: str, week_start: str) -> Schedule:
        if isinstance(value, Schedule):
            return value
        if isinstance(value, Mapping):
            return Schedule.model_validate(
                {"creator_id": creator_id, "week_start": week_start, "generator": "custom", **value}
            )
        raise TypeError(f"got {type(value).__name__}")

    def _wrong_type(
        self,
        creator_id: str,
        week_start: str,
        dry_run: bool,
        value: Any,
        metrics: dict[str, dict[str, Any]],
        started: float,
        why: str,
    ) -> PipelineResult:
        message = (
            f"custom v4 runner {self.spec!r} returned {type(value).__name__}, not a Schedule, "
            f"a dict with items, or a PipelineResult: {why}"
        )
        return self._finish(self._failed(creator_id, week_start, dry_run, message), metrics, started, 0)

    @staticmethod
    def _failed(creator_id: str, week_start: str, dry_run: bool, message: str) -> PipelineResult:
        return PipelineResult(
            success=False,
            creator_id=creator_id,
            week_start=str(week_start),
            pipeline="v4",
            dry_run=dry_run,
            errors=[message],
        )

    def _finish(
        self, result: PipelineResult, metrics: dict[str, dict[str, Any]], started: float, calls: int
    ) -> PipelineResult:
        result.pipeline = "v4"
        result.metrics = {k: v for k, v in metrics.items() if k != "total"}
        total = phase_metrics(
            "total",
            self._since(started),
            calls,
            "ok" if result.success else "error",
            "; ".join(result.errors) or None,
        )
        total["expected_revenue"] = result.expected_revenue
        result.metrics["total"] = total
        return result

    async def _gate(
        self, schedule: Schedule, dry_run: bool, metrics: dict[str, dict[str, Any]], started: float
    ) -> PipelineResult:
        """Preflight context, the rule engine and the save, as the built-in pipeline's phase 10."""
        client = self.client_factory()
        result = PipelineResult(
            success=False,
            creator_id=schedule.creator_id,
            week_start=schedule.week_start,
            pipeline="v4",
            dry_run=dry_run,
        )
        phase = "preflight"
        calls, mark = client.calls, self.clock.monotonic()
        try:
            week: date = parse_week_start(schedule.week_start)
            async with client_session(client):
                context = await PreflightEngine(client, clock=self.clock).execute(schedule.creator_id, week)
                metrics[phase] = phase_metrics(phase, self._since(mark), client.calls - calls)
                phase, calls, mark = "validation", client.calls, self.clock.monotonic()
                gate = await p10_validation.validate_and_save(
                    client,
                    self.signing_key,
                    self.clock,
                    context,
                    schedule.items,
                    dry_run=dry_run,
                    replace_edited=self.replace_edited,
                )
                metrics[phase] = phase_metrics(phase, self._since(mark), client.calls - calls)
        except ErosError as exc:
            message = f"{phase}: [{exc.code}] {exc.message}"
            metrics[phase] = phase_metrics(phase, self._since(mark), client.calls - calls, "error", message)
            result.errors.append(message)
            return self._finish(result, metrics, started, sum(m["mcp_calls"] for m in metrics.values()))
        result.creator_id = context.creator_id
        result.total_items = len(schedule.items)
        result.expected_revenue = schedule.expected_revenue
        result.schedule = {
            **schedule.model_dump(mode="json", exclude_none=True),
            "creator_id": context.creator_id,
        }
        if p10_validation.record(result, gate):
            result.errors.append(f"validation: REJECTED ({len(gate.validation.violations)} violations)")
        else:
            result.success = True
        return self._finish(result, metrics, started, sum(m["mcp_calls"] for m in metrics.values()))
