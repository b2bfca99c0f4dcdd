"""Errors as values with codes at the boundary; precise exceptions inside."""

from __future__ import annotations

from typing import Any


class ErosError(Exception):
    """An expected failure a person can act on: it carries a stable code and a plain sentence."""

    code = "EROS_ERROR"
    #: Whether the same call may succeed later unchanged (a lock, a lost connection); a tool
    #: error carries it as `retryable` in its details, and the CLI exits 75 instead of 2.
    retryable = False

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or {}
        self.retryable = bool(self.details.get("retryable", self.retryable))

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.message, "error_code": self.code, **self.details}


class CreatorNotFound(ErosError):
    code = "CREATOR_NOT_FOUND"


class InvalidInput(ErosError):
    code = "VALIDATION_ERROR"


class InvalidDate(ErosError):
    code = "INVALID_DATE"


class ConfigError(ErosError):
    code = "CONFIG_ERROR"


class DatabaseError(ErosError):
    """The database failed in a way that may pass (a lost connection); the subclasses say when not.

    `eros.db.faults` is the one place that turns driver errors into these.
    """

    code = "DATABASE_ERROR"
    retryable = True

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, code=code, details={"retryable": type(self).retryable, **(details or {})})


class NoDatabase(DatabaseError, ConfigError):
    """No database file, an empty one, or one without the EROS schema: only `eros db init` makes one.
    Also a ConfigError, as NO_DATABASE always was: the configured path names no database."""

    code = "NO_DATABASE"
    retryable = False


class DatabaseUnreadable(DatabaseError):
    code = "DATABASE_UNREADABLE"
    retryable = False


class DatabaseReadOnly(DatabaseError):
    code = "DATABASE_READONLY"
    retryable = False


class DatabaseLocked(DatabaseError):
    """Another process held the write lock for longer than the busy timeout: retrying may work."""

    code = "DATABASE_LOCKED"
    retryable = True


class DatabaseCorrupt(DatabaseError):
    """The file is not a database or its pages are damaged: retrying never helps, a backup does."""

    code = "DATABASE_CORRUPT"
    retryable = False


class DatabaseFull(DatabaseError):
    code = "DATABASE_FULL"
    retryable = False


class InternalError(ErosError):
    """A failure nobody expected (a bug): its type and message, never its stack trace, unless --debug."""

    code = "INTERNAL_ERROR"


class ToolCallError(ErosError):
    """An eros-db tool answered with an error (the code is the tool's)."""

    code = "TOOL_ERROR"


class TransportError(ErosError):
    """The MCP server could not be reached or did not answer in time."""

    code = "MCP_UNAVAILABLE"
