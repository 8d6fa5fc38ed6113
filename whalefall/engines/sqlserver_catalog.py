"""SQL Server catalog rows → canonical account snapshots. Pure, no I/O.

Accounts are the server principals (logins of every kind and server roles). A database user mapped to a login
(by SID) adds its database permissions and role memberships to that login, with ``database`` set. Database
principals that belong to no login — database roles, users without login, contained users, orphaned users —
are accounts of their own named ``<database>:<principal>``. GRANT, DENY and GRANT WITH GRANT OPTION are kept.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from whalefall.engines.inventory import AccountSnapshot, Privilege, RoleMembership, freeze_extras, make_account

Row = dict[str, Any]
LOGIN_TYPES = {"S", "U", "G", "C", "K", "E", "X"}
ROLE_TYPES = {"R"}
OBJECT_LEVELS = {
    "SQL_STORED_PROCEDURE": "routine",
    "CLR_STORED_PROCEDURE": "routine",
    "SQL_SCALAR_FUNCTION": "routine",
    "SQL_TABLE_VALUED_FUNCTION": "routine",
    "SQL_INLINE_TABLE_VALUED_FUNCTION": "routine",
    "CLR_SCALAR_FUNCTION": "routine",
    "CLR_TABLE_VALUED_FUNCTION": "routine",
    "AGGREGATE_FUNCTION": "routine",
    "EXTENDED_STORED_PROCEDURE": "routine",
    "SEQUENCE_OBJECT": "sequence",
}
SUPERUSER_ROLES = {"sysadmin"}
SUPERUSER_PERMISSIONS = {"CONTROL SERVER"}


@dataclass
class DatabaseRows:
    name: str
    principals: list[Row] = field(default_factory=list)
    role_members: list[Row] = field(default_factory=list)
    permissions: list[Row] = field(default_factory=list)


@dataclass
class ServerCatalog:
    principals: list[Row] = field(default_factory=list)
    role_members: list[Row] = field(default_factory=list)
    permissions: list[Row] = field(default_factory=list)
    databases: list[DatabaseRows] = field(default_factory=list)


def build_accounts(catalog: ServerCatalog) -> list[AccountSnapshot]:
    server = {row["principal_id"]: row for row in catalog.principals}
    login_by_sid = {_sid(row["sid"]): row["name"] for row in catalog.principals if row.get("sid") is not None}
    privileges: dict[str, list[Privilege]] = defaultdict(list)
    memberships: dict[str, list[RoleMembership]] = defaultdict(list)
    kinds: dict[str, str] = {}
    attributes: dict[str, dict[str, Any]] = {}

    for row in catalog.principals:
        kinds[row["name"]] = "role" if row["type"] in ROLE_TYPES else "user"
        attributes[row["name"]] = _login_attributes(row)
    for row in catalog.role_members:
        member, role = server.get(row["member_principal_id"]), server.get(row["role_principal_id"])
        if member and role:
            memberships[member["name"]].append(RoleMembership(role=role["name"]))
    for row in catalog.permissions:
        grantee = server.get(row["grantee_principal_id"])
        if grantee is not None:
            privileges[grantee["name"]].append(_server_privilege(row))

    for database in catalog.databases:
        _database_accounts(database, login_by_sid, kinds, attributes, privileges, memberships)

    accounts = []
    for name, kind in kinds.items():
        account_attributes = dict(attributes[name])
        roles = {m.role for m in memberships[name]}
        granted = {p.privilege for p in privileges[name] if p.level == "server" and p.state == "GRANT"}
        account_attributes["superuser"] = bool(roles & SUPERUSER_ROLES or granted & SUPERUSER_PERMISSIONS)
        accounts.append(make_account(name, kind, account_attributes, privileges[name], memberships[name]))
    return accounts


def _database_accounts(database: DatabaseRows, login_by_sid, kinds, attributes, privileges, memberships) -> None:
    """Attribute each database principal's rows to its login, or to a database-scoped account of its own."""
    owner: dict[int, str] = {}
    for row in database.principals:
        login = login_by_sid.get(_sid(row.get("sid"))) if row["type"] not in ROLE_TYPES else None
        if login is not None and row["name"] not in ("guest", "INFORMATION_SCHEMA", "sys"):
            owner[row["principal_id"]] = login
            continue
        name = f"{database.name}:{row['name']}"
        owner[row["principal_id"]] = name
        kinds[name] = "role" if row["type"] in ROLE_TYPES else "user"
        contained = row.get("authentication_type_desc") in ("DATABASE", "EXTERNAL")
        attributes[name] = {
            "can_login": kinds[name] == "user" and contained,
            "locked": False,
            "password_expired": False,
            "database": database.name,
            "principal_type": row.get("type_desc"),
            "orphaned": kinds[name] == "user" and not contained and row.get("authentication_type_desc") == "INSTANCE",
        }
    principal_names = {row["principal_id"]: row["name"] for row in database.principals}
    for row in database.role_members:
        member, role = owner.get(row["member_principal_id"]), principal_names.get(row["role_principal_id"])
        if member and role:
            memberships[member].append(
                RoleMembership(role=f"{database.name}:{role}", extras=freeze_extras({"database": database.name}))
            )
    for row in database.permissions:
        grantee = owner.get(row["grantee_principal_id"])
        if grantee is not None:
            privileges[grantee].append(_database_privilege(database.name, row))
    # Database roles with no member and no permission (most fixed roles of most databases) grant nothing.
    used = set(privileges) | set(memberships) | {m.role for ms in memberships.values() for m in ms}
    for name in [n for n, a in attributes.items() if a.get("database") == database.name and n not in used]:
        if kinds[name] == "role":
            del kinds[name], attributes[name]


def _server_privilege(row: Row) -> Privilege:
    extras = {}
    if row.get("class_desc") not in (None, "SERVER"):
        extras = {"securable_class": row["class_desc"]}
    return Privilege(
        row["permission_name"],
        "server",
        object=row.get("securable_name"),
        grantable=row["state"] == "W",
        state="DENY" if row["state"] == "D" else "GRANT",
        extras=freeze_extras(extras),
    )


def _database_privilege(database: str, row: Row) -> Privilege:
    common = {"grantable": row["state"] == "W", "state": "DENY" if row["state"] == "D" else "GRANT"}
    permission = row["permission_name"]
    class_desc = row["class_desc"]
    if class_desc == "DATABASE":
        return Privilege(permission, "database", database=database, **common)
    if class_desc == "SCHEMA":
        return Privilege(permission, "schema", database=database, schema=row["schema_target"], **common)
    if class_desc == "OBJECT_OR_COLUMN":
        level = "column" if row.get("column_name") else OBJECT_LEVELS.get(row.get("object_type") or "", "table")
        extras = {"object_type": row["object_type"]} if row.get("object_type") not in (None, "USER_TABLE") else {}
        return Privilege(
            permission,
            level,
            database=database,
            schema=row.get("schema_name"),
            object=row.get("object_name"),
            column=row.get("column_name"),
            extras=freeze_extras(extras),
            **common,
        )
    # Other securables (types, assemblies, certificates, keys, principals...): named, classed, never dropped.
    return Privilege(
        permission,
        "database",
        database=database,
        object=row.get("securable_name"),
        extras=freeze_extras({"securable_class": class_desc}),
        **common,
    )


def _login_attributes(row: Row) -> dict[str, Any]:
    is_login = row["type"] in LOGIN_TYPES
    disabled = bool(row.get("is_disabled"))
    last_set = row.get("password_last_set")
    if isinstance(last_set, datetime):
        last_set = (last_set if last_set.tzinfo else last_set.replace(tzinfo=UTC)).isoformat()
    attributes = {
        "can_login": is_login and not disabled,
        "locked": bool(row.get("is_locked") or 0),
        "password_expired": bool(row.get("is_expired") or 0),
        "login_type": row.get("type_desc"),
    }
    if is_login:
        attributes["disabled"] = disabled
        if row["type"] == "S":
            attributes.update(
                must_change_password=bool(row.get("is_must_change") or 0),
                password_policy=bool(row.get("is_policy_checked")),
                password_expiration=bool(row.get("is_expiration_checked")),
                password_last_changed=last_set,
                default_database=row.get("default_database_name"),
            )
    return {key: value for key, value in attributes.items() if value is not None}


def _sid(value: Any) -> str | None:
    if value is None:
        return None
    return bytes(value).hex() if isinstance(value, bytes | bytearray | memoryview) else str(value)
