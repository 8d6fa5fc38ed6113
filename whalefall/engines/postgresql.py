"""PostgreSQL 12+ through psycopg 3: connection, and the bulk read of roles and ACLs in every database."""

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
    seconds,
)
from whalefall.engines.catalog import CatalogReader
from whalefall.engines.inventory import Inventory, UnreadablePart
from whalefall.engines.postgresql_acl import PER_DATABASE_LEVELS, ClusterCatalog, DatabaseCatalog, build_accounts

_AUTH_SQLSTATES = {"28000", "28P01"}

ROLES_SQL = """
SELECT r.oid, r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin,
       r.rolreplication, r.rolbypassrls, r.rolconnlimit,
       coalesce(r.rolvaliduntil < now(), false) AS password_expired,
       CASE WHEN r.rolvaliduntil IS NULL THEN NULL
            WHEN isfinite(r.rolvaliduntil)
            THEN to_char(r.rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')
            ELSE r.rolvaliduntil::text END AS valid_until
FROM pg_roles r
"""
MEMBERSHIPS_SQL = "SELECT roleid, member, admin_option FROM pg_auth_members"
MEMBERSHIPS_16_SQL = "SELECT roleid, member, admin_option, inherit_option, set_option FROM pg_auth_members"
DATABASES_SQL = """
SELECT d.datname, d.datallowconn, d.datistemplate, d.datdba AS owner,
       a.grantee, a.privilege_type, a.is_grantable
FROM pg_database d
LEFT JOIN LATERAL aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a ON true
"""
_USER_SCHEMAS = """
WITH ns AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema')
      AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%'
)
"""
OBJECTS_SQL = (
    _USER_SCHEMAS
    + """
SELECT 'schema' AS level, ns.nspname AS schema, NULL::text AS object, NULL::text AS object_kind,
       n.nspowner AS owner, a.grantee, a.privilege_type, a.is_grantable
FROM pg_namespace n JOIN ns ON ns.oid = n.oid
LEFT JOIN LATERAL aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a ON true
UNION ALL
SELECT CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END, ns.nspname, c.relname::text, c.relkind::text,
       c.relowner, a.grantee, a.privilege_type, a.is_grantable
FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
LEFT JOIN LATERAL aclexplode(coalesce(
    c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) a ON true
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
UNION ALL
SELECT 'routine', ns.nspname, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       p.prokind::text, p.proowner, a.grantee, a.privilege_type, a.is_grantable
FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
LEFT JOIN LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a ON true
"""
)
COLUMNS_SQL = (
    _USER_SCHEMAS
    + """
SELECT ns.nspname AS schema, c.relname AS object, att.attname AS column,
       a.grantee, a.privilege_type, a.is_grantable
FROM pg_attribute att
JOIN pg_class c ON c.oid = att.attrelid
JOIN ns ON ns.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(att.attacl) a
WHERE att.attacl IS NOT NULL AND att.attnum > 0 AND NOT att.attisdropped
"""
)
DEFAULT_ACLS_SQL = """
SELECT d.defaclrole AS for_role, n.nspname AS schema, d.defaclobjtype::text AS objtype,
       a.grantee, a.privilege_type, a.is_grantable
FROM pg_default_acl d
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
CROSS JOIN LATERAL aclexplode(d.defaclacl) a
"""


def _refuse_cleartext_password(psycopg: Any) -> dict[str, str]:
    """Never hand the stored password over in clear to a server that asks for it that way (a server pretending to
    be the instance would); scram, md5 and trust still work. ``require_auth`` needs libpq 16 or newer."""
    return {"require_auth": "!password"} if psycopg.pq.version() >= 160000 else {}


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
                **_refuse_cleartext_password(psycopg),
            )
        except Exception as exc:
            raise self.translate_error(exc, settings) from exc

    def server_version(self, connection: Any) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            return str(cursor.fetchone()[0])

    def read_inventory(self, settings: ConnectionSettings, deadline: float | None = None) -> Inventory:
        """Cluster-wide reads on one connection, then three reads inside every database that accepts connections."""
        connection = self.connect(settings)
        try:
            reader = CatalogReader.for_adapter(self, connection, settings, deadline)
            [info] = reader.rows("SELECT version() AS version, current_setting('server_version_num')::int AS num")
            catalog = ClusterCatalog(server_version_num=info["num"])
            catalog.roles = reader.rows(ROLES_SQL)
            catalog.memberships = reader.rows(MEMBERSHIPS_16_SQL if info["num"] >= 160000 else MEMBERSHIPS_SQL)
            catalog.databases = reader.rows(DATABASES_SQL)
        finally:
            connection.close()
        queries = reader.queries
        unreadable = []
        readable = sorted(
            {row["datname"] for row in catalog.databases if row["datallowconn"] and not row["datistemplate"]}
        )
        for database in readable:
            try:
                database_catalog, database_queries = self._read_database(settings, database, deadline)
            except ServerTimeout:
                raise
            except EngineError as exc:
                unreadable.append(UnreadablePart(database, PER_DATABASE_LEVELS, exc.message))
                continue
            catalog.per_database.append(database_catalog)
            queries += database_queries
        return Inventory(self.name, info["version"], build_accounts(catalog), unreadable, queries)

    def _read_database(
        self, settings: ConnectionSettings, database: str, deadline: float | None
    ) -> tuple[DatabaseCatalog, int]:
        connection = self.connect(settings, database=database)
        try:
            reader = CatalogReader.for_adapter(self, connection, settings, deadline, f"database {database!r}")
            reader.rows("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            catalog = DatabaseCatalog(database)
            catalog.objects = reader.rows(OBJECTS_SQL)
            catalog.columns = reader.rows(COLUMNS_SQL)
            catalog.default_acls = reader.rows(DEFAULT_ACLS_SQL)
            return catalog, reader.queries
        finally:
            connection.close()

    def translate_error(self, exc: BaseException, settings: ConnectionSettings) -> EngineError:
        where = f"{self.label} at {settings.address}"
        text = first_line(exc)
        sqlstate = getattr(exc, "sqlstate", None)
        lowered = str(exc).lower()
        if sqlstate in _AUTH_SQLSTATES or "password authentication failed" in lowered:
            return AuthenticationFailed(f"{where}: authentication failed: {_strip_prefix(text)}")
        if "timeout expired" in lowered:
            return ServerTimeout(f"{where}: timed out after {max(2, math.ceil(settings.connect_timeout))}s ({text})")
        if sqlstate == "57014":
            return ServerTimeout(f"{where}: a catalog query exceeded {seconds(settings.read_timeout)} ({text})")
        return super().translate_error(exc, settings)


def _strip_prefix(text: str) -> str:
    return text.removeprefix("connection failed: ")
