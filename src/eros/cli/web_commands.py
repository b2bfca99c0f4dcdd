"""`eros serve`: the web app (JSON API, pages, /metrics, /healthz, /readyz, /mcp) on uvicorn.

It binds the loopback address unless told otherwise; any other address is said out loud, since
the app then answers whoever can reach the machine (behind TLS, set EROS_WEB_HTTPS_ONLY).
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer
from rich.console import Console

err_console = Console(stderr=True)
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    host: Annotated[str, typer.Option("--host", help="Bind address (loopback by default).")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = DEFAULT_PORT,
) -> None:
    """Serve the web app until interrupted."""
    # Deferred: the web stack loads only for this command.
    import uvicorn  # noqa: PLC0415 - see above

    from eros.cli.database import configured  # noqa: PLC0415 - see above
    from eros.web.app import create_app  # noqa: PLC0415 - see above

    app = create_app(configured(), bind_host=host)
    if not is_loopback(host):
        err_console.print(
            f"[bold yellow]warning[/] serving on {host}, not the loopback address: anyone who can reach "
            "it may try to log in. Put it behind TLS and set EROS_WEB_HTTPS_ONLY=true."
        )
    err_console.print(f"EROS web app on http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
