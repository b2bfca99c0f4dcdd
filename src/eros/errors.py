"""Errors as values with codes at the boundary; precise exceptions inside."""

from __future__ import annotations

from typing import Any


class ErosError(Exception):
    """An expected failure a person can act on: it carries a stable code and a plain sentence."""

    code = "EROS_ERROR"

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or {}

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
    code = "DATABASE_ERROR"


class ToolCallError(ErosError):
    """An eros-db tool answered with an error (the code is the tool's)."""

    code = "TOOL_ERROR"


class TransportError(ErosError):
    """The MCP server could not be reached or did not answer in time."""

    code = "MCP_UNAVAILABLE"
