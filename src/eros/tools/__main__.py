"""`python -m eros.tools`: serve eros-db over stdio against the configured database (as `eros mcp serve`)."""

from __future__ import annotations

from eros.bootstrap import bootstrap, tool_server
from eros.tools.server import serve

if __name__ == "__main__":
    serve(lambda: tool_server(bootstrap()))
