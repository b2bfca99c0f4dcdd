"""The v4 legacy pipeline (ten phases, many MCP calls) and the EROS_V4_RUNNER plug-in point."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eros.bootstrap import Container
    from eros.services.pipeline_run import PipelineRunner


def build_v4_runner(container: Container) -> PipelineRunner:
    """The runner EROS_V4_RUNNER names: `builtin` (default) or an agency's `module:function`."""
    from eros.infra.mcp_clients import connect_client
    from eros.legacy.pipeline import LegacyPipeline
    from eros.legacy.plugin import BUILTIN, PluginRunner, load_runner

    spec = container.settings.v4_runner.strip() or BUILTIN
    if spec.lower() == BUILTIN:
        return LegacyPipeline(connect_client(container), container.signing_key, container.clock)
    return PluginRunner(
        spec, load_runner(spec), lambda: connect_client(container), container.signing_key, container.clock
    )


__all__ = ["build_v4_runner"]
