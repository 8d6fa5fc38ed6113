"""Leadership: only the process holding the lock runs scheduled jobs, so each trigger fires exactly once.

PostgreSQL: a session-level advisory lock on a dedicated connection; if the leader dies (even SIGKILL) its
connection closes and the server releases the lock. SQLite (one host by nature): an exclusive ``flock`` on a
file beside the database, released by the kernel when the process dies. APScheduler's own documentation warns
that a job store must never be shared by two running schedulers: this is what keeps ours from ever doing so.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from whalefall.core.logging import get_logger

if TYPE_CHECKING:
    from pathlib import Path

log = get_logger(__name__)
ADVISORY_LOCK_KEY = 0x5746_5343_4845_4400  # "WFSCHED\0"


class LeaderLock(Protocol):
    description: str

    def acquire(self) -> bool: ...
    def held(self) -> bool: ...
    def release(self) -> None: ...


class PostgresAdvisoryLock:
    """``pg_try_advisory_lock`` held on its own connection (never a pooled one that could be recycled)."""

    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(
            database_url,
            poolclass=NullPool,
            connect_args={"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
                          "keepalives_count": 3, "application_name": "whalefall-scheduler-lock"},
        )  # fmt: skip
        self.connection = None
        self.description = f"PostgreSQL advisory lock {ADVISORY_LOCK_KEY}"

    def acquire(self) -> bool:
        try:
            if self.connection is None:
                self.connection = self.engine.connect()
            got = self.connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            self.connection.commit()
            if got.scalar():
                return True
        except Exception as exc:
            log.warning("leader_lock_unavailable", error=type(exc).__name__)
            self._drop()
        return False

    def held(self) -> bool:
        if self.connection is None:
            return False
        try:
            self.connection.execute(text("SELECT 1"))
            self.connection.commit()
            return True
        except Exception:
            self._drop()
            return False

    def release(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
                self.connection.commit()
        self._drop()

    def _drop(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.close()
        self.connection = None


class FileLeaderLock:
    """An exclusive, non-blocking ``flock``: one leader per host, freed by the kernel when the holder dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = None
        self.description = f"file lock {path}"

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - held open for as long as this process leads
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self.handle = handle
        return True

    def held(self) -> bool:
        return self.handle is not None

    def release(self) -> None:
        if self.handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
        self.handle = None


def leader_lock(database_url: str, data_dir: Path) -> LeaderLock:
    if make_url(database_url).get_backend_name() == "postgresql":
        return PostgresAdvisoryLock(database_url)
    return FileLeaderLock(data_dir / "scheduler.lock")
