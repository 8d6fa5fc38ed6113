"""Oracle 12c+ through python-oracledb in thin mode (no Oracle client libraries needed)."""

from __future__ import annotations

from typing import Any

from whalefall.engines.base import AuthenticationFailed, ConnectionSettings, EngineAdapter, EngineError, first_line

_AUTH_ERRORS = ("ORA-01017", "ORA-28000", "ORA-28001")


class OracleAdapter(EngineAdapter):
    name = "oracle"
    label = "Oracle"
    default_port = 1521

    def connect(self, settings: ConnectionSettings) -> Any:
        import oracledb

        try:
            connection = oracledb.connect(
                user=settings.username,
                password=settings.password,
                host=settings.host,
                port=settings.port,
                service_name=settings.database or "ORCL",
                tcp_connect_timeout=settings.connect_timeout,
            )
            connection.call_timeout = int(settings.read_timeout * 1000)
            return connection
        except Exception as exc:
            raise self.translate_error(exc, settings) from exc

    def server_version(self, connection: Any) -> str:
        return str(connection.version)

    def translate_error(self, exc: BaseException, settings: ConnectionSettings) -> EngineError:
        text = first_line(exc)
        if any(code in text for code in _AUTH_ERRORS):
            return AuthenticationFailed(f"{self.label} at {settings.address}: authentication failed: {text}")
        return super().translate_error(exc, settings)
