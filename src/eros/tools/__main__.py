"""`python -m eros.tools`: serve eros-db over stdio against the configured database (as `eros mcp serve`).

A database that is missing or unusable is one `error [CODE] sentence` line on stderr and the
CLI's exit code, never a traceback (the protocol on stdout stays untouched).
"""

from __future__ import annotations

import sys

from eros.bootstrap import bootstrap, tool_server
from eros.cli.app import report
from eros.tools.server import serve

if __name__ == "__main__":
    try:
        serve(lambda: tool_server(bootstrap()))
    except Exception as exc:  # the entry point's one handler, as the CLI's
        sys.exit(report(exc))
