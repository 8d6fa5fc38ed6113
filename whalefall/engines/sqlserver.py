"""SQL Server 2016+ through pymssql: connection, and the bulk read of server and database permissions."""

from __future__ import annotations

from typing import Any

from whalefall.engines.base import AuthenticationFailed, ConnectionSettings, EngineAdapter, EngineError, first_line
from whalefall.engines.catalog import CatalogReader
from whalefall.engines.inventory import Inventory, UnreadablePart
from whalefall.engines.sqlserver_catalog import DatabaseRows, ServerCatalog, build_accounts

_LOGIN_FAILED = 18456
PER_DATABASE_LEVELS = ("database", "schema", "table", "column", "routine", "sequence")

VERSION_SQL = "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS version, @@VERSION AS banner"
SERVER_PRINCIPALS_SQL = """
SELECT sp.principal_id, sp.name, sp.type, sp.type_desc, sp.is_disabled, sp.sid, sp.default_database_name,
       sl.is_policy_checked, sl.is_expiration_checked,
       CAST(LOGINPROPERTY(sp.name, 'IsLocked') AS int) AS is_locked,
       CAST(LOGINPROPERTY(sp.name, 'IsExpired') AS int) AS is_expired,
       CAST(LOGINPROPERTY(sp.name, 'IsMustChange') AS int) AS is_must_change,
       CAST(LOGINPROPERTY(sp.name, 'PasswordLastSetTime') AS datetime) AS password_last_set
FROM sys.server_principals sp
LEFT JOIN sys.sql_logins sl ON sl.principal_id = sp.principal_id
WHERE sp.type IN ('S', 'U', 'G', 'R', 'C', 'K', 'E', 'X')
"""
SERVER_ROLE_MEMBERS_SQL = "SELECT role_principal_id, member_principal_id FROM sys.server_role_members"
SERVER_PERMISSIONS_SQL = """
SELECT p.grantee_principal_id, p.permission_name, p.state, p.class_desc,
       COALESCE(tp.name, e.name) AS securable_name
FROM sys.server_permissions p
LEFT JOIN sys.server_principals tp ON p.class = 101 AND tp.principal_id = p.major_id
LEFT JOIN sys.endpoints e ON p.class = 105 AND e.endpoint_id = p.major_id
"""
DATABASES_SQL = "SELECT name, state_desc, user_access_desc FROM sys.databases"
DATABASE_PRINCIPALS_SQL = """
SELECT principal_id, name, type, type_desc, sid, authentication_type_desc, default_schema_name
FROM sys.database_principals
WHERE type IN ('S', 'U', 'G', 'R', 'C', 'K', 'E', 'X')
"""
DATABASE_ROLE_MEMBERS_SQL = "SELECT role_principal_id, member_principal_id FROM sys.database_role_members"
DATABASE_PERMISSIONS_SQL = """
SELECT p.grantee_principal_id, p.permission_name, p.state, p.class_desc,
       s.name AS schema_name, o.name AS object_name, o.type_desc AS object_type, c.name AS column_name,
       sch.name AS schema_target, dp.name AS securable_name
FROM sys.database_permissions p
LEFT JOIN sys.objects o ON p.class = 1 AND o.object_id = p.major_id
LEFT JOIN sys.schemas s ON s.schema_id = o.schema_id
LEFT JOIN sys.columns c ON p.class = 1 AND p.minor_id > 0 AND c.object_id = p.major_id AND c.column_id = p.minor_id
LEFT JOIN sys.schemas sch ON p.class = 3 AND sch.schema_id = p.major_id
LEFT JOIN sys.database_principals dp ON p.class = 4 AND dp.principal_id = p.major_id
"""


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
            cursor.execute(VERSION_SQL)
            product_version, banner = cursor.fetchone()
            return f"{product_version} ({first_line(Exception(banner))})"
        finally:
            cursor.close()

    def read_inventory(self, settings: ConnectionSettings, deadline: float | None = None) -> Inventory:
        """Four server-level reads on master, then three reads inside every online database."""
        connection = self.connect(settings)
        try:
            reader = CatalogReader.for_adapter(self, connection, settings, deadline)
            [info] = reader.rows(VERSION_SQL)
            catalog = ServerCatalog(
                principals=reader.rows(SERVER_PRINCIPALS_SQL),
                role_members=reader.rows(SERVER_ROLE_MEMBERS_SQL),
                permissions=reader.rows(SERVER_PERMISSIONS_SQL),
            )
            databases = reader.rows(DATABASES_SQL)
        finally:
            connection.close()
        queries, unreadable = reader.queries, []
        for database in sorted(databases, key=lambda row: row["name"]):
            if database["state_desc"] != "ONLINE":
                unreadable.append(
                    UnreadablePart(database["name"], PER_DATABASE_LEVELS, f"database is {database['state_desc']}")
                )
                continue
            try:
                rows, count = self._read_database(settings, database["name"], deadline)
            except EngineError as exc:  # availability-group secondary, single-user, no access...
                unreadable.append(UnreadablePart(database["name"], PER_DATABASE_LEVELS, exc.message))
                continue
            catalog.databases.append(rows)
            queries += count
        version = f"{info['version']} ({first_line(Exception(info['banner']))})"
        return Inventory(self.name, version, build_accounts(catalog), unreadable, queries)

    def _read_database(self, settings, database: str, deadline) -> tuple[DatabaseRows, int]:
        connection = self.connect(settings, database=database)
        try:
            reader = CatalogReader.for_adapter(self, connection, settings, deadline, f"database {database!r}")
            rows = DatabaseRows(
                database,
                principals=reader.rows(DATABASE_PRINCIPALS_SQL),
                role_members=reader.rows(DATABASE_ROLE_MEMBERS_SQL),
                permissions=reader.rows(DATABASE_PERMISSIONS_SQL),
            )
            return rows, reader.queries
        finally:
            connection.close()

    def translate_error(self, exc: BaseException, settings: ConnectionSettings) -> EngineError:
        text = str(exc)
        if str(_LOGIN_FAILED) in text or "Login failed" in text:
            return AuthenticationFailed(f"{self.label} at {settings.address}: authentication failed: {first_line(exc)}")
        return super().translate_error(exc, settings)
