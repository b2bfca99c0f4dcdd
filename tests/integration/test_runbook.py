"""Every Python snippet of the operations runbook (seed 001), run as written with `python.` → `eros.`.

The snippets are copied verbatim below, each under the runbook section it comes from; the
only change applied (at test time, by `as_eros`) is the package rename the architecture
prescribes. They run against a private copy of the sample database through `EROS_DB_PATH`
and `EROS_NOW`, as an operator's shell would. Names a snippet uses without defining
(`orchestrator`, `mcp`, `creator_id`, `week_start`, `mcp_tools`, `task_invoker`) are the
operator's session: they are wired here the documented way (ARCHITECTURE §4).
"""

from __future__ import annotations

import ast
import inspect
import io
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from eros.bootstrap import bootstrap, connect_client, pipeline_runner
from eros.rollback import RollbackController
from eros.router import PipelineRouter
from support import clear_flag_variables

NOW = "2026-01-04T12:00:00Z"
CREATOR = "alexia"
WEEK = "2026-01-06"

# --- §2 Monitoring & Dashboards: "Checking Current Status" -------------------------------
CHECKING_CURRENT_STATUS = """
from python.monitoring import PipelineMonitor
from python.rollback import RollbackController
from python.router import FeatureFlags

# Feature flags
flags = FeatureFlags()
print(f"V5 Enabled: {flags.v5_enabled}")
print(f"Shadow Mode: {flags.shadow_mode}")
print(f"Percentage: {flags.v5_percentage}%")

# Health status
monitor = PipelineMonitor()
status = monitor.get_status()
print(f"Health: {status['health']}")
print(f"Success Rate: {status['success_rate']:.2%}")

# Rollback state
rollback = RollbackController()
print(f"Rollback State: {rollback.state}")
"""

# --- §3.1 v5 Pipeline Timeout: "Diagnosis" --------------------------------------------------
PIPELINE_TIMEOUT_DIAGNOSIS = """
# Check which phase is slow
result = await orchestrator.run(creator_id, week_start)
for phase, metrics in result.metrics.items():
    if metrics.get("duration_ms", 0) > 60000:
        print(f"Slow phase: {phase} ({metrics['duration_ms']}ms)")
"""

# --- §3.2 Hard Gate False Positives: "Diagnosis" -----------------------------------------------
HARD_GATE_FALSE_POSITIVES_DIAGNOSIS = """
# Check vault availability
vault = await mcp.get_allowed_content_types(creator_id)
print(f"Vault types: {vault}")

# Check content rankings
rankings = await mcp.get_content_type_rankings(creator_id)
avoid = [r for r in rankings.get('content_types', []) if r.get('performance_tier') == 'AVOID']
print(f"AVOID types: {avoid}")
"""

# --- §3.3 MCP Connection Failures: "Diagnosis" -------------------------------------------------
MCP_CONNECTION_DIAGNOSIS = """
# Check MCP health
from python.adapters import ProductionMCPClient
client = ProductionMCPClient(mcp_tools)
try:
    await client.get_active_creators(limit=1)
    print("MCP healthy")
except Exception as e:
    print(f"MCP error: {e}")
"""

# --- §3.4 Agent Invocation Errors: "Diagnosis" -------------------------------------------------
AGENT_INVOCATION_DIAGNOSIS = """
# Check agent invocation
from python.adapters import ProductionTaskTool
tool = ProductionTaskTool(task_invoker)
result = await tool.invoke("schedule-generator", "test prompt", model="sonnet")
print(f"Agent response: {result}")
"""

# --- §4 Troubleshooting Steps: "General Debugging" step 3 (a `python -c` in bash) --------------
RECENT_ROLLBACKS_CLI = """
from python.rollback import RollbackController
c = RollbackController()
print(c.get_history())
"""

# --- §4 Troubleshooting Steps: "Debug Mode" --------------------------------------------------
DEBUG_MODE = """
import logging
logging.getLogger("eros").setLevel(logging.DEBUG)

# Run with verbose logging
result = await orchestrator.run(creator_id, week_start)
"""

# --- §4 Troubleshooting Steps: "Test Commands" (bash) ----------------------------------------
PREFLIGHT_CLI = ["python/preflight.py", "--creator", "alexia", "--week", "2026-01-06"]
MOCK_PREFLIGHT_CLI = """
from python.preflight import PreflightEngine, MockMCP
import asyncio
ctx = asyncio.run(PreflightEngine(MockMCP()).execute('test', '2026-01-06'))
print(f'Preflight OK: {ctx.creator_id}, {ctx.volume_config[\"tier\"]}')
"""

# --- §5 Rollback Procedure: "Manual Rollback Steps" 2 and 4 ----------------------------------
VERIFY_V4_SERVING = """
from python.router import PipelineRouter
router = PipelineRouter()
decision = router.decide("any_creator")
assert decision.pipeline.value == "v4", "V4 not active!"
"""
GATHER_DIAGNOSTICS = """
from python.monitoring import PipelineMonitor
monitor = PipelineMonitor()
status = monitor.get_status()
# Save status for post-mortem
"""

# --- §5 Rollback Procedure: "Automatic Rollback" ----------------------------------------------
AUTOMATIC_ROLLBACK = """
from python.rollback import RollbackController
from python.monitoring import PipelineMonitor

controller = RollbackController(monitor=PipelineMonitor())
# This is called periodically
result = await controller.check_auto_rollback()
if result:
    print(f"Auto-rollback triggered: {result.reason}")
"""

# --- §5 Rollback Procedure: "Post-Rollback Verification" --------------------------------------
POST_ROLLBACK_VERIFICATION = """
import os
assert os.environ.get("EROS_V5_ENABLED", "false").lower() != "true"

# Verify traffic routing
from python.router import PipelineRouter
router = PipelineRouter()
for creator in ["alexia", "test1", "test2"]:
    decision = router.decide(creator)
    assert decision.pipeline.value == "v4", f"{creator} not on v4!"
"""

# --- §7 Recovery Procedures: "After Auto-Rollback" step 4 ----------------------------------------
RESTORE_V5 = """
controller = RollbackController()
result = await controller.restore_v5("RESTORE_V5_CONFIRMED")
"""

# --- §8 Maintenance Procedures: "Cache Management" and "Health Checks" ----------------------------
CACHE_MANAGEMENT = """
# MCP cache stats (if implemented)
# Check cache hit rate, evictions
"""
HEALTH_CHECKS = """
# Periodic health check
from python.monitoring import PipelineMonitor
monitor = PipelineMonitor()
status = monitor.get_status()
if status["health"] != "healthy":
    # Alert
    pass
"""

# --- Rollout plan (seed 000), "Rollback Procedures: Manual Rollback" (a `python -c` in bash) ---------
PLAN_MANUAL_ROLLBACK_CLI = "from python.rollback import RollbackController; ..."


def as_eros(snippet: str) -> str:
    """The one change the architecture allows: the runbook's `python` package is `eros`."""
    return snippet.replace("python.", "eros.").replace("python/", "eros/")


async def run_snippet(snippet: str, namespace: dict[str, Any]) -> str:
    """Execute a snippet like an async REPL (top-level await allowed); returns what it printed."""
    code = compile(as_eros(snippet), "<runbook>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    out = io.StringIO()
    with redirect_stdout(out):
        pending = eval(code, namespace)
        if inspect.iscoroutine(pending):
            await pending
    return out.getvalue()


def run_python_c(snippet: str) -> subprocess.CompletedProcess[str]:
    """A runbook `python -c "…"` line, in a fresh process with this test's environment."""
    return subprocess.run(
        [sys.executable, "-c", as_eros(snippet)],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )


@pytest.fixture
def operator_env(sample_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of the sample, pinned time, and Phase 1 (canary) flags persisted as overrides."""
    target = tmp_path / "eros.db"
    shutil.copyfile(sample_db_path, target)
    clear_flag_variables(monkeypatch)
    monkeypatch.setenv("EROS_DB_PATH", str(target))
    monkeypatch.setenv("EROS_NOW", NOW)
    with bootstrap().uow() as uow:
        for key, value in (("EROS_V5_ENABLED", "true"), ("EROS_V5_CREATORS", "alexia")):
            uow.ops.set_flag_override(key, value, actor="test", at=NOW, reason="canary")
        uow.commit()
    yield target


def session(**names: Any) -> dict[str, Any]:
    """The operator's session: the runbook's free names, wired the documented way."""
    return {"__name__": "__runbook__", "creator_id": CREATOR, "week_start": WEEK, **names}


def _orchestrator() -> Any:
    return pipeline_runner(bootstrap(), "v5")


def _mcp() -> Any:
    return connect_client(bootstrap())


async def test_checking_current_status(operator_env: Path) -> None:
    printed = await run_snippet(CHECKING_CURRENT_STATUS, session())
    assert "V5 Enabled: True" in printed
    assert "Shadow Mode: False" in printed
    assert "Percentage: 0%" in printed
    assert "Health: " in printed and "Success Rate: " in printed
    assert "Rollback State: " in printed


async def test_pipeline_timeout_diagnosis(operator_env: Path) -> None:
    namespace = session(orchestrator=_orchestrator())
    printed = await run_snippet(PIPELINE_TIMEOUT_DIAGNOSIS, namespace)
    result = namespace["result"]
    assert result.creator_id == CREATOR and result.week_start == WEEK
    assert {"preflight", "total"} <= set(result.metrics), result.metrics.keys()
    slow = [p for p, m in result.metrics.items() if m.get("duration_ms", 0) > 60000]
    assert printed.count("Slow phase") == len(slow)


async def test_hard_gate_false_positives_diagnosis(operator_env: Path) -> None:
    namespace = session(mcp=_mcp())
    printed = await run_snippet(HARD_GATE_FALSE_POSITIVES_DIAGNOSIS, namespace)
    vault_line, avoid_line = printed.splitlines()
    expected = namespace["rankings"]["avoid_types"]  # the tool's own AVOID list, read independently
    assert expected, "the sample gives alexia AVOID types: the snippet must find them"
    assert sorted(r["content_type"] for r in namespace["avoid"]) == sorted(expected)
    assert avoid_line.startswith("AVOID types: [{") and all(f"'{name}'" in avoid_line for name in expected)
    allowed = [t["type_name"] for t in namespace["vault"]["allowed_types"]]
    assert vault_line.startswith("Vault types: {") and all(f"'{name}'" in vault_line for name in allowed)


async def test_mcp_connection_diagnosis(operator_env: Path) -> None:
    printed = await run_snippet(MCP_CONNECTION_DIAGNOSIS, session(mcp_tools=None))
    assert printed.strip() == "MCP healthy"


async def test_agent_invocation_diagnosis(operator_env: Path) -> None:
    namespace = session(task_invoker=None)
    printed = await run_snippet(AGENT_INVOCATION_DIAGNOSIS, namespace)
    assert printed.startswith("Agent response: ")


def test_recent_rollbacks_from_the_shell(operator_env: Path) -> None:
    done = run_python_c(RECENT_ROLLBACKS_CLI)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("[")


async def test_debug_mode(operator_env: Path) -> None:
    before = logging.getLogger("eros").level
    try:
        namespace = session(orchestrator=_orchestrator())
        await run_snippet(DEBUG_MODE, namespace)
        assert logging.getLogger("eros").level == logging.DEBUG
        assert namespace["result"].creator_id == CREATOR
    finally:
        logging.getLogger("eros").setLevel(before)


def test_preflight_from_the_shell(operator_env: Path) -> None:
    script = as_eros(PREFLIGHT_CLI[0]).removesuffix(".py").replace("/", ".")
    done = subprocess.run(
        [sys.executable, "-m", script, *PREFLIGHT_CLI[1:]],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "alexia" in done.stdout


def test_preflight_with_mock_mcp_from_the_shell(operator_env: Path) -> None:
    done = run_python_c(MOCK_PREFLIGHT_CLI)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Preflight OK: test, ")


async def test_manual_rollback_steps(operator_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EROS_V5_ENABLED", "false")  # step 1: `export EROS_V5_ENABLED=false`
    namespace = session()
    await run_snippet(VERIFY_V4_SERVING, namespace)
    assert namespace["decision"].reason == "v5_disabled"
    await run_snippet(GATHER_DIAGNOSTICS, namespace)
    assert {"health", "success_rate"} <= set(namespace["status"])


async def test_automatic_rollback_check(operator_env: Path) -> None:
    namespace = session()
    printed = await run_snippet(AUTOMATIC_ROLLBACK, namespace)
    assert namespace["result"] is None or namespace["result"].reason
    assert printed == "" if namespace["result"] is None else printed.startswith("Auto-rollback triggered: ")


async def test_post_rollback_verification(operator_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EROS_V5_ENABLED", "false")
    namespace = session()
    await run_snippet(POST_ROLLBACK_VERIFICATION, namespace)
    assert namespace["decision"].pipeline.value == "v4"


async def test_restore_after_a_rollback(operator_env: Path) -> None:
    await RollbackController().execute_rollback("runbook rehearsal")
    assert PipelineRouter().decide("alexia").pipeline.value == "v4"
    namespace = session(RollbackController=RollbackController)  # imported by §5's snippets earlier
    await run_snippet(RESTORE_V5, namespace)
    assert PipelineRouter().decide("alexia").pipeline.value == "v5"


async def test_maintenance_snippets(operator_env: Path) -> None:
    namespace = session()
    assert await run_snippet(CACHE_MANAGEMENT, namespace) == ""
    await run_snippet(HEALTH_CHECKS, namespace)
    assert namespace["status"]["health"] in {"healthy", "degraded", "unhealthy"}


def test_plan_manual_rollback_line(operator_env: Path) -> None:
    done = run_python_c(PLAN_MANUAL_ROLLBACK_CLI)
    assert done.returncode == 0, done.stderr


def test_every_snippet_is_exercised() -> None:
    """A snippet added above without a test would go unrun: keep the list and the tests in step."""
    names = [
        n
        for n, v in globals().items()
        if n.isupper() and isinstance(v, str) and n not in {"NOW", "CREATOR", "WEEK"}
    ]
    source = Path(__file__).read_text()
    for name in names:
        assert source.count(name) >= 2, f"{name} is never run"
