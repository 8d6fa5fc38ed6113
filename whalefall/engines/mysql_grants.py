"""MySQL/MariaDB grant tables (rows as the server returns them) → canonical account snapshots. Pure, no I/O.

Rows come from bulk reads of ``mysql.*``: ``global_priv`` (MariaDB) or ``user`` + ``global_grants`` (MySQL 8),
``db``, ``tables_priv``, ``columns_priv``, ``procs_priv``, ``proxies_priv``, and ``roles_mapping`` (MariaDB) or
``role_edges`` + ``default_roles`` (MySQL 8).
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from whalefall.engines.inventory import AccountSnapshot, Privilege, RoleMembership, freeze_extras, make_account

Row = dict[str, Any]
AccountKey = tuple[str, str]  # (user, host)

# mysql.user / mysql.db privilege columns. Unknown *_priv columns are still reported (see _column_privilege).
PRIVILEGE_COLUMNS = {
    "Select_priv": "SELECT",
    "Insert_priv": "INSERT",
    "Update_priv": "UPDATE",
    "Delete_priv": "DELETE",
    "Create_priv": "CREATE",
    "Drop_priv": "DROP",
    "Reload_priv": "RELOAD",
    "Shutdown_priv": "SHUTDOWN",
    "Process_priv": "PROCESS",
    "File_priv": "FILE",
    "References_priv": "REFERENCES",
    "Index_priv": "INDEX",
    "Alter_priv": "ALTER",
    "Show_db_priv": "SHOW DATABASES",
    "Super_priv": "SUPER",
    "Create_tmp_table_priv": "CREATE TEMPORARY TABLES",
    "Lock_tables_priv": "LOCK TABLES",
    "Execute_priv": "EXECUTE",
    "Repl_slave_priv": "REPLICATION SLAVE",
    "Repl_client_priv": "REPLICATION CLIENT",
    "Create_view_priv": "CREATE VIEW",
    "Show_view_priv": "SHOW VIEW",
    "Create_routine_priv": "CREATE ROUTINE",
    "Alter_routine_priv": "ALTER ROUTINE",
    "Create_user_priv": "CREATE USER",
    "Event_priv": "EVENT",
    "Trigger_priv": "TRIGGER",
    "Create_tablespace_priv": "CREATE TABLESPACE",
    "Delete_history_priv": "DELETE HISTORY",
    "Create_role_priv": "CREATE ROLE",
    "Drop_role_priv": "DROP ROLE",
    "Show_create_routine_priv": "SHOW CREATE ROUTINE",
}
GRANT_COLUMN = "Grant_priv"

# MariaDB's privilege_t bits (sql/privilege.h), as stored in mysql.global_priv's "access".
MARIADB_ACCESS_BITS = (
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "CREATE",
    "DROP",
    "RELOAD",
    "SHUTDOWN",
    "PROCESS",
    "FILE",
    "GRANT OPTION",
    "REFERENCES",
    "INDEX",
    "ALTER",
    "SHOW DATABASES",
    "SUPER",
    "CREATE TEMPORARY TABLES",
    "LOCK TABLES",
    "EXECUTE",
    "REPLICATION SLAVE",
    "BINLOG MONITOR",
    "CREATE VIEW",
    "SHOW VIEW",
    "CREATE ROUTINE",
    "ALTER ROUTINE",
    "CREATE USER",
    "EVENT",
    "TRIGGER",
    "CREATE TABLESPACE",
    "DELETE HISTORY",
    "SET USER",
    "FEDERATED ADMIN",
    "CONNECTION ADMIN",
    "READ_ONLY ADMIN",
    "REPLICATION SLAVE ADMIN",
    "REPLICATION MASTER ADMIN",
    "BINLOG ADMIN",
    "BINLOG REPLAY",
    "SLAVE MONITOR",
    "SHOW CREATE ROUTINE",  # 11.3+
)
_SHOW_CREATE_ROUTINE_SINCE = (11, 3)
_ALL_BITS = (1 << 64) - 1  # pre-10.4 style "all privileges" marker written by mariadb-install-db

# SET members of tables_priv / columns_priv / procs_priv.
_SET_MEMBER_NAMES = {"DELETE VERSIONING ROWS": "DELETE HISTORY"}
_SSL_TYPES = {0: None, 1: "ANY", 2: "X509", 3: "SPECIFIED", "": None}
# Having all of these globally is what "ALL PRIVILEGES ON *.*" gives; it makes a superuser like SUPER does.
_ALL_PRIVILEGES_CORE = {"SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "RELOAD", "SHUTDOWN", "PROCESS",
                        "FILE", "CREATE USER"}  # fmt: skip


@dataclass
class GrantTables:
    """The rows of one bulk read. ``flavor`` is ``mariadb`` or ``mysql``."""

    flavor: str
    server_version: tuple[int, int] = (0, 0)
    accounts: list[Row] = field(default_factory=list)  # global_priv (MariaDB) or user (MySQL)
    db: list[Row] = field(default_factory=list)
    tables_priv: list[Row] = field(default_factory=list)
    columns_priv: list[Row] = field(default_factory=list)
    procs_priv: list[Row] = field(default_factory=list)
    proxies_priv: list[Row] = field(default_factory=list)
    roles_mapping: list[Row] = field(default_factory=list)  # MariaDB
    role_edges: list[Row] = field(default_factory=list)  # MySQL 8
    default_roles: list[Row] = field(default_factory=list)  # MySQL 8
    global_grants: list[Row] = field(default_factory=list)  # MySQL 8 dynamic privileges


def build_accounts(tables: GrantTables) -> list[AccountSnapshot]:
    """All accounts of one server in canonical form."""
    if tables.flavor == "mariadb":
        base = _mariadb_accounts(tables.accounts, _mariadb_privilege_count(tables.server_version))
    else:
        base = _mysql_accounts(tables)
    privileges: dict[AccountKey, list[Privilege]] = defaultdict(list)
    memberships: dict[AccountKey, list[RoleMembership]] = defaultdict(list)
    for key, account in base.items():
        privileges[key].extend(account.global_privileges)
    _database_privileges(tables.db, privileges)
    table_grant_option = _table_privileges(tables.tables_priv, privileges)
    _column_privileges(tables.columns_priv, table_grant_option, privileges)
    _routine_privileges(tables.procs_priv, privileges)
    _proxy_privileges(tables.proxies_priv, privileges)
    if tables.flavor == "mariadb":
        _mariadb_memberships(tables.roles_mapping, base, memberships)
    else:
        _mysql_memberships(tables.role_edges, tables.default_roles, memberships)
        roles = {(row["FROM_USER"], row["FROM_HOST"]) for row in tables.role_edges}
        roles |= {(row["DEFAULT_ROLE_USER"], row["DEFAULT_ROLE_HOST"]) for row in tables.default_roles}
        for key in roles & base.keys():
            base[key].kind = "role"

    # Grant rows whose account no longer exists in the user table still grant nothing to anyone, but they are
    # on the server: report them rather than drop them silently.
    for key in (privileges.keys() | memberships.keys()) - base.keys():
        base[key] = _BaseAccount("user", False, False, False, [], {"orphaned": True})

    snapshots = []
    for key, account in base.items():
        globals_ = {p.privilege for p in privileges[key] if p.level == "global" and p.state == "GRANT"}
        superuser = "SUPER" in globals_ or globals_ >= _ALL_PRIVILEGES_CORE
        attributes = {
            # MariaDB 10.11+ stores grants TO PUBLIC under a role named PUBLIC with an empty host.
            "pseudo": True if key == ("PUBLIC", "") and account.kind == "role" else None,
            "can_login": account.kind == "user" and not account.extras.get("orphaned"),
            "superuser": superuser,
            "locked": account.locked,
            "password_expired": account.password_expired,
            "can_grant": account.can_grant,
            **account.extras,
        }
        snapshots.append(
            make_account(
                name=key[0],
                host=key[1],
                kind=account.kind,
                attributes={k: v for k, v in attributes.items() if v is not None},
                privileges=privileges[key],
                memberships=memberships[key],
            )
        )
    return snapshots


@dataclass
class _BaseAccount:
    kind: str
    locked: bool
    password_expired: bool
    can_grant: bool
    global_privileges: list[Privilege]
    extras: dict[str, Any]
    default_roles: set[str] = field(default_factory=set)


def _mariadb_privilege_count(version: tuple[int, int]) -> int:
    """How many of MARIADB_ACCESS_BITS the server knows (what "all bits set" expands to)."""
    return len(MARIADB_ACCESS_BITS) - (0 if version >= _SHOW_CREATE_ROUTINE_SINCE else 1)


def _mariadb_accounts(rows: list[Row], known_bits: int) -> dict[AccountKey, _BaseAccount]:
    accounts = {}
    for row in rows:
        priv = row["Priv"]
        priv = json.loads(priv) if isinstance(priv, str | bytes) else (priv or {})
        access = int(priv.get("access", 0))
        names = _decode_access(access, known_bits)
        can_grant = "GRANT OPTION" in names
        names.discard("GRANT OPTION")
        is_role = bool(priv.get("is_role"))
        global_privileges = [Privilege(name, "global", grantable=can_grant) for name in names]
        if can_grant and not names:
            global_privileges.append(Privilege("GRANT OPTION", "global", grantable=True))
        lifetime = priv.get("password_lifetime", -1)
        extras: dict[str, Any] = {}
        if not is_role:
            changed = priv.get("password_last_changed")
            extras = {
                "auth_plugin": priv.get("plugin") or "mysql_native_password",
                "password_last_changed": _epoch(changed) if changed else None,
                "password_lifetime_days": None if lifetime in (-1, None) else int(lifetime),
                "ssl_type": _SSL_TYPES.get(priv.get("ssl_type", 0), str(priv.get("ssl_type"))),
                "max_questions": int(priv.get("max_questions", 0)),
                "max_updates": int(priv.get("max_updates", 0)),
                "max_connections": int(priv.get("max_connections", 0)),
                "max_user_connections": int(priv.get("max_user_connections", 0)),
                "max_statement_time": float(priv.get("max_statement_time", 0.0)),
            }
        account = _BaseAccount(
            kind="role" if is_role else "user",
            locked=bool(priv.get("account_locked", False)),
            # MariaDB marks PASSWORD EXPIRE by resetting password_last_changed to 0.
            password_expired=(not is_role) and priv.get("password_last_changed", 1) == 0,
            can_grant=can_grant,
            global_privileges=global_privileges,
            extras=extras,
        )
        if priv.get("default_role"):
            account.default_roles.add(priv["default_role"])
        accounts[(row["User"], row["Host"])] = account
    return accounts


def _decode_access(access: int, known_bits: int) -> set[str]:
    if access == _ALL_BITS:
        return set(MARIADB_ACCESS_BITS[:known_bits])
    names = set()
    while access:
        lowest = access & -access
        bit = lowest.bit_length() - 1
        names.add(MARIADB_ACCESS_BITS[bit] if bit < len(MARIADB_ACCESS_BITS) else f"UNKNOWN PRIVILEGE BIT {bit}")
        access ^= lowest
    return names


def _mysql_accounts(tables: GrantTables) -> dict[AccountKey, _BaseAccount]:
    dynamic: dict[AccountKey, list[Privilege]] = defaultdict(list)
    for row in tables.global_grants:
        dynamic[(row["USER"], row["HOST"])].append(
            Privilege(row["PRIV"].upper(), "global", grantable=_yes(row["WITH_GRANT_OPTION"]))
        )
    accounts = {}
    for row in tables.accounts:
        key = (row["User"], row["Host"])
        can_grant = _yes(row.get(GRANT_COLUMN))
        names = _flag_columns(row)
        global_privileges = [Privilege(name, "global", grantable=can_grant) for name in names]
        if can_grant and not names:
            global_privileges.append(Privilege("GRANT OPTION", "global", grantable=True))
        global_privileges.extend(dynamic.get(key, ()))
        global_privileges.extend(_partial_revokes(row.get("User_attributes")))
        lifetime = row.get("password_lifetime")
        changed = row.get("password_last_changed")
        accounts[key] = _BaseAccount(
            kind="user",
            locked=_yes(row.get("account_locked")),
            password_expired=_yes(row.get("password_expired")),
            can_grant=can_grant,
            global_privileges=global_privileges,
            extras={
                "auth_plugin": row.get("plugin") or None,
                "password_last_changed": _iso(changed),
                "password_lifetime_days": None if lifetime is None else int(lifetime),
                "ssl_type": _SSL_TYPES.get(row.get("ssl_type") or "", row.get("ssl_type")),
                "max_questions": int(row.get("max_questions") or 0),
                "max_updates": int(row.get("max_updates") or 0),
                "max_connections": int(row.get("max_connections") or 0),
                "max_user_connections": int(row.get("max_user_connections") or 0),
            },
        )
    return accounts


def _partial_revokes(user_attributes: Any) -> list[Privilege]:
    """MySQL 8 partial revokes (``partial_revokes=ON``): a global grant minus a database, as DENY rows."""
    if not user_attributes:
        return []
    data = json.loads(user_attributes) if isinstance(user_attributes, str | bytes) else user_attributes
    denied = []
    for restriction in data.get("Restrictions", []) or []:
        for name in restriction.get("Privileges", []):
            denied.append(Privilege(name.upper(), "database", database=restriction["Database"], state="DENY"))
    return denied


def _flag_columns(row: Row) -> set[str]:
    return {name for column, name in _privilege_columns(tuple(row)) if row[column] in _YES}


@functools.cache
def _privilege_columns(columns: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The privilege columns of a row shape (every row of a table has the same), worked out once."""
    return tuple((c, _column_privilege(c)) for c in columns if c.endswith("_priv") and c != GRANT_COLUMN)


def _column_privilege(column: str) -> str:
    return PRIVILEGE_COLUMNS.get(column) or column.removesuffix("_priv").replace("_", " ").upper()


def _database_privileges(rows: list[Row], out: dict[AccountKey, list[Privilege]]) -> None:
    for row in rows:
        can_grant = _yes(row.get(GRANT_COLUMN))
        names = _flag_columns(row)
        target = out[(row["User"], row["Host"])]
        target.extend(Privilege(name, "database", database=row["Db"], grantable=can_grant) for name in names)
        if can_grant and not names:
            target.append(Privilege("GRANT OPTION", "database", database=row["Db"], grantable=True))


def _table_privileges(rows: list[Row], out: dict[AccountKey, list[Privilege]]) -> set[tuple]:
    """Table-level rows; returns the (user, host, db, table) that hold the grant option (it covers columns too)."""
    with_grant = set()
    for row in rows:
        key = (row["User"], row["Host"])
        names = _set_members(row["Table_priv"])
        can_grant = "GRANT" in names
        names.discard("GRANT")
        if can_grant:
            with_grant.add((*key, row["Db"], row["Table_name"]))
        target = out[key]
        target.extend(
            Privilege(name, "table", database=row["Db"], object=row["Table_name"], grantable=can_grant)
            for name in names
        )
        if can_grant and not names:
            target.append(
                Privilege("GRANT OPTION", "table", database=row["Db"], object=row["Table_name"], grantable=True)
            )
    return with_grant


def _column_privileges(rows: list[Row], with_grant: set[tuple], out: dict[AccountKey, list[Privilege]]) -> None:
    for row in rows:
        key = (row["User"], row["Host"])
        grantable = (*key, row["Db"], row["Table_name"]) in with_grant
        out[key].extend(
            Privilege(
                name,
                "column",
                database=row["Db"],
                object=row["Table_name"],
                column=row["Column_name"],
                grantable=grantable,
            )
            for name in _set_members(row["Column_priv"])
        )


def _routine_privileges(rows: list[Row], out: dict[AccountKey, list[Privilege]]) -> None:
    for row in rows:
        names = _set_members(row["Proc_priv"])
        can_grant = "GRANT" in names
        names.discard("GRANT")
        extras = freeze_extras({"routine_type": str(row["Routine_type"]).upper()})
        common = {"database": row["Db"], "object": row["Routine_name"], "extras": extras}
        target = out[(row["User"], row["Host"])]
        target.extend(Privilege(name, "routine", grantable=can_grant, **common) for name in names)
        if can_grant and not names:
            target.append(Privilege("GRANT OPTION", "routine", grantable=True, **common))


def _proxy_privileges(rows: list[Row], out: dict[AccountKey, list[Privilege]]) -> None:
    for row in rows:
        out[(row["User"], row["Host"])].append(
            Privilege(
                "PROXY",
                "proxy",
                object=row["Proxied_user"],
                grantable=bool(int(row["With_grant"] or 0)),
                extras=freeze_extras({"proxied_host": row["Proxied_host"]}),
            )
        )


def _mariadb_memberships(rows, base: dict[AccountKey, _BaseAccount], out) -> None:
    for row in rows:
        grantee = (row["User"], row["Host"])
        account = base.get(grantee)
        is_default = account is not None and row["Role"] in account.default_roles
        out[grantee].append(
            RoleMembership(role=row["Role"], admin_option=_yes(row["Admin_option"]), default=is_default)
        )


def _mysql_memberships(role_edges, default_roles, out) -> None:
    defaults = {(row["USER"], row["HOST"], row["DEFAULT_ROLE_USER"], row["DEFAULT_ROLE_HOST"]) for row in default_roles}
    for row in role_edges:
        grantee = (row["TO_USER"], row["TO_HOST"])
        out[grantee].append(
            RoleMembership(
                role=row["FROM_USER"],
                role_host=row["FROM_HOST"],
                admin_option=_yes(row["WITH_ADMIN_OPTION"]),
                default=(*grantee, row["FROM_USER"], row["FROM_HOST"]) in defaults,
            )
        )


def _set_members(value: Any) -> set[str]:
    if not value:
        return set()
    items = value if isinstance(value, set | frozenset | list | tuple) else str(value).split(",")
    names = set()
    for item in items:
        name = str(item).strip().upper()
        if name:
            names.add(_SET_MEMBER_NAMES.get(name, name))
    return names


_YES = {"Y", "y", b"Y", 1, "1"}


def _yes(value: Any) -> bool:
    if isinstance(value, bytes):
        value = value.decode()
    return str(value).upper() in ("Y", "1", "TRUE")


def _epoch(seconds: Any) -> str:
    return datetime.fromtimestamp(int(seconds), UTC).isoformat()


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return str(value)
