"""MySQL 5.7/8.x and MariaDB 10.x/11.x through PyMySQL: connection, and the bulk read of the grant tables."""

from __future__ import annotations

import functools
import re
from typing import Any, ClassVar

from whalefall.engines.base import (
    AuthenticationFailed,
    ConnectionSettings,
    EngineAdapter,
    EngineError,
    ServerTimeout,
    ServerUnreachable,
    first_line,
    seconds,
)
from whalefall.engines.catalog import CatalogReader
from whalefall.engines.inventory import Inventory
from whalefall.engines.mysql_grants import GrantTables, build_accounts

_ACCESS_DENIED = {1044, 1045, 1142, 1143, 1698}
_CANNOT_CONNECT = {2002, 2003, 2005, 2006, 2013}

# One query per grant table, whatever the number of accounts.
_COMMON_READS = {
    "db": "SELECT * FROM mysql.db",
    "tables_priv": "SELECT Host, Db, User, Table_name, Table_priv FROM mysql.tables_priv",
    "columns_priv": "SELECT Host, Db, User, Table_name, Column_name, Column_priv FROM mysql.columns_priv",
    "procs_priv": "SELECT Host, Db, User, Routine_name, Routine_type, Proc_priv FROM mysql.procs_priv",
    "proxies_priv": "SELECT Host, User, Proxied_host, Proxied_user, With_grant FROM mysql.proxies_priv",
}
_MARIADB_READS = {
    "accounts": "SELECT User, Host, Priv FROM mysql.global_priv",
    "roles_mapping": "SELECT Host, User, Role, Admin_option FROM mysql.roles_mapping",
}
_MYSQL8_READS = {
    "global_grants": "SELECT USER, HOST, PRIV, WITH_GRANT_OPTION FROM mysql.global_grants",
    "role_edges": "SELECT FROM_HOST, FROM_USER, TO_HOST, TO_USER, WITH_ADMIN_OPTION FROM mysql.role_edges",
    "default_roles": "SELECT HOST, USER, DEFAULT_ROLE_HOST, DEFAULT_ROLE_USER FROM mysql.default_roles",
}
# Password hashes are never needed: dropped as soon as mysql.user is read.
_SECRET_COLUMNS = ("authentication_string", "Password")


class MySQLAdapter(EngineAdapter):
    name = "mysql"
    label = "MySQL"
    default_port = 3306

    def connect(self, settings: ConnectionSettings) -> Any:
        try:
            connection = _connection_class()(
                host=settings.host,
                port=settings.port,
                user=settings.username,
                password=settings.password,
                database=settings.database or None,
                connect_timeout=settings.connect_timeout,
                # PyMySQL waits for the server's greeting with the read timeout: bound it by the connect timeout.
                read_timeout=settings.connect_timeout,
                write_timeout=settings.read_timeout,
                charset="utf8mb4",
                autocommit=True,
                auth_plugin_map=_CLEARTEXT_REFUSED,
            )
        except Exception as exc:
            raise self.translate_error(exc, settings) from exc
        connection._read_timeout = settings.read_timeout  # queries get the longer budget (PyMySQL has no setter)
        return connection

    def server_version(self, connection: Any) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT VERSION()")
            return str(cursor.fetchone()[0])

    def read_inventory(self, settings: ConnectionSettings, deadline: float | None = None) -> Inventory:
        connection = self.connect(settings)
        try:
            reader = CatalogReader.for_adapter(self, connection, settings, deadline)
            version = str(reader.scalar("SELECT VERSION()"))
            tables = read_grant_tables(reader, version)
            return Inventory(self.name, version, build_accounts(tables), queries=reader.queries)
        finally:
            connection.close()

    def translate_error(self, exc: BaseException, settings: ConnectionSettings) -> EngineError:
        code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
        where = f"{self.label} at {settings.address}"
        text = first_line(exc)
        if code in _ACCESS_DENIED:
            return AuthenticationFailed(f"{where}: access denied: {text}")
        if code in _CANNOT_CONNECT:
            if "timed out" in text.lower():
                return ServerTimeout(f"{where}: timed out after {seconds(settings.connect_timeout)} ({text})")
            return ServerUnreachable(f"{where} is unreachable: {text}")
        return super().translate_error(exc, settings)


class _RefuseCleartext:
    """PyMySQL answers ``mysql_clear_password`` and ``dialog`` (PAM) with the password as it is: a server that
    asks for those (one impersonating an instance would) is refused before the stored password leaves."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def authenticate(self, packet: Any) -> Any:
        import pymysql

        raise pymysql.err.OperationalError(
            2059, "the server asked for the password in clear text (mysql_clear_password or dialog): refused"
        )


_CLEARTEXT_REFUSED = {"mysql_clear_password": _RefuseCleartext, "dialog": _RefuseCleartext}


@functools.cache
def _connection_class() -> type:
    """PyMySQL's connection, with the TLS context of its default *preferred* mode built once per process.

    PyMySQL otherwise builds that context (loading the system CA store, ~20 ms) on every connect, although it is
    the same every time: no CA, no hostname check, TLS used when the server offers it.
    """
    import pymysql

    class Connection(pymysql.connections.Connection):
        _preferred_tls: ClassVar[dict[str, Any]] = {}

        def _create_ssl_ctx(self, sslp: Any) -> Any:
            if sslp:
                return super()._create_ssl_ctx(sslp)
            if "context" not in self._preferred_tls:
                self._preferred_tls["context"] = super()._create_ssl_ctx(sslp)
            return self._preferred_tls["context"]

    return Connection


def read_grant_tables(reader: CatalogReader, version: str) -> GrantTables:
    """Bulk-read every grant table the server has, in one consistent snapshot where the engine offers one."""
    mariadb = "mariadb" in version.lower()
    tables = GrantTables(flavor="mariadb" if mariadb else "mysql", server_version=version_tuple(version))
    reader.rows("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
    try:
        reads = dict(_COMMON_READS)
        if mariadb:
            reads.update(_MARIADB_READS)
        else:
            reads["accounts"] = "SELECT * FROM mysql.user"
            if version_tuple(version) >= (8, 0):
                reads.update(_MYSQL8_READS)
        for attribute, sql in reads.items():
            setattr(tables, attribute, reader.rows(sql))
    finally:
        reader.rows("ROLLBACK")
    for row in tables.accounts:
        for column in _SECRET_COLUMNS:
            row.pop(column, None)
    return tables


def version_tuple(version: str) -> tuple[int, int]:
    match = re.match(r"(\d+)\.(\d+)", version)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)
