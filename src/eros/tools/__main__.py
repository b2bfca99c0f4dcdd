"""`python -m eros.tools`: serve eros-db over stdio against the configured database (as `eros mcp serve`).

A database that is missing or unusable is one `error [CODE] sentence` line on stderr and the
CLI's exit code, never a traceback (the protocol on stdout stays untouched). Logs go where the
CLI's do (`EROS_LOG_FILE`, `EROS_LOG_FORMAT`; eros.infra.logs).
"""

from __future__ import annotations

import sys

from eros.bootstrap import bootstrap, tool_server
from eros.cli.app import report
from eros.config import load_log_settings
from eros.infra.logs import configure_logging
from eros.tools.server import serve

if __name__ == "__main__":
    try:
        configure_logging(load_log_settings())
        serve(lambda: tool_server(bootstrap()))
    except Exception as exc:  # the entry point's one handler, as the CLI's
        sys.exit(report(exc))
