"""The unit of work: what is committed lands together, anything else is rolled back."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from eros.db.unit_of_work import SqlUnitOfWork

AT = "2026-01-04T12:00:00Z"


def _overrides(engine: Engine) -> dict[str, str]:
    with SqlUnitOfWork(engine) as uow:
        return uow.ops.flag_override_values()


def _audit_rows(engine: Engine) -> int:
    with SqlUnitOfWork(engine) as uow:
        return len(uow.ops.flag_audit_rows())


def test_a_committed_override_lands_with_its_audit_row(empty_db: Engine) -> None:
    with SqlUnitOfWork(empty_db) as uow:
        uow.ops.set_flag_override("EROS_V5_PERCENTAGE", "25", actor="ops", at=AT, reason="phase 3a")
        uow.commit()
    assert _overrides(empty_db) == {"EROS_V5_PERCENTAGE": "25"}
    assert _audit_rows(empty_db) == 1


def test_leaving_without_commit_writes_nothing(empty_db: Engine) -> None:
    with SqlUnitOfWork(empty_db) as uow:
        uow.ops.set_flag_override("EROS_V5_PERCENTAGE", "25", actor="ops", at=AT)
    assert _overrides(empty_db) == {}
    assert _audit_rows(empty_db) == 0


def test_an_exception_half_way_writes_neither_half(empty_db: Engine) -> None:
    with pytest.raises(ZeroDivisionError), SqlUnitOfWork(empty_db) as uow:
        uow.ops.set_flag_override("EROS_V5_ENABLED", "true", actor="ops", at=AT)
        _ = 1 / 0
    assert _overrides(empty_db) == {}
    assert _audit_rows(empty_db) == 0


def test_writes_after_a_commit_need_their_own_commit(empty_db: Engine) -> None:
    with SqlUnitOfWork(empty_db) as uow:
        uow.ops.set_flag_override("EROS_V5_ENABLED", "true", actor="ops", at=AT)
        uow.commit()
        uow.ops.set_flag_override("EROS_V5_PERCENTAGE", "10", actor="ops", at=AT)
    assert _overrides(empty_db) == {"EROS_V5_ENABLED": "true"}


def test_the_connection_is_only_there_inside_the_block(empty_db: Engine) -> None:
    uow = SqlUnitOfWork(empty_db)
    with pytest.raises(RuntimeError, match="outside its `with` block"):
        _ = uow.connection
