"""Engine options per backend, applied when the app binds ``db``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

SQLITE_BUSY_TIMEOUT_MS = 15_000


def engine_options(database_url: str) -> dict[str, Any]:
    """Options for ``create_engine``: health-checked pools on servers, a long busy timeout on SQLite."""
    if make_url(database_url).get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}}
    return {"pool_pre_ping": True, "pool_recycle": 1800, "connect_args": {"connect_timeout": 10}}


def install_sqlite_pragmas(engine: Engine) -> None:
    """WAL lets the scheduler's threads write while web requests read; foreign keys are off by default on SQLite.

    synchronous=NORMAL is SQLite's recommended pairing with WAL: no corruption on a crash, no fsync per commit.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised through every SQLite test
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()
