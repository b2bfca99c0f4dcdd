"""The SQLAlchemy unit of work: one transaction, the repositories bound to it (ARCHITECTURE §6).

Writes that belong together (a save with its revision, a rollback with its state, a flag
override with its audit row, an import) go through one `with uow:` block and land together
at `uow.commit()`. Leaving the block without committing rolls everything back, so a
forgotten commit or an exception half-way loses nothing silently and writes nothing half.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import SQLAlchemyError

from eros.db.captions_repo import CaptionRepository
from eros.db.content_repo import ContentRepository
from eros.db.creators import CreatorRepository
from eros.db.ops_repo import OpsRepository
from eros.db.rollout_repo import RolloutRepository
from eros.db.schedules_repo import ScheduleRepository
from eros.db.signals_repo import SignalRepository
from eros.db.triggers_repo import TriggerRepository
from eros.db.users_repo import UserRepository

#: What a unit of work raises when a statement fails (a constraint, a bug) and callers outside
#: db/ catch without importing SQLAlchemy. A fault of the database itself (missing, read-only,
#: locked, damaged) arrives already coded, as an `eros.errors.DatabaseError` subclass, from the
#: engine's hook (`eros.db.faults`); `eros.db.faults.database_fault` codes the rest.
DatabaseFailure = SQLAlchemyError


class SqlUnitOfWork:
    """`with SqlUnitOfWork(engine) as uow: uow.ops.set_flag_override(...); uow.commit()`.

    Beyond the port's repositories it carries the caption bank and content reads the eros-db
    tools serve (`content`, `captions`); services see only `eros.ports.UnitOfWork`.
    """

    ops: OpsRepository
    rollout: RolloutRepository
    signals: SignalRepository
    schedules: ScheduleRepository
    triggers: TriggerRepository
    creators: CreatorRepository
    content: ContentRepository
    captions: CaptionRepository
    users: UserRepository

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None

    @property
    def connection(self) -> Connection:
        """The transaction's connection, for the db package's own query modules (analyze, import)."""
        if self._conn is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self._conn

    def __enter__(self) -> Self:
        conn = self.engine.connect()
        self._conn, self._tx = conn, conn.begin()
        self.ops = OpsRepository(conn)
        self.rollout = RolloutRepository(conn)
        self.signals = SignalRepository(conn)
        self.schedules = ScheduleRepository(conn)
        self.triggers = TriggerRepository(conn)
        self.creators = CreatorRepository(conn)
        self.content = ContentRepository(conn)
        self.captions = CaptionRepository(conn)
        self.users = UserRepository(conn)
        return self

    def commit(self) -> None:
        """Make this block's writes durable; later writes in the same block need another commit."""
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        conn, self._conn, self._tx = self._conn, None, None
        if conn is not None:
            conn.rollback()
            conn.close()
