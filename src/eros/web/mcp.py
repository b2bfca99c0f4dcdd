"""The eros-db MCP server over HTTP, protected: bearer tokens through the SDK's own auth hooks and
Host/Origin (DNS-rebinding) checks whatever address it binds. Used by `/mcp` and by
`eros mcp serve --transport streamable-http`.
"""

from __future__ import annotations

from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings

from eros.access import Role
from eros.bootstrap import Container, tool_server
from eros.services.auth import verify_token

#: The tools save schedules and triggers, so a token needs at least this role.
MCP_ROLE = Role.SCHEDULER
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


class ApiTokenVerifier:
    """The SDK's `TokenVerifier` over `eros tokens`: a live token's scopes are its role and every
    role below it, so the SDK's `required_scopes` check is the role check."""

    def __init__(self, container: Container) -> None:
        self.container = container

    async def verify_token(self, token: str) -> AccessToken | None:
        principal = verify_token(self.container.uow, self.container.clock, token)
        if principal is None:
            return None
        scopes = [role.value for role in Role if role.rank <= principal.role.rank]
        return AccessToken(token=token, client_id=principal.name, scopes=scopes)


def protected_tool_server(container: Container) -> MCPServer:
    return tool_server(container, token_verifier=ApiTokenVerifier(container), scope=MCP_ROLE.value)


def host_checks(bind_host: str, extra_hosts: tuple[str, ...] = ()) -> TransportSecuritySettings:
    """Accept only requests whose Host names this server (loopback names, the bind address, the
    configured extra names) and whose Origin, when sent, is one of those over http or https."""
    names = [*LOOPBACK_HOSTS, *extra_hosts]
    if bind_host not in WILDCARD_HOSTS:
        names.append(f"[{bind_host}]" if ":" in bind_host else bind_host)
    unique = list(dict.fromkeys(names))
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[pattern for name in unique for pattern in (name, f"{name}:*")],
        allowed_origins=[
            f"{scheme}://{name}{port}"
            for name in unique
            for scheme in ("http", "https")
            for port in ("", ":*")
        ],
    )
