"""PostgreSQL catalog rows → canonical account snapshots. Pure, no I/O.

ACLs are read with ``aclexplode(coalesce(acl, acldefault(...)))``, so an object whose ACL was never touched
still shows what its owner and PUBLIC hold by default. Grantee 0 is PUBLIC, reported as the pseudo-account
``PUBLIC``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from whalefall.engines.inventory import AccountSnapshot, Privilege, RoleMembership, freeze_extras, make_account

Row = dict[str, Any]
PUBLIC = "PUBLIC"
PER_DATABASE_LEVELS = ("schema", "table", "column", "sequence", "routine", "default")

RELATION_TYPES = {
    "r": "table",
    "p": "partitioned table",
    "v": "view",
    "m": "materialized view",
    "f": "foreign table",
    "S": "sequence",
}
ROUTINE_TYPES = {"f": "function", "p": "procedure", "a": "aggregate", "w": "window function"}
DEFAULT_ACL_OBJECTS = {
    "r": "TABLES",
    "S": "SEQUENCES",
    "f": "FUNCTIONS",
    "T": "TYPES",
    "n": "SCHEMAS",
    "L": "LARGE OBJECTS",
}


@dataclass
class DatabaseCatalog:
    """Rows read inside one database: object ACLs (schemas, relations, routines), column ACLs, default ACLs."""

    name: str
    objects: list[Row] = field(default_factory=list)
    columns: list[Row] = field(default_factory=list)
    default_acls: list[Row] = field(default_factory=list)


@dataclass
class ClusterCatalog:
    server_version_num: int
    roles: list[Row] = field(default_factory=list)
    memberships: list[Row] = field(default_factory=list)
    databases: list[Row] = field(default_factory=list)
    per_database: list[DatabaseCatalog] = field(default_factory=list)


def build_accounts(catalog: ClusterCatalog) -> list[AccountSnapshot]:
    names = {row["oid"]: row["rolname"] for row in catalog.roles}
    names[0] = PUBLIC

    def who(oid: int) -> str:
        return names.get(oid) or f"unknown role (oid {oid})"

    privileges: dict[str, set[Privilege]] = defaultdict(set)
    for row in catalog.databases:
        _acl_row(privileges, who, row, "database", database=row["datname"])
    for database in catalog.per_database:
        for row in database.objects:
            _acl_row(
                privileges,
                who,
                row,
                row["level"],
                database=database.name,
                schema=row["schema"],
                obj=row["object"],
                extras=_object_extras(row),
            )
        for row in database.columns:
            privileges[who(row["grantee"])].add(
                Privilege(
                    row["privilege_type"],
                    "column",
                    database=database.name,
                    schema=row["schema"],
                    object=row["object"],
                    column=row["column"],
                    grantable=bool(row["is_grantable"]),
                )
            )
        for row in database.default_acls:
            objtype = str(row["objtype"])
            privileges[who(row["grantee"])].add(
                Privilege(
                    row["privilege_type"],
                    "default",
                    database=database.name,
                    schema=row["schema"],
                    object=DEFAULT_ACL_OBJECTS.get(objtype, objtype),
                    grantable=bool(row["is_grantable"]),
                    extras=freeze_extras({"for_role": who(row["for_role"])}),
                )
            )

    memberships: dict[str, set[RoleMembership]] = defaultdict(set)
    with_options = catalog.server_version_num >= 160000
    for row in catalog.memberships:
        extras = {"inherit": bool(row["inherit_option"]), "set": bool(row["set_option"])} if with_options else None
        memberships[who(row["member"])].add(
            RoleMembership(
                role=who(row["roleid"]), admin_option=bool(row["admin_option"]), extras=freeze_extras(extras)
            )
        )

    accounts = [
        make_account(
            name=row["rolname"],
            kind="user" if row["rolcanlogin"] else "role",
            attributes=_role_attributes(row),
            privileges=privileges.pop(row["rolname"], ()),
            memberships=memberships.pop(row["rolname"], ()),
        )
        for row in catalog.roles
    ]
    public_attributes = {"can_login": False, "superuser": False, "locked": False, "password_expired": False}
    accounts.append(make_account(PUBLIC, "role", {**public_attributes, "pseudo": True}, privileges.pop(PUBLIC, ()), ()))
    # Grants to an oid that no longer names a role are still on the server: report, never drop them.
    for orphan in sorted(privileges.keys() | memberships.keys()):
        accounts.append(
            make_account(
                orphan, "role", {**public_attributes, "orphaned": True}, privileges[orphan], memberships[orphan]
            )
        )
    return accounts


def _acl_row(privileges, who, row: Row, level: str, database=None, schema=None, obj=None, extras=()) -> None:
    common = {"database": database, "schema": schema, "object": obj, "extras": extras}
    privileges[who(row["owner"])].add(Privilege("OWNER", level, grantable=True, **common))
    if row.get("privilege_type") is not None:
        privileges[who(row["grantee"])].add(
            Privilege(row["privilege_type"], level, grantable=bool(row["is_grantable"]), **common)
        )


def _object_extras(row: Row):
    kind = row.get("object_kind")
    if kind is None:
        return ()
    types = ROUTINE_TYPES if row["level"] == "routine" else RELATION_TYPES
    object_type = types.get(kind, kind)
    # Plain tables, sequences and functions are what their level says; only the others need naming.
    return () if object_type in ("table", "sequence", "function") else freeze_extras({"object_type": object_type})


def _role_attributes(row: Row) -> dict[str, Any]:
    return {
        "can_login": bool(row["rolcanlogin"]),
        "superuser": bool(row["rolsuper"]),
        "locked": False,  # PostgreSQL has no account lock; NOLOGIN is can_login = false
        "password_expired": bool(row["password_expired"]),
        "createdb": bool(row["rolcreatedb"]),
        "createrole": bool(row["rolcreaterole"]),
        "inherit": bool(row["rolinherit"]),
        "replication": bool(row["rolreplication"]),
        "bypassrls": bool(row["rolbypassrls"]),
        "connection_limit": int(row["rolconnlimit"]),
        "valid_until": row["valid_until"],
    }
