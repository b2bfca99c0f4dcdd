"""The web app (`eros serve`): the JSON API, the pages, /metrics, /healthz, /readyz and /mcp.

An entry point like `eros.cli`: it calls services through `eros.bootstrap` and holds no rules.
"""
