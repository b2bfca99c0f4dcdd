"""`eros mcp cache stats|clear` (runbook §3.2, §8) answer truthfully: there is no cache, and why."""

from __future__ import annotations

import json

from eros.cli.app import _register
from eros.infra.mcp_clients import NO_CACHE_REASON
from support import cli_ok


def test_cache_stats_says_there_is_no_cache_and_why() -> None:
    _register()
    out = cli_ok("mcp", "cache", "stats")
    assert out.splitlines()[0] == "no cache: every eros-db tool read goes to the database"
    assert "send types are the rulebook's constants" in out and "docs/DECISIONS.md" in out
    assert json.loads(cli_ok("mcp", "cache", "stats", "--json")) == {
        "cache": None,
        "reads": "database",
        "reason": NO_CACHE_REASON,
    }


def test_cache_clear_exits_0_with_nothing_to_clear() -> None:
    _register()
    assert cli_ok("mcp", "cache", "clear").strip() == (
        "no cache to clear: every eros-db tool read already goes to the database"
    )
