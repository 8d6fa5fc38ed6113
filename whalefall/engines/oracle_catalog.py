"""Oracle data-dictionary rows → canonical account snapshots. Pure, no I/O.

Users and roles (``dba_users``, ``dba_roles``), role grants with ADMIN OPTION and DEFAULT ROLE, nested roles
(a role granted to a role), system privileges (``dba_sys_privs``, level ``global``), object privileges
(``dba_tab_privs``) and column privileges (``dba_col_privs``). Grants to PUBLIC go to the pseudo-account PUBLIC.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from whalefall.engines.inventory import AccountSnapshot, Privilege, RoleMembership, freeze_extras, make_account

Row = dict[str, Any]
PUBLIC = "PUBLIC"
OBJECT_LEVELS = {
    "TABLE": "table",
    "VIEW": "table",
    "MATERIALIZED VIEW": "table",
    "SYNONYM": "table",
    "SEQUENCE": "sequence",
    "PROCEDURE": "routine",
    "FUNCTION": "routine",
    "PACKAGE": "routine",
    "PACKAGE BODY": "routine",
    "TYPE": "routine",
    "JAVA SOURCE": "routine",
    "JAVA CLASS": "routine",
    "LIBRARY": "routine",
}
SUPERUSER_ROLES = {"DBA"}
SUPERUSER_PRIVILEGES = {"GRANT ANY PRIVILEGE", "GRANT ANY ROLE", "ALTER USER"}


@dataclass
class Dictionary:
    users: list[Row] = field(default_factory=list)
    roles: list[Row] = field(default_factory=list)
    role_privs: list[Row] = field(default_factory=list)
    sys_privs: list[Row] = field(default_factory=list)
    tab_privs: list[Row] = field(default_factory=list)
    col_privs: list[Row] = field(default_factory=list)


def build_accounts(dictionary: Dictionary) -> list[AccountSnapshot]:
    privileges: dict[str, list[Privilege]] = defaultdict(list)
    memberships: dict[str, list[RoleMembership]] = defaultdict(list)
    for row in dictionary.sys_privs:
        privileges[row["GRANTEE"]].append(Privilege(row["PRIVILEGE"], "global", grantable=_yes(row["ADMIN_OPTION"])))
    for row in dictionary.tab_privs:
        object_type = row.get("TYPE") or "TABLE"
        level = OBJECT_LEVELS.get(object_type, "database")
        extras = {} if object_type in ("TABLE", "SEQUENCE", "PROCEDURE", "FUNCTION") else {"object_type": object_type}
        privileges[row["GRANTEE"]].append(
            Privilege(
                row["PRIVILEGE"],
                level,
                schema=row["OWNER"],
                object=row["TABLE_NAME"],
                grantable=_yes(row["GRANTABLE"]),
                extras=freeze_extras(extras),
            )
        )
    for row in dictionary.col_privs:
        privileges[row["GRANTEE"]].append(
            Privilege(
                row["PRIVILEGE"],
                "column",
                schema=row["OWNER"],
                object=row["TABLE_NAME"],
                column=row["COLUMN_NAME"],
                grantable=_yes(row["GRANTABLE"]),
            )
        )
    for row in dictionary.role_privs:
        memberships[row["GRANTEE"]].append(
            RoleMembership(
                role=row["GRANTED_ROLE"], admin_option=_yes(row["ADMIN_OPTION"]), default=_yes(row["DEFAULT_ROLE"])
            )
        )

    accounts = []
    for row in dictionary.users:
        name = row["USERNAME"]
        accounts.append(
            make_account(name, "user", _user_attributes(row, privileges[name], memberships[name]),
                         privileges.pop(name, ()), memberships.pop(name, ()))
        )  # fmt: skip
    for row in dictionary.roles:
        name = row["ROLE"]
        attributes = {
            "can_login": False,
            "superuser": False,
            "locked": False,
            "password_expired": False,
            "authentication_type": row.get("AUTHENTICATION_TYPE"),
            "oracle_maintained": _yes(row.get("ORACLE_MAINTAINED")),
            "common": _yes(row.get("COMMON")),
        }
        accounts.append(
            make_account(name, "role", _present(attributes), privileges.pop(name, ()), memberships.pop(name, ()))
        )
    leftover = sorted(set(privileges) | set(memberships))
    for name in leftover:  # PUBLIC, or a grantee missing from dba_users/dba_roles: reported, never dropped
        attributes = {"can_login": False, "superuser": False, "locked": False, "password_expired": False}
        attributes["pseudo" if name == PUBLIC else "orphaned"] = True
        accounts.append(make_account(name, "role", attributes, privileges[name], memberships[name]))
    return accounts


def _user_attributes(row: Row, privileges: list[Privilege], memberships: list[RoleMembership]) -> dict[str, Any]:
    parts = [part.strip() for part in (row.get("ACCOUNT_STATUS") or "").split("&")]
    granted = {p.privilege for p in privileges if p.level == "global"}
    roles = {m.role for m in memberships}
    attributes = {
        "can_login": True,
        "superuser": row["USERNAME"] == "SYS" or bool(roles & SUPERUSER_ROLES) or bool(granted & SUPERUSER_PRIVILEGES),
        "locked": any(part.startswith("LOCKED") for part in parts),
        "password_expired": "EXPIRED" in parts,
        "account_status": row.get("ACCOUNT_STATUS"),
        "in_grace_period": "EXPIRED(GRACE)" in parts,
        "lock_date": _iso(row.get("LOCK_DATE")),
        "expiry_date": _iso(row.get("EXPIRY_DATE")),
        "profile": row.get("PROFILE"),
        "authentication_type": row.get("AUTHENTICATION_TYPE"),
        "oracle_maintained": _yes(row.get("ORACLE_MAINTAINED")),
        "common": _yes(row.get("COMMON")),
    }
    return _present(attributes)


def _present(attributes: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in attributes.items() if value is not None}


def _yes(value: Any) -> bool:
    return str(value or "").upper() in ("YES", "Y")


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return None if value is None else str(value)
