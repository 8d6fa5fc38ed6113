"""Oracle 12c+ through python-oracledb in thin mode (no Oracle client libraries needed)."""

from __future__ import annotations

from typing import Any

from whalefall.engines.base import AuthenticationFailed, ConnectionSettings, EngineAdapter, EngineError, first_line
from whalefall.engines.catalog import CatalogReader
from whalefall.engines.inventory import Inventory
from whalefall.engines.oracle_catalog import Dictionary, build_accounts

_AUTH_ERRORS = ("ORA-01017", "ORA-28000", "ORA-28001")

# One query per dictionary view, whatever the number of accounts.
DICTIONARY_READS = {
    "users": "SELECT username, account_status, lock_date, expiry_date, profile, authentication_type, common, "
    "oracle_maintained FROM dba_users",
    "roles": "SELECT role, authentication_type, common, oracle_maintained FROM dba_roles",
    "role_privs": "SELECT grantee, granted_role, admin_option, default_role FROM dba_role_privs",
    "sys_privs": "SELECT grantee, privilege, admin_option FROM dba_sys_privs",
    "tab_privs": "SELECT grantee, owner, table_name, privilege, grantable, type FROM dba_tab_privs",
    "col_privs": "SELECT grantee, owner, table_name, column_name, privilege, grantable FROM dba_col_privs",
}


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

    def read_inventory(self, settings: ConnectionSettings, deadline: float | None = None) -> Inventory:
        connection = self.connect(settings)
        try:
            reader = CatalogReader.for_adapter(self, connection, settings, deadline)
            dictionary = Dictionary(**{name: _upper_keys(reader.rows(sql)) for name, sql in DICTIONARY_READS.items()})
            version = self.server_version(connection)
        finally:
            connection.close()
        return Inventory(self.name, version, build_accounts(dictionary), queries=reader.queries)

    def translate_error(self, exc: BaseException, settings: ConnectionSettings) -> EngineError:
        text = first_line(exc)
        if any(code in text for code in _AUTH_ERRORS):
            return AuthenticationFailed(f"{self.label} at {settings.address}: authentication failed: {text}")
        return super().translate_error(exc, settings)


def _upper_keys(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Oracle names unquoted columns in upper case; make that explicit whatever the driver reports."""
    return [{key.upper(): value for key, value in row.items()} for row in rows]
