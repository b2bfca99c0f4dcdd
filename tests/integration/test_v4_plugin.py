"""EROS_V4_RUNNER=module:function: an agency's generator behind the v4 slot, and broken ones."""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from eros.bootstrap import Container, bootstrap, pipeline_runner
from eros.config import load_settings
from eros.errors import ConfigError
from eros.legacy.pipeline import LegacyPipeline
from eros.legacy.plugin import PluginRunner

WEEK = "2026-01-05"
HERE = Path(__file__).parent
EXAMPLES = HERE.parent.parent / "examples"


@pytest.fixture
def helpers(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.syspath_prepend(str(HERE))
    module = importlib.import_module("v4_plugin_helpers")  # importable once its folder is on the path
    yield module
    module.PLANNED.clear()
    module.CALLS.clear()


def _container(sample_db_path: Path, tmp_path: Path, runner: str) -> Container:
    target = tmp_path / "copy.db"
    target.write_bytes(sample_db_path.read_bytes())
    env = {
        "EROS_DB_PATH": str(target),
        "EROS_NOW": "2026-01-04T12:00:00Z",
        "EROS_SIGNING_KEY": "plugin-test-key",
        "EROS_V4_RUNNER": runner,
    }
    return bootstrap(load_settings(env))


@pytest.fixture(scope="module")
def planned(
    sample_db_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[dict[str, Any]]]:
    """Valid weeks to hand the plug-ins: what the built-in pipeline plans (dry runs, once per module)."""
    container = _container(sample_db_path, tmp_path_factory.mktemp("planned"), "builtin")

    async def plan(creator: str) -> list[dict[str, Any]]:
        result = await pipeline_runner(container, "v4")(creator, WEEK, dry_run=True)
        assert result.success and result.schedule is not None
        return list(result.schedule["items"])

    return {creator: asyncio.run(plan(creator)) for creator in ("alexia", "luna_free")}


async def test_a_plugin_schedule_goes_through_the_same_gate_and_is_saved(
    sample_db_path: Path, tmp_path: Path, helpers: ModuleType, planned: dict[str, list[dict[str, Any]]]
) -> None:
    container = _container(sample_db_path, tmp_path, "v4_plugin_helpers:planned_runner")
    helpers.PLANNED[("alexia", WEEK)] = planned["alexia"]
    runner = pipeline_runner(container, "v4")
    assert isinstance(runner, PluginRunner)

    result = await runner("alexia", WEEK)

    assert result.success, result.errors
    assert result.pipeline == "v4" and result.validation_status == "APPROVED"
    assert result.hard_gate_violations == 0 and result.schedule_id is not None
    assert result.schedule is not None and result.schedule["saved_status"] == "approved"
    assert result.schedule["generator"] == "custom"
    assert list(result.metrics) == ["runner", "preflight", "validation", "total"]
    assert result.metrics["validation"]["mcp_calls"] == 3  # vault + rankings re-read, save
    assert result.mcp_calls_total == result.metrics["preflight"]["mcp_calls"] + 3


async def test_sync_runners_returning_a_schedule_work_and_dry_runs_save_nothing(
    sample_db_path: Path, tmp_path: Path, helpers: ModuleType, planned: dict[str, list[dict[str, Any]]]
) -> None:
    container = _container(sample_db_path, tmp_path, "v4_plugin_helpers:sync_schedule_runner")
    helpers.PLANNED[("luna_free", WEEK)] = planned["luna_free"]
    result = await pipeline_runner(container, "v4")("luna_free", WEEK, dry_run=True)
    assert result.success and result.dry_run and result.schedule_id is None
    assert result.expected_revenue == 1.0 and result.metrics["validation"]["mcp_calls"] == 2


async def test_a_pipeline_result_passes_through_as_v4_with_dry_run_forwarded(
    sample_db_path: Path, tmp_path: Path, helpers: ModuleType
) -> None:
    container = _container(sample_db_path, tmp_path, "v4_plugin_helpers:result_runner")
    result = await pipeline_runner(container, "v4")("alexia", WEEK, dry_run=True)
    assert result.success and result.pipeline == "v4" and result.quality_score == 88.0
    assert helpers.CALLS == [{"creator_id": "alexia", "week_start": WEEK, "dry_run": True}]
    assert "total" in result.metrics and result.mcp_calls_total == 0

    container = _container(sample_db_path, tmp_path, "v4_plugin_helpers:dict_result_runner")
    refused = await pipeline_runner(container, "v4")("alexia", WEEK)
    assert not refused.success and refused.errors == ["agency said no"]


@pytest.mark.parametrize(
    ("function", "message", "runner_status"),
    [
        ("raising_runner", "raised RuntimeError: agency backend is down", "error"),
        ("wrong_type_runner", "returned int, not a Schedule, a dict with items, or a PipelineResult", "ok"),
    ],
)
async def test_a_broken_runner_gives_a_failed_result_that_says_why(
    sample_db_path: Path, tmp_path: Path, helpers: ModuleType, function: str, message: str, runner_status: str
) -> None:
    container = _container(sample_db_path, tmp_path, f"v4_plugin_helpers:{function}")
    result = await pipeline_runner(container, "v4")("alexia", WEEK)
    assert not result.success and result.pipeline == "v4"
    assert message in result.errors[0] and f"v4_plugin_helpers:{function}" in result.errors[0]
    assert result.metrics["runner"]["status"] == runner_status
    assert result.metrics["total"]["status"] == "error"


async def test_a_schedule_breaking_the_rules_is_rejected_not_saved(
    sample_db_path: Path, tmp_path: Path, helpers: ModuleType
) -> None:
    container = _container(sample_db_path, tmp_path, "v4_plugin_helpers:bad_items_runner")
    result = await pipeline_runner(container, "v4")("alexia", WEEK)
    assert not result.success and result.validation_status == "REJECTED"
    assert result.hard_gate_violations > 0 and result.schedule_id is None
    assert "REJECTED" in result.errors[0]


@pytest.mark.parametrize(
    "spec",
    [
        "v4_plugin_helpers",
        "v4_plugin_helpers:missing",
        "v4_plugin_helpers:NOT_CALLABLE",
        "no_such_pkg_xyz:run",
    ],
)
def test_an_unloadable_spec_is_a_config_error_when_the_runner_is_built(
    sample_db_path: Path, tmp_path: Path, helpers: ModuleType, spec: str
) -> None:
    container = _container(sample_db_path, tmp_path, spec)
    with pytest.raises(ConfigError) as caught:
        pipeline_runner(container, "v4")
    assert caught.value.code == "V4_RUNNER_INVALID" and spec in caught.value.message


async def test_builtin_is_the_default_and_case_insensitive(sample_db_path: Path, tmp_path: Path) -> None:
    assert isinstance(pipeline_runner(_container(sample_db_path, tmp_path, ""), "v4"), LegacyPipeline)
    assert isinstance(pipeline_runner(_container(sample_db_path, tmp_path, "BuiltIn"), "v4"), LegacyPipeline)


async def test_the_documented_example_plugin_reads_an_agency_export(
    sample_db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    planned: dict[str, list[dict[str, Any]]],
) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    container = _container(sample_db_path, tmp_path, "custom_v4_runner:generate")
    items = planned["alexia"]
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / f"alexia_{WEEK}.json").write_text(json.dumps({"items": items}), encoding="utf-8")
    monkeypatch.setenv("AGENCY_SCHEDULES_DIR", str(exports))

    result = await pipeline_runner(container, "v4")("alexia", WEEK)
    missing = await pipeline_runner(container, "v4")("alexia", "2026-01-12")

    assert result.success and result.schedule is not None and result.schedule["generator"] == "agency-export"
    assert not missing.success and "FileNotFoundError" in missing.errors[0]
