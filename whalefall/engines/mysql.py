"""MySQL 5.7/8.x and MariaDB 10.x/11.x through PyMySQL."""

from __future__ import annotations

from typing import Any

from whalefall.engines.base import (
    AuthenticationFailed,
    ConnectionSettings,
    EngineAdapter,
    EngineError,
    ServerTimeout,
    ServerUnreachable,
    first_line,
)

_ACCESS_DENIED = {1044, 1045, 1698}
_CANNOT_CONNECT = {2002, 2003, 2005, 2006, 2013}


class MySQLAdapter(EngineAdapter):
    name = "mysql"
    label = "MySQL"
    default_port = 3306

    def connect(self, settings: ConnectionSettings) -> Any:
        import pymysql

        try:
            return pymysql.connect(
                host=settings.host,
                port=settings.port,
                user=settings.username,
                password=settings.password,
                database=settings.database or None,
                connect_timeout=settings.connect_timeout,
                read_timeout=settings.read_timeout,
                write_timeout=settings.read_timeout,
                charset="utf8mb4",
                autocommit=True,
            )
        except Exception as exc:
            raise self.translate_error(exc, settings) from exc

    def server_version(self, connection: Any) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT VERSION()")
            return str(cursor.fetchone()[0])

    def translate_error(self, exc: BaseException, settings: ConnectionSettings) -> EngineError:
        code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
        where = f"{self.label} at {settings.address}"
        text = first_line(exc)
        if code in _ACCESS_DENIED:
            return AuthenticationFailed(f"{where}: authentication failed: {text}")
        if code in _CANNOT_CONNECT:
            if "timed out" in text.lower():
                return ServerTimeout(f"{where}: timed out after {settings.connect_timeout:g}s ({text})")
            return ServerUnreachable(f"{where} is unreachable: {text}")
        return super().translate_error(exc, settings)
