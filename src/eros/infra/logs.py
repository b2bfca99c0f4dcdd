"""Where log lines go: stderr, and a size-rotated file with a retention (runbook §2, §4, §8).

Every component logs to its runbook logger (`eros.orchestrator`, `eros.router`, …); this adapter
only decides where the lines end up. An entry point calls `configure_logging` once per
invocation (the CLI's global options, `python -m eros.tools`) and `reset_logging` after it.

stderr shows warnings, `-v` INFO, `-vv` DEBUG. The file (`--log-file`, `EROS_LOG_FILE`) records
INFO and above (DEBUG with `-vv`), each line naming its logger so `grep "eros\\." FILE` works,
as plain text or JSON lines. It rotates at `max_bytes` (the standard library's
RotatingFileHandler) and rotated files older than the retention are deleted at each rotation
and at start. No line carries a secret: every formatted line passes through `Redactor`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

from eros.config import LogSettings
from eros.errors import ConfigError

EROS_LOGGER = "eros"
STDERR_FORMAT = "%(levelname)s %(name)s: %(message)s"
FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: A safety net beside the age limit: at most this many rotated files (100 × 100 MB by default).
MAX_ROTATED_FILES = 100
SECONDS_PER_DAY = 86_400.0
REDACTED = "[REDACTED]"
#: Secrets recognisable by shape whatever setting they came from: Slack webhooks, URL passwords.
SECRET_SHAPES = re.compile(r"https://hooks\.slack\.com/\S+|(?<=://)[^/\s:@]+:[^/\s@]+(?=@)")

#: Shorter values are not redacted: replacing every "k" or "pw" would garble every line while
#: hiding nothing an attacker could not guess.
MIN_SECRET_CHARS = 8

_secrets: set[str] = set()
_installed: list[logging.Handler] = []
_eros_level: list[int] = []


def redact_also(*values: str) -> None:
    """Add secrets only known after start (the signing key read from its file)."""
    _secrets.update(value for value in values if len(value) >= MIN_SECRET_CHARS)


def redact(text: str) -> str:
    """`text` with every secret-shaped span and every known secret (longest first) replaced; the
    shapes first, so a known secret inside a webhook URL cannot leave the rest of the URL behind."""
    text = SECRET_SHAPES.sub(REDACTED, text)
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
        escaped = json.dumps(secret)[1:-1]
        if escaped != secret:
            text = text.replace(escaped, REDACTED)
    return text


class Redactor(logging.Formatter):
    """Formats with `inner`, then redacts: message, arguments, extra fields and tracebacks alike."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.inner.format(record))


class UtcFormatter(logging.Formatter):
    """Plain lines stamped in ISO-8601 UTC (`2026-12-07T10:15:00.123Z`)."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        return stamp.replace("+00:00", "Z")


def line_formatter(fmt: str, plain: str) -> logging.Formatter:
    """`plain` text, or JSON lines carrying time, level, logger, message and any extra fields."""
    if fmt == "json":
        inner: logging.Formatter = JsonFormatter(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )
    else:
        inner = UtcFormatter(plain)
    return Redactor(inner)


class RetainedRotatingFileHandler(RotatingFileHandler):
    """The standard size rotation, plus deletion of rotated files older than `retention_days`.

    Rotated files keep their last write time when renamed, so age is read from the file itself;
    `now` is injectable so tests drive the age with explicit mtimes.
    """

    def __init__(
        self,
        path: Path,
        *,
        max_bytes: int,
        retention_days: float,
        now: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(path, maxBytes=max_bytes, backupCount=MAX_ROTATED_FILES, encoding="utf-8")
        self.retention_s = retention_days * SECONDS_PER_DAY
        self._now = now
        self.prune()

    def doRollover(self) -> None:
        super().doRollover()
        self.prune()

    def rotated_files(self) -> list[Path]:
        """`<file>.1`, `<file>.2`, … as they are on disk now."""
        base = Path(self.baseFilename)
        prefix = base.name + "."
        return [p for p in base.parent.glob(prefix + "*") if p.name[len(prefix) :].isdigit()]

    def prune(self) -> list[Path]:
        """Delete rotated files last written before now − retention; the ones deleted."""
        cutoff = self._now() - self.retention_s
        removed: list[Path] = []
        for path in self.rotated_files():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
            except FileNotFoundError:  # another process pruned it first
                continue
        return removed


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stderr` is at each line (a test runner swaps it per invocation)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        """The stream is never stored: it is looked up at each line."""


def stderr_level(verbosity: int) -> int:
    """0: warnings, 1 (`-v`): INFO, 2+ (`-vv`): DEBUG."""
    return logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG


def file_handler(path: Path, settings: LogSettings, verbosity: int) -> RetainedRotatingFileHandler:
    """The rotated file at `path`; LOG_FILE_UNWRITABLE when it cannot be opened."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RetainedRotatingFileHandler(
            path, max_bytes=settings.max_bytes, retention_days=settings.retention_days
        )
    except OSError as exc:
        raise ConfigError(
            f"cannot write the log file {path} ({exc.strerror or exc}); "
            "fix --log-file / EROS_LOG_FILE or its directory's permissions",
            code="LOG_FILE_UNWRITABLE",
        ) from exc
    handler.setLevel(logging.DEBUG if verbosity >= 2 else logging.INFO)
    handler.setFormatter(line_formatter(settings.format, FILE_FORMAT))
    return handler


def configure_logging(settings: LogSettings, verbosity: int = 0) -> None:
    """Install this invocation's handlers on the root logger (replacing any it installed before)."""
    reset_logging()
    redact_also(*settings.secrets)
    console = StderrHandler()
    console.setLevel(stderr_level(verbosity))
    console.setFormatter(line_formatter(settings.format, STDERR_FORMAT))
    handlers: list[logging.Handler] = [console]
    if settings.file is not None:
        handlers.append(file_handler(settings.file, settings, verbosity))
    _install(handlers)


def _install(handlers: Iterable[logging.Handler]) -> None:
    root, eros = logging.getLogger(), logging.getLogger(EROS_LOGGER)
    installed = list(handlers)
    needed = min(handler.level for handler in installed)
    _eros_level.append(eros.level)
    if eros.getEffectiveLevel() > needed:  # only ever lowered: a caller's own DEBUG stays
        eros.setLevel(needed)
    for handler in installed:
        root.addHandler(handler)
    _installed.extend(installed)


def reset_logging() -> None:
    """Remove and close what `configure_logging` installed; the `eros` logger's level as it was."""
    root = logging.getLogger()
    while _installed:
        handler = _installed.pop()
        root.removeHandler(handler)
        handler.close()
    while _eros_level:
        logging.getLogger(EROS_LOGGER).setLevel(_eros_level.pop())
    _secrets.clear()
