"""`python -m eros.tools`: serve eros-db over stdio against the configured database (as `eros mcp serve`)."""

from __future__ import annotations

from eros.tools.server import serve_configured

if __name__ == "__main__":
    serve_configured("stdio")
