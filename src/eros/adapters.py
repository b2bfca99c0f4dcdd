"""The runbook's `eros.adapters`: the production eros-db client and Task tool (runbook §3.3, §3.4)."""

from __future__ import annotations

from eros.infra.retrying_client import ProductionMCPClient, RetryConfig
from eros.services.agents import ProductionTaskTool

__all__ = ["ProductionMCPClient", "ProductionTaskTool", "RetryConfig"]
