"""The v4 legacy pipeline (ten phases, many MCP calls) and the EROS_V4_RUNNER plug-in point.

`eros.bootstrap.v4_runner` picks the runner: the built-in `pipeline.LegacyPipeline` or a plug-in.
"""
