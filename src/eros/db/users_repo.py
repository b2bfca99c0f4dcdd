"""Users, API tokens, failed logins and the access audit trail (issue 13), on one connection.

Password and token hashes are stored and compared here but never returned by the listing
methods: what leaves this module for display carries no secret.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, RowMapping, delete, func, insert, select, update

from eros.db.schema import access_audit, api_tokens, login_failures, users
from eros.errors import ErosError

#: The columns a listing shows (no hash).
USER_COLUMNS = (users.c.name, users.c.role, users.c.disabled, users.c.created_at, users.c.created_by)
TOKEN_COLUMNS = (
    api_tokens.c.name,
    api_tokens.c.role,
    api_tokens.c.created_by,
    api_tokens.c.created_at,
    api_tokens.c.last_used_at,
    api_tokens.c.revoked_at,
)


class UserExists(ErosError):
    code = "USER_EXISTS"


class UserNotFound(ErosError):
    code = "USER_NOT_FOUND"


class TokenExists(ErosError):
    code = "TOKEN_EXISTS"


class TokenNotFound(ErosError):
    code = "TOKEN_NOT_FOUND"


class UserRepository:
    """Accounts and tokens; every change is paired with an `audit` row by the caller's use case."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # --- users

    def add_user(self, name: str, role: str, password_hash: str, *, by: str, at: str) -> None:
        if self.conn.execute(select(users.c.name).where(users.c.name == name)).first() is not None:
            raise UserExists(f"user {name!r} already exists")
        self.conn.execute(
            insert(users).values(
                name=name,
                role=role,
                password_hash=password_hash,
                disabled=False,
                created_at=at,
                created_by=by,
            )
        )

    def user_credentials(self, name: str) -> RowMapping | None:
        """The row a login checks (with its hash), or None for an unknown name."""
        return self.conn.execute(select(users).where(users.c.name == name)).mappings().first()

    def users(self) -> list[dict[str, Any]]:
        query = select(*USER_COLUMNS).order_by(users.c.name)
        return [dict(row) for row in self.conn.execute(query).mappings()]

    def set_disabled(self, name: str, disabled: bool, *, at: str) -> None:
        result = self.conn.execute(
            update(users).where(users.c.name == name).values(disabled=disabled, updated_at=at)
        )
        if result.rowcount == 0:
            raise UserNotFound(f"user {name!r} does not exist")

    def set_password_hash(self, name: str, password_hash: str, *, at: str) -> None:
        """A rehash at login (the hasher's parameters changed) or a new password."""
        self.conn.execute(
            update(users).where(users.c.name == name).values(password_hash=password_hash, updated_at=at)
        )

    # --- tokens

    def add_token(self, name: str, role: str, token_hash: str, *, by: str, at: str) -> None:
        if self.conn.execute(select(api_tokens.c.name).where(api_tokens.c.name == name)).first() is not None:
            raise TokenExists(f"token {name!r} already exists (revoke it or choose another name)")
        self.conn.execute(
            insert(api_tokens).values(
                name=name, role=role, token_hash=token_hash, created_by=by, created_at=at
            )
        )

    def active_token(self, token_hash: str) -> RowMapping | None:
        """The unrevoked token with this hash, or None."""
        query = select(*TOKEN_COLUMNS).where(
            api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None)
        )
        return self.conn.execute(query).mappings().first()

    def touch_token(self, name: str, *, at: str) -> None:
        self.conn.execute(update(api_tokens).where(api_tokens.c.name == name).values(last_used_at=at))

    def tokens(self) -> list[dict[str, Any]]:
        query = select(*TOKEN_COLUMNS).order_by(api_tokens.c.name)
        return [dict(row) for row in self.conn.execute(query).mappings()]

    def revoke_token(self, name: str, *, at: str) -> None:
        result = self.conn.execute(
            update(api_tokens)
            .where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        if result.rowcount == 0:
            raise TokenNotFound(f"no active token named {name!r}")

    # --- failed logins

    def record_login_failure(self, username: str, client: str, *, at: str, prune_before: str) -> None:
        """One failure; failures older than `prune_before` no longer count and are deleted."""
        self.conn.execute(delete(login_failures).where(login_failures.c.at < prune_before))
        self.conn.execute(insert(login_failures).values(username=username, client=client, at=at))

    def login_failures_since(self, username: str, client: str, since: str) -> int:
        """Failures strictly after `since` (one exactly a window old no longer counts)."""
        query = select(func.count()).where(
            login_failures.c.username == username,
            login_failures.c.client == client,
            login_failures.c.at > since,
        )
        return int(self.conn.execute(query).scalar_one())

    def clear_login_failures(self, username: str, client: str) -> None:
        self.conn.execute(
            delete(login_failures).where(
                login_failures.c.username == username, login_failures.c.client == client
            )
        )

    # --- audit

    def audit(self, *, actor: str, action: str, subject: str, at: str, detail: str | None = None) -> None:
        self.conn.execute(
            insert(access_audit).values(actor=actor, action=action, subject=subject, detail=detail, at=at)
        )

    def audit_rows(self, limit: int = 50) -> list[dict[str, Any]]:
        query = select(access_audit).order_by(access_audit.c.id.desc()).limit(limit)
        return [dict(row) for row in self.conn.execute(query).mappings()]
