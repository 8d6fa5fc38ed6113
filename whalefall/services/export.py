"""The account inventory as JSON or CSV, in the documented format (docs/export-format.md).

Sorted so that two exports of the same state are byte-identical: accounts by instance, kind, name, host;
privileges by level, database, schema, object, column, privilege; memberships by role.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from whalefall.core.extensions import db
from whalefall.engines.inventory import LEVELS
from whalefall.models import Account, AccountPrivilege, AccountRoleMembership, Instance

if TYPE_CHECKING:
    from collections.abc import Iterator

FORMAT_VERSION = 1
CSV_COLUMNS = (
    "instance", "engine", "name", "host", "kind", "status", "record", "privilege", "level", "database", "schema",
    "object", "column", "grantable", "state", "role", "role_host", "admin_option", "default", "extras", "attributes",
)  # fmt: skip


def export_accounts(instance_names: list[str] | None = None) -> list[dict[str, Any]]:
    """Every account (active and deleted) of the given instances (default: all live ones), canonical and sorted."""
    query = (
        select(Account, Instance.name, Instance.engine)
        .join(Instance, Instance.id == Account.instance_id)
        .where(Instance.deleted_at.is_(None))
    )
    if instance_names:
        query = query.where(Instance.name.in_(instance_names))
    rows = db.session.execute(query).all()
    ids = [account.id for account, _, _ in rows]
    privileges: dict[int, list[dict[str, Any]]] = defaultdict(list)
    memberships: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for chunk_start in range(0, len(ids), 1000):
        chunk = ids[chunk_start : chunk_start + 1000]
        for p in db.session.scalars(select(AccountPrivilege).where(AccountPrivilege.account_id.in_(chunk))):
            privileges[p.account_id].append(_privilege(p))
        for m in db.session.scalars(select(AccountRoleMembership).where(AccountRoleMembership.account_id.in_(chunk))):
            memberships[m.account_id].append(_membership(m))

    accounts = []
    for account, instance_name, engine in rows:
        accounts.append(
            {
                "instance": instance_name,
                "engine": engine,
                "name": account.name,
                "host": account.host if engine == "mysql" else None,
                "kind": account.kind,
                "status": account.status,
                "attributes": dict(sorted((account.attributes or {}).items())),
                "privileges": sorted(privileges[account.id], key=privilege_order),
                "roles": sorted(memberships[account.id], key=_membership_key),
            }
        )
    accounts.sort(key=lambda a: (a["instance"], a["kind"], a["name"], a["host"] or ""))
    return accounts


def to_json(accounts: list[dict[str, Any]]) -> str:
    document = {"format": "whalefall.accounts", "version": FORMAT_VERSION, "accounts": accounts}
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def to_csv(accounts: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in csv_rows(accounts):
        writer.writerow(row)
    return buffer.getvalue()


def csv_rows(accounts: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One line per privilege and per membership; an account with neither still gets one ``account`` line."""
    for account in accounts:
        base = {key: account[key] for key in ("instance", "engine", "name", "host", "kind", "status")}
        base["attributes"] = json.dumps(account["attributes"], sort_keys=True, ensure_ascii=False)
        lines = [{**base, "record": "privilege", **_csv_values(p)} for p in account["privileges"]]
        lines += [{**base, "record": "role", **_csv_values(m)} for m in account["roles"]]
        yield from lines or [{**base, "record": "account"}]


def _csv_values(row: dict[str, Any]) -> dict[str, Any]:
    values = {key: value for key, value in row.items() if key != "extras"}
    values["extras"] = json.dumps(row["extras"], sort_keys=True, ensure_ascii=False) if row.get("extras") else ""
    return values


def _privilege(row: AccountPrivilege) -> dict[str, Any]:
    return {
        "privilege": row.privilege,
        "level": row.level,
        "database": row.database_name,
        "schema": row.schema_name,
        "object": row.object_name,
        "column": row.column_name,
        "grantable": row.grantable,
        "state": row.state,
        "extras": dict(sorted(row.extras.items())) if row.extras else None,
    }


def _membership(row: AccountRoleMembership) -> dict[str, Any]:
    return {
        "role": row.role,
        "role_host": row.role_host,
        "admin_option": row.admin_option,
        "default": row.is_default,
        "extras": dict(sorted(row.extras.items())) if row.extras else None,
    }


def privilege_order(p: dict[str, Any]) -> tuple:
    """The export's order of privilege rows (level, database, schema, object, column, privilege...)."""
    return (
        LEVELS.index(p["level"]) if p["level"] in LEVELS else len(LEVELS),
        p["database"] or "",
        p["schema"] or "",
        p["object"] or "",
        p["column"] or "",
        p["privilege"],
        p["state"],
        p["grantable"],
        json.dumps(p["extras"], sort_keys=True),
    )


def _membership_key(m: dict[str, Any]) -> tuple:
    return (m["role"], m["role_host"] or "", m["admin_option"], m["default"], json.dumps(m["extras"], sort_keys=True))
