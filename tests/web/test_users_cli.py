"""`eros users` and `eros tokens`: the password from standard input (never an argument), the token
printed once and stored hashed, every change in the access audit with `--by`."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import Engine, select

from eros.cli.app import run
from eros.db.schema import access_audit, api_tokens
from eros.services.auth import token_digest


def test_users_and_tokens_from_the_cli_are_audited(
    configured: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert run(["users", "add", "carol", "--role", "scheduler", "--by", "alice"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert run(["users", "add", "dave", "--role", "viewer", "--by", "alice"]) == 2
    assert "WEAK_PASSWORD" in capsys.readouterr().err
    assert run(["users", "add", "erin", "--role", "boss", "--by", "alice"]) == 2
    assert "INVALID_ROLE" in capsys.readouterr().err
    assert run(["tokens", "create", "ci", "--role", "operator", "--by", "alice"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("eros_")
    assert run(["tokens", "list"]) == 0
    assert token not in capsys.readouterr().out
    assert run(["tokens", "revoke", "ci", "--by", "alice"]) == 0
    assert run(["users", "disable", "carol", "--by", "alice"]) == 0
    with configured.connect() as conn:
        stored = conn.execute(select(api_tokens.c.token_hash).where(api_tokens.c.name == "ci")).scalar_one()
        audit = [
            tuple(r)
            for r in conn.execute(
                select(access_audit.c.actor, access_audit.c.action, access_audit.c.subject).where(
                    access_audit.c.actor == "alice"
                )
            )
        ]
    assert stored == token_digest(token)
    assert audit == [
        ("alice", "user_add", "carol"),
        ("alice", "token_create", "ci"),
        ("alice", "token_revoke", "ci"),
        ("alice", "user_disable", "carol"),
    ]
