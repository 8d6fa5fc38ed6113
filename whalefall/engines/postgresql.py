"""PostgreSQL 12+ through psycopg 3."""

from __future__ import annotations

import math
from typing import Any

from whalefall.engines.base import (
    AuthenticationFailed,
    ConnectionSettings,
    EngineAdapter,
    EngineError,
    ServerTimeout,
    first_line,
)

_AUTH_SQLSTATES = {"28000", "28P01"}


class PostgreSQLAdapter(EngineAdapter):
    name = "postgresql"
    label = "PostgreSQL"
    default_port = 5432

    def connect(self, settings: ConnectionSettings, database: str | None = None) -> Any:
        import psycopg

        try:
            return psycopg.connect(
                host=settings.host,
                port=settings.port,
                user=settings.username,
                password=settings.password,
                dbname=database or settings.database or "postgres",
                # libpq takes whole seconds, and treats values below 2 as 2.
                connect_timeout=max(2, math.ceil(settings.connect_timeout)),
                options=f"-c statement_timeout={int(settings.read_timeout * 1000)} -c default_transaction_read_only=on",
                application_name="whalefall",
                autocommit=True,
            )
        except Exception as exc:
            raise self.translate_error(exc, settings) from exc

    def server_version(self, connection: Any) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            return str(cursor.fetchone()[0])

    def translate_error(self, exc: BaseException, settings: ConnectionSettings) -> EngineError:
        where = f"{self.label} at {settings.address}"
        text = first_line(exc)
        sqlstate = getattr(exc, "sqlstate", None)
        lowered = str(exc).lower()
        if sqlstate in _AUTH_SQLSTATES or "password authentication failed" in lowered:
            return AuthenticationFailed(f"{where}: authentication failed: {_strip_prefix(text)}")
        if "timeout expired" in lowered:
            return ServerTimeout(f"{where}: timed out after {max(2, math.ceil(settings.connect_timeout))}s ({text})")
        return super().translate_error(exc, settings)


def _strip_prefix(text: str) -> str:
    return text.removeprefix("connection failed: ")
