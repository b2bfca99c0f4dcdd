"""`eros mcp serve | tools | call | cache stats|clear`: run the eros-db server, probe it (thin).

`call` prints the tool's JSON answer and exits 0, or prints the tool's error JSON and exits 1.
`cache` answers the runbook's §3.2 "clear MCP cache" and §8 "cache stats" truthfully: there is no
cache (`eros.infra.mcp_clients.NO_CACHE_REASON`), so both say so and exit 0.
"""

from __future__ import annotations

import asyncio
import json
import logging
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from eros.bootstrap import bootstrap, connect_client, tool_server
from eros.cli.database import configured
from eros.errors import ErosError, InvalidInput
from eros.infra.mcp_clients import NO_CACHE_REASON
from eros.tools import server as eros_db

mcp_app = typer.Typer(
    help="The eros-db MCP server: serve it, list its tools, call one.", no_args_is_help=True
)
cache_app = typer.Typer(help="The MCP cache of runbook §3.2 and §8 (there is none: see `stats`).")
mcp_app.add_typer(cache_app, name="cache")
console = Console()
logger = logging.getLogger("eros.adapters")


class Transport(StrEnum):
    stdio = "stdio"
    streamable_http = "streamable-http"


def parse_arguments(pairs: list[str]) -> dict[str, Any]:
    """`key=value` pairs; each value is read as JSON when it parses (numbers, lists, objects), else text."""
    arguments: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"argument {pair!r} is not key=value", code="INVALID_ARGUMENT")
        try:
            arguments[key.strip()] = json.loads(raw)
        except ValueError:
            arguments[key.strip()] = raw
    return arguments


@mcp_app.command("serve")
def serve(
    transport: Annotated[
        Transport, typer.Option(help="stdio (for MCP hosts) or streamable-http.")
    ] = Transport.stdio,
    host: Annotated[
        str, typer.Option(help="HTTP bind address (streamable-http only).")
    ] = eros_db.DEFAULT_HTTP_HOST,
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="HTTP port (streamable-http only).")
    ] = eros_db.DEFAULT_HTTP_PORT,
) -> None:
    """Serve eros-db over the configured database (stdout carries the protocol; logs go to stderr).

    Over streamable-http it answers only `eros tokens` bearer tokens of the scheduler role or
    above, and refuses a Host or Origin that does not name this server, whatever address it binds.
    """
    logger.info("eros-db server start transport=%s", transport.value)
    if transport is Transport.stdio:
        eros_db.serve(lambda: tool_server(bootstrap()), transport.value, host=host, port=port)
        logger.info("eros-db server stop transport=%s", transport.value)
        return
    # Deferred: the HTTP auth stack loads only for this transport.
    from eros.config import load_web_settings  # noqa: PLC0415 - see above
    from eros.web.mcp import host_checks, protected_tool_server  # noqa: PLC0415 - see above

    container = bootstrap()
    extra = load_web_settings(container.settings.environ).allowed_hosts
    eros_db.serve(
        lambda: protected_tool_server(container),
        transport.value,
        host=host,
        port=port,
        transport_security=host_checks(host, extra),
    )
    logger.info("eros-db server stop transport=%s", transport.value)


@mcp_app.command("tools")
def tools(
    as_json: Annotated[bool, typer.Option("--json", help="Print the full schemas as JSON.")] = False,
) -> None:
    """List the tools the configured transport offers."""
    listed = asyncio.run(connect_client(configured()).list_tools())
    if as_json:
        console.print_json(json.dumps(listed))
        return
    table = Table("tool", "parameters", "description")
    for tool in listed:
        params = ", ".join(tool["input_schema"].get("properties", {}))
        table.add_row(tool["name"], params, (tool["description"] or "").strip().splitlines()[0])
    console.print(table)


@mcp_app.command("call")
def call(
    tool: Annotated[str, typer.Argument(help="Tool name, e.g. get_creator_profile.")],
    arguments: Annotated[list[str] | None, typer.Argument(help="key=value … (values parsed as JSON)")] = None,
) -> None:
    """Call one tool (an operator's probe) and print its JSON answer."""
    client = connect_client(configured())
    try:
        result = asyncio.run(client.call_tool(tool, parse_arguments(arguments or [])))
    except ErosError as exc:
        typer.echo(json.dumps(exc.as_dict(), indent=2, default=str))
        raise typer.Exit(1) from None
    typer.echo(json.dumps(result, indent=2, default=str))


@cache_app.command("stats")
def cache_stats(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
) -> None:
    """Cache hits, misses and evictions: there is no cache, so this says why."""
    if as_json:
        typer.echo(json.dumps({"cache": None, "reads": "database", "reason": NO_CACHE_REASON}))
        return
    typer.echo("no cache: every eros-db tool read goes to the database")
    typer.echo(f"reason: {NO_CACHE_REASON} (docs/DECISIONS.md)")


@cache_app.command("clear")
def cache_clear() -> None:
    """Empty the cache: there is none, so nothing can be stale and nothing is cleared."""
    typer.echo("no cache to clear: every eros-db tool read already goes to the database")


def register(app: typer.Typer) -> None:
    app.add_typer(mcp_app, name="mcp")
