"""Configuration from the environment, read once at the edge (ARCHITECTURE §7)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from eros.errors import ConfigError
from eros.rules.timing import DEFAULT_TIME_GRID, TIME_GRIDS

DEFAULT_DB_PATH = "./eros.db"
DEFAULT_MCP_TRANSPORT = "inprocess"
DEFAULT_LEARNINGS_PATH = "LEARNINGS.md"
DEFAULT_V4_RUNNER = "builtin"
DEFAULT_PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue"
#: `EROS_DB_BUSY_TIMEOUT_S`: seconds to wait for another process's database lock (0 to 3600).
DEFAULT_DB_BUSY_TIMEOUT_S = 10.0
MAX_DB_BUSY_TIMEOUT_S = 3600.0
#: `EROS_FANOUT_CRON`: when the workers enqueue next week for every creator (Mondays 06:00 UTC).
DEFAULT_FANOUT_CRON = "0 6 * * 1"
#: `EROS_WORKER_STALLED_S`: a worker silent this long is dead and its jobs are run again (1 to 3600).
DEFAULT_WORKER_STALLED_S = 30.0
MIN_WORKER_STALLED_S, MAX_WORKER_STALLED_S = 1.0, 3600.0
#: `EROS_DB_POOL_SIZE` / `EROS_DB_MAX_OVERFLOW`: a PostgreSQL engine's kept and extra connections.
DEFAULT_DB_POOL_SIZE = 5
DEFAULT_DB_MAX_OVERFLOW = 10
MAX_DB_POOL = 1000


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
    db_busy_timeout_s: float = DEFAULT_DB_BUSY_TIMEOUT_S
    #: `EROS_SIGNING_KEY_FILE`; None means beside an SQLite database (eros.db.signing_keys).
    signing_key_file: Path | None = None
    fanout_cron: str = DEFAULT_FANOUT_CRON
    worker_stalled_s: float = DEFAULT_WORKER_STALLED_S
    #: `EROS_TIME_GRID`: 45 (default) or 15 minutes between base send times (eros.scheduling.generator).
    time_grid: int = DEFAULT_TIME_GRID
    db_pool_size: int = DEFAULT_DB_POOL_SIZE
    db_max_overflow: int = DEFAULT_DB_MAX_OVERFLOW


def db_url_from_env(env: dict[str, str]) -> str:
    """`EROS_DB_URL` (PostgreSQL or any SQLAlchemy URL) wins; else the SQLite file at `EROS_DB_PATH`."""
    if env.get("EROS_DB_URL"):
        return env["EROS_DB_URL"]
    path = Path(env.get("EROS_DB_PATH") or DEFAULT_DB_PATH).expanduser().resolve()
    return f"sqlite:///{path}"


def busy_timeout_from_env(value: str | None) -> float:
    """`EROS_DB_BUSY_TIMEOUT_S` as seconds, or INVALID_CONFIG naming the variable."""
    return seconds_from_env(
        "EROS_DB_BUSY_TIMEOUT_S", value, DEFAULT_DB_BUSY_TIMEOUT_S, 0.0, MAX_DB_BUSY_TIMEOUT_S
    )


def seconds_from_env(name: str, value: str | None, default: float, low: float, high: float) -> float:
    """A number of seconds from `low` to `high` in variable `name`, or INVALID_CONFIG naming it."""
    if value is None or not value.strip():
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = low - 1
    if not low <= seconds <= high:
        raise ConfigError(
            f"{name}={value!r} is not a number of seconds from {low:g} to {high:g}", code="INVALID_CONFIG"
        )
    return seconds


def time_grid_from_env(value: str | None) -> int:
    """`EROS_TIME_GRID` as minutes (45 or 15), or INVALID_CONFIG naming the variable."""
    if value is None or not value.strip():
        return DEFAULT_TIME_GRID
    if value.strip() not in {str(grid) for grid in TIME_GRIDS}:
        raise ConfigError(
            f"EROS_TIME_GRID={value!r} is not one of {', '.join(str(grid) for grid in TIME_GRIDS)}",
            code="INVALID_CONFIG",
        )
    return int(value)


def pool_setting_from_env(name: str, value: str | None, default: int, minimum: int) -> int:
    """A connection-pool size from the environment, or INVALID_CONFIG naming the variable."""
    if value is None or not value.strip():
        return default
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if not minimum <= number <= MAX_DB_POOL:
        raise ConfigError(
            f"{name}={value!r} is not a whole number from {minimum} to {MAX_DB_POOL}", code="INVALID_CONFIG"
        )
    return number


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
        db_busy_timeout_s=busy_timeout_from_env(env.get("EROS_DB_BUSY_TIMEOUT_S")),
        signing_key_file=Path(env["EROS_SIGNING_KEY_FILE"]).expanduser()
        if env.get("EROS_SIGNING_KEY_FILE")
        else None,
        fanout_cron=(env.get("EROS_FANOUT_CRON") or DEFAULT_FANOUT_CRON).strip(),
        worker_stalled_s=seconds_from_env(
            "EROS_WORKER_STALLED_S",
            env.get("EROS_WORKER_STALLED_S"),
            DEFAULT_WORKER_STALLED_S,
            MIN_WORKER_STALLED_S,
            MAX_WORKER_STALLED_S,
        ),
        time_grid=time_grid_from_env(env.get("EROS_TIME_GRID")),
        db_pool_size=pool_setting_from_env(
            "EROS_DB_POOL_SIZE", env.get("EROS_DB_POOL_SIZE"), DEFAULT_DB_POOL_SIZE, 1
        ),
        db_max_overflow=pool_setting_from_env(
            "EROS_DB_MAX_OVERFLOW", env.get("EROS_DB_MAX_OVERFLOW"), DEFAULT_DB_MAX_OVERFLOW, 0
        ),
    )


# --- logs (runbook §2 "Log Locations", §8 "Log Rotation") ---------------------------------------

LOG_FORMATS = ("plain", "json")
#: The runbook's rotation: "Max size: 100MB", "Retention: 7 days".
DEFAULT_LOG_MAX_BYTES = 100 * 1024 * 1024
DEFAULT_LOG_RETENTION_DAYS = 7.0
#: Environment variables whose value is a secret by name (plus any URL carrying a password).
SECRET_NAME_PARTS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "WEBHOOK", "CREDENTIAL")
#: Names ending so hold where a secret is, not the secret itself.
NOT_SECRET_SUFFIXES = ("_FILE", "_PATH")


@dataclass(frozen=True)
class LogSettings:
    """Where log lines go and how the file rotates (`--log-file`, `EROS_LOG_*`)."""

    file: Path | None = None
    format: str = "plain"
    max_bytes: int = DEFAULT_LOG_MAX_BYTES
    retention_days: float = DEFAULT_LOG_RETENTION_DAYS
    #: Values no log line may carry (redacted by eros.infra.logs).
    secrets: tuple[str, ...] = field(default=(), repr=False)


def _positive(name: str, value: str | None, default: float, kind: type[int] | type[float]) -> float:
    if value is None or not value.strip():
        return default
    try:
        number = kind(value.strip())
    except ValueError:
        number = 0
    if number <= 0:
        raise ConfigError(f"{name}={value!r} is not a positive {kind.__name__}", code="INVALID_CONFIG")
    return number


def secret_values(env: dict[str, str]) -> tuple[str, ...]:
    """Every secret the environment holds: keys, tokens, webhook URLs, a database URL's password."""
    found: list[str] = []
    for name, value in env.items():
        if not name.startswith("EROS_") or not value.strip() or name.endswith(NOT_SECRET_SUFFIXES):
            continue
        if any(part in name for part in SECRET_NAME_PARTS) or name.startswith("EROS_ALERT_"):
            found.append(value.strip())
        elif "://" in value and "@" in value:
            userinfo = value.split("://", 1)[1].split("@", 1)[0]
            if ":" in userinfo and userinfo.split(":", 1)[1]:
                found.append(userinfo.split(":", 1)[1])
    return tuple(dict.fromkeys(found))


def load_log_settings(
    environ: dict[str, str] | None = None, *, file: Path | None = None, fmt: str | None = None
) -> LogSettings:
    """`--log-file` / `--log-format` win over `EROS_LOG_FILE` / `EROS_LOG_FORMAT`; INVALID_CONFIG if bad."""
    env = dict(os.environ if environ is None else environ)
    text = (fmt or env.get("EROS_LOG_FORMAT") or "plain").strip().lower()
    if text not in LOG_FORMATS:
        raise ConfigError(
            f"log format {text!r} is not one of {', '.join(LOG_FORMATS)} (--log-format, EROS_LOG_FORMAT)",
            code="INVALID_CONFIG",
        )
    path = file or (Path(env["EROS_LOG_FILE"]) if env.get("EROS_LOG_FILE", "").strip() else None)
    return LogSettings(
        file=path.expanduser() if path is not None else None,
        format=text,
        max_bytes=int(
            _positive("EROS_LOG_MAX_BYTES", env.get("EROS_LOG_MAX_BYTES"), DEFAULT_LOG_MAX_BYTES, int)
        ),
        retention_days=_positive(
            "EROS_LOG_RETENTION_DAYS", env.get("EROS_LOG_RETENTION_DAYS"), DEFAULT_LOG_RETENTION_DAYS, float
        ),
        secrets=secret_values(env),
    )


# --- the web app (`eros serve`) ------------------------------------------------------------

#: `EROS_SESSION_MAX_AGE_S`: how long a browser session lasts after login (default 8 hours).
DEFAULT_SESSION_MAX_AGE_S = 8 * 3600
MAX_SESSION_MAX_AGE_S = 30 * 86_400


@dataclass(frozen=True)
class WebSettings:
    session_max_age_s: int = DEFAULT_SESSION_MAX_AGE_S
    #: `EROS_WEB_HTTPS_ONLY`: session cookies only over HTTPS (set it behind a TLS proxy).
    https_only: bool = False
    #: `EROS_ALLOWED_HOSTS`: host names (comma-separated) clients use to reach `/mcp` besides the
    #: loopback names and the bind address (the DNS-rebinding check refuses any other Host).
    allowed_hosts: tuple[str, ...] = ()


def load_web_settings(environ: dict[str, str]) -> WebSettings:
    raw = environ.get("EROS_SESSION_MAX_AGE_S", "").strip()
    try:
        max_age = int(raw) if raw else DEFAULT_SESSION_MAX_AGE_S
    except ValueError:
        max_age = 0
    if not 60 <= max_age <= MAX_SESSION_MAX_AGE_S:
        raise ConfigError(
            f"EROS_SESSION_MAX_AGE_S={raw!r} is not a whole number of seconds "
            f"from 60 to {MAX_SESSION_MAX_AGE_S}",
            code="INVALID_CONFIG",
        )
    return WebSettings(
        session_max_age_s=max_age,
        https_only=env_bool(environ.get("EROS_WEB_HTTPS_ONLY"), False),
        allowed_hosts=tuple(h.strip() for h in environ.get("EROS_ALLOWED_HOSTS", "").split(",") if h.strip()),
    )
