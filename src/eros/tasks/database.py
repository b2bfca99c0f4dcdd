"""Where the queue lives: EROS_DB_URL's PostgreSQL database, with the `queue` extra installed.

Free of Procrastinate on purpose: the CLI checks this before it loads the queue, so an SQLite
installation, or one without the extra, gets a coded sentence instead of an import failure.
"""

from __future__ import annotations

from importlib.util import find_spec

from sqlalchemy.engine import make_url

from eros.errors import ConfigError


class QueueNeedsPostgres(ConfigError):
    code = "QUEUE_NEEDS_POSTGRES"


class QueueNotInstalled(ConfigError):
    code = "QUEUE_NOT_INSTALLED"


def conninfo(db_url: str) -> str:
    """The libpq address of EROS_DB_URL's PostgreSQL database; QUEUE_NEEDS_POSTGRES for any other
    database, QUEUE_NOT_INSTALLED without Procrastinate."""
    url = make_url(db_url)
    if url.get_backend_name() != "postgresql":
        raise QueueNeedsPostgres(
            "The task queue needs PostgreSQL (EROS_DB_URL=postgresql+psycopg://…); this installation "
            f"uses {url.get_backend_name()}, where `eros run --all` plans every creator in this process "
            "(docs/OPERATIONS.md, workers)."
        )
    if find_spec("procrastinate") is None:
        raise QueueNotInstalled("The task queue is not installed: pip install 'eros[queue]'.")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
