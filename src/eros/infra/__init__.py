"""Concrete adapters behind the ports: MCP clients, alert sinks, Prometheus, git."""
