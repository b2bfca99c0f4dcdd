"""Configuration from the environment, read once at the edge (ARCHITECTURE §7)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB_PATH = "./eros.db"
DEFAULT_MCP_TRANSPORT = "inprocess"
DEFAULT_LEARNINGS_PATH = "LEARNINGS.md"
DEFAULT_V4_RUNNER = "builtin"
DEFAULT_PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue"


def env_bool(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    db_url: str
    signing_key: str | None = None
    mcp_transport: str = DEFAULT_MCP_TRANSPORT
    learnings_path: Path = Path(DEFAULT_LEARNINGS_PATH)
    v4_runner: str = DEFAULT_V4_RUNNER
    slack_webhook_url: str | None = None
    pagerduty_routing_key: str | None = None
    pagerduty_url: str = DEFAULT_PAGERDUTY_URL
    environ: dict[str, str] = field(default_factory=dict, repr=False)
    #: `EROS_SIGNING_KEY_FILE`; None means beside an SQLite database (eros.db.signing_keys).
    signing_key_file: Path | None = None


def db_url_from_env(env: dict[str, str]) -> str:
    """`EROS_DB_URL` (PostgreSQL or any SQLAlchemy URL) wins; else the SQLite file at `EROS_DB_PATH`."""
    if env.get("EROS_DB_URL"):
        return env["EROS_DB_URL"]
    path = Path(env.get("EROS_DB_PATH") or DEFAULT_DB_PATH).expanduser().resolve()
    return f"sqlite:///{path}"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    return Settings(
        db_url=db_url_from_env(env),
        signing_key=env.get("EROS_SIGNING_KEY") or None,
        mcp_transport=(env.get("EROS_MCP_TRANSPORT") or DEFAULT_MCP_TRANSPORT).strip().lower(),
        learnings_path=Path(env.get("EROS_LEARNINGS_PATH") or DEFAULT_LEARNINGS_PATH),
        v4_runner=(env.get("EROS_V4_RUNNER") or DEFAULT_V4_RUNNER).strip(),
        slack_webhook_url=env.get("EROS_SLACK_WEBHOOK_URL") or None,
        pagerduty_routing_key=env.get("EROS_PAGERDUTY_ROUTING_KEY") or None,
        pagerduty_url=env.get("EROS_PAGERDUTY_URL") or DEFAULT_PAGERDUTY_URL,
        environ=env,
        signing_key_file=Path(env["EROS_SIGNING_KEY_FILE"]).expanduser()
        if env.get("EROS_SIGNING_KEY_FILE")
        else None,
    )
