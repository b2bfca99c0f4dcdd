"""The log adapter: rotation at the configured size, retention by age, JSON lines, no secrets."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from eros.config import (
    DEFAULT_LOG_MAX_BYTES,
    DEFAULT_LOG_RETENTION_DAYS,
    LogSettings,
    load_log_settings,
    secret_values,
)
from eros.errors import ConfigError
from eros.infra.logs import (
    MIN_SECRET_CHARS,
    REDACTED,
    SECONDS_PER_DAY,
    RetainedRotatingFileHandler,
    configure_logging,
    redact,
    redact_also,
    reset_logging,
)

#: Rotated files get the real mtime of their last write, so "now" is the real clock, read once.
NOW = time.time()
MINUTE = 60.0
SEVEN_DAYS = 7 * SECONDS_PER_DAY


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    yield
    reset_logging()


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("eros.router", logging.INFO, __file__, 1, message, None, None)
    record.__dict__.update(extra)
    return record


def _handler(path: Path, max_bytes: int, retention_days: float = 7.0) -> RetainedRotatingFileHandler:
    handler = RetainedRotatingFileHandler(
        path, max_bytes=max_bytes, retention_days=retention_days, now=lambda: NOW
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
    return handler


def test_the_file_rotates_when_the_next_line_would_reach_the_configured_size(tmp_path: Path) -> None:
    line = "x" * 9  # ten bytes with its newline
    fits = _handler(tmp_path / "fits.log", max_bytes=21)
    for _ in range(2):
        fits.emit(_record(line))
    fits.close()
    assert (tmp_path / "fits.log").stat().st_size == 20 and not (tmp_path / "fits.log.1").exists()

    rotates = _handler(tmp_path / "app.log", max_bytes=20)
    for _ in range(2):
        rotates.emit(_record(line))
    rotates.close()
    assert (tmp_path / "app.log.1").read_text() == line + "\n"
    assert (tmp_path / "app.log").read_text() == line + "\n"


def _aged(path: Path, age_s: float) -> Path:
    path.write_text("old\n")
    os.utime(path, (NOW - age_s, NOW - age_s))
    return path


def test_rotated_files_older_than_the_retention_are_deleted_at_start(tmp_path: Path) -> None:
    base = tmp_path / "app.log"
    young = _aged(tmp_path / "app.log.1", SEVEN_DAYS - MINUTE)
    old = _aged(tmp_path / "app.log.2", SEVEN_DAYS + MINUTE)
    unrelated = _aged(tmp_path / "app.log.bak", 30 * SECONDS_PER_DAY)
    _handler(base, max_bytes=1000).close()
    assert young.exists() and not old.exists() and unrelated.exists()


def test_a_rollover_deletes_what_passed_the_retention(tmp_path: Path) -> None:
    base = tmp_path / "app.log"
    handler = _handler(base, max_bytes=15, retention_days=1.0)
    _aged(tmp_path / "app.log.1", SECONDS_PER_DAY - MINUTE)  # renamed to .2 by the rollover
    _aged(tmp_path / "app.log.2", SECONDS_PER_DAY + MINUTE)  # renamed to .3, then deleted
    handler.emit(_record("first line"))
    handler.emit(_record("second line"))  # 11 + 12 >= 15: rolls over
    handler.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.log", "app.log.1", "app.log.2"]
    assert (tmp_path / "app.log.1").read_text() == "first line\n"


def test_json_lines_carry_time_level_logger_message_and_extra_fields(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    configure_logging(LogSettings(file=path, format="json"))
    logging.getLogger("eros.orchestrator").info("v5 run end creator=%s", "alexia", extra={"phase": "save"})
    reset_logging()
    [line] = path.read_text().splitlines()
    entry = json.loads(line)
    assert entry["logger"] == "eros.orchestrator" and entry["level"] == "INFO"
    assert entry["message"] == "v5 run end creator=alexia" and entry["phase"] == "save"
    assert entry["time"].startswith("20")


def test_plain_lines_name_their_logger_for_the_runbooks_grep(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    configure_logging(LogSettings(file=path))
    logging.getLogger("eros.rollback").info("rollback started")
    logging.getLogger("eros.rollback").debug("not at the default file level")
    reset_logging()
    [line] = path.read_text().splitlines()
    assert " INFO eros.rollback: rollback started" in line and line.endswith("rollback started")


SIGNING_KEY = "9f" * 32
WEBHOOK = "https://hooks.slack.com/services/T000/B000/XXXXSECRET"
ROUTING_KEY = "pd-routing-key-0123456789"


def test_no_secret_reaches_a_log_line(tmp_path: Path) -> None:
    env = {
        "EROS_SIGNING_KEY": SIGNING_KEY,
        "EROS_SLACK_WEBHOOK_URL": WEBHOOK,
        "EROS_PAGERDUTY_ROUTING_KEY": ROUTING_KEY,
        "EROS_ALERT_TEAMS_URL": "https://teams.example/hook/abc",
        "EROS_DB_URL": "postgresql://eros:hunter2pw@db/eros",
    }
    path = tmp_path / "app.log"
    configure_logging(load_log_settings(env, file=path, fmt="json"))
    log = logging.getLogger("eros.adapters")
    log.warning("delivery to %s failed", WEBHOOK, extra={"routing_key": ROUTING_KEY})
    log.warning("key %s, teams %s", SIGNING_KEY, env["EROS_ALERT_TEAMS_URL"])
    log.warning("connect postgresql://eros:hunter2pw@db/eros and https://hooks.slack.com/services/OTHER")
    try:
        raise RuntimeError(f"signing with {SIGNING_KEY}")
    except RuntimeError:
        log.exception("failed")
    reset_logging()
    text = path.read_text()
    for secret in (SIGNING_KEY, WEBHOOK, ROUTING_KEY, "hunter2pw", "teams.example", "OTHER"):
        assert secret not in text
    assert text.count(REDACTED) >= 7 and len(text.splitlines()) == 4


def test_secrets_shorter_than_the_minimum_are_not_redacted_and_reset_forgets_them() -> None:
    short, long = "s" * (MIN_SECRET_CHARS - 1), "l" * MIN_SECRET_CHARS
    redact_also(short, long)
    assert redact(f"a {short} b {long} c") == f"a {short} b {REDACTED} c"
    reset_logging()
    assert redact(f"b {long} c") == f"b {long} c"


def test_a_known_secret_inside_a_webhook_url_leaves_no_part_of_the_url() -> None:
    redact_also("hooks.slack.com")
    assert redact("posting to https://hooks.slack.com/services/OTHER now") == f"posting to {REDACTED} now"
    reset_logging()


def test_which_settings_are_secret() -> None:
    env = {
        "EROS_SIGNING_KEY": SIGNING_KEY,
        "EROS_SIGNING_KEY_FILE": "/etc/eros/key",
        "EROS_SLACK_WEBHOOK_URL": WEBHOOK,
        "EROS_ALERT_EMAIL_TO": "oncall@example.com",
        "EROS_DB_URL": "postgresql://eros:pw@db/eros",
        "EROS_DB_PATH": "/srv/eros.db",
        "EROS_PAGERDUTY_URL": "https://events.pagerduty.com/v2/enqueue",
        "HOME_TOKEN": "not ours",
    }
    assert set(secret_values(env)) == {SIGNING_KEY, WEBHOOK, "oncall@example.com", "pw"}


def test_log_settings_defaults_and_overrides() -> None:
    defaults = load_log_settings({})
    assert (defaults.file, defaults.format) == (None, "plain")
    assert (defaults.max_bytes, defaults.retention_days) == (100 * 1024 * 1024, 7.0)
    assert (DEFAULT_LOG_MAX_BYTES, DEFAULT_LOG_RETENTION_DAYS) == (104_857_600, 7.0)
    env = {"EROS_LOG_FILE": "/tmp/x.log", "EROS_LOG_FORMAT": "JSON", "EROS_LOG_MAX_BYTES": "1"}
    chosen = load_log_settings(env | {"EROS_LOG_RETENTION_DAYS": "0.5"}, file=Path("/tmp/y.log"))
    assert (chosen.file, chosen.format, chosen.max_bytes, chosen.retention_days) == (
        Path("/tmp/y.log"),
        "json",
        1,
        0.5,
    )


@pytest.mark.parametrize(
    "env",
    [
        {"EROS_LOG_MAX_BYTES": "0"},
        {"EROS_LOG_MAX_BYTES": "100MB"},
        {"EROS_LOG_RETENTION_DAYS": "-1"},
        {"EROS_LOG_FORMAT": "xml"},
    ],
)
def test_bad_log_settings_are_invalid_config(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as caught:
        load_log_settings(env)
    assert caught.value.code == "INVALID_CONFIG" and next(iter(env.values())) in caught.value.message


@pytest.mark.parametrize(
    ("verbosity", "shown"), [(0, ["WARNING"]), (1, ["INFO", "WARNING"]), (2, ["DEBUG", "INFO", "WARNING"])]
)
def test_stderr_shows_more_with_each_v(
    verbosity: int, shown: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(LogSettings(), verbosity)
    log = logging.getLogger("eros.monitoring")
    log.debug("d")
    log.info("i")
    log.warning("w")
    reset_logging()
    lines = capsys.readouterr().err.splitlines()
    assert [line.split()[0] for line in lines] == shown
