"""SQL Server 2016+ through pymssql."""

from __future__ import annotations

from typing import Any

from whalefall.engines.base import AuthenticationFailed, ConnectionSettings, EngineAdapter, EngineError, first_line

_LOGIN_FAILED = 18456


class SQLServerAdapter(EngineAdapter):
    name = "sqlserver"
    label = "SQL Server"
    default_port = 1433

    def connect(self, settings: ConnectionSettings, database: str | None = None) -> Any:
        import pymssql

        try:
            return pymssql.connect(
                server=settings.host,
                port=str(settings.port),
                user=settings.username,
                password=settings.password,
                database=database or settings.database or "master",
                login_timeout=max(1, int(settings.connect_timeout)),
                timeout=max(1, int(settings.read_timeout)),
                appname="whalefall",
                autocommit=True,
            )
        except Exception as exc:
            raise self.translate_error(exc, settings) from exc

    def server_version(self, connection: Any) -> str:
        cursor = connection.cursor()
        try:
            cursor.execute("SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)), @@VERSION")
            product_version, banner = cursor.fetchone()
            return f"{product_version} ({first_line(Exception(banner))})"
        finally:
            cursor.close()

    def translate_error(self, exc: BaseException, settings: ConnectionSettings) -> EngineError:
        text = str(exc)
        if str(_LOGIN_FAILED) in text or "Login failed" in text:
            return AuthenticationFailed(f"{self.label} at {settings.address}: authentication failed: {first_line(exc)}")
        return super().translate_error(exc, settings)
