"""Helpers shared by the real-server sync tests: register instances, run sessions, read exports and change logs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from whalefall.core.extensions import db
from whalefall.models import AccountChange, SyncRecord, SyncSession
from whalefall.services.export import export_accounts, privilege_order
from whalefall.services.instances import InstanceInput, add_instance, get_instance
from whalefall.tasks.accounts_sync import sync_accounts

# Attributes whose value depends on when the fixture ran, not on what it granted.
VOLATILE_ATTRIBUTES = {"password_last_changed"}


def register(name: str, engine: str, port: int, username: str, password: str, host: str = "127.0.0.1", **kw) -> int:
    instance = add_instance(InstanceInput(name, engine, host, port, username, password, **kw))
    return instance.id


def sync(*names: str, trigger: str = "manual") -> tuple[SyncSession, dict[str, SyncRecord]]:
    ids = [get_instance(name).id for name in names] if names else None
    outcome = sync_accounts(instance_ids=ids, trigger=trigger, created_by="pytest")
    db.session.expire_all()
    session = db.session.get(SyncSession, outcome["sync_session_id"])
    by_name = {get_instance_name(record.instance_id): record for record in session.records}
    return session, by_name


def get_instance_name(instance_id: int) -> str:
    from whalefall.models import Instance

    return db.session.get(Instance, instance_id).name


def exported(instance: str) -> dict[tuple[str, str | None], dict[str, Any]]:
    """The export of one instance keyed by (name, host), volatile attributes removed."""
    accounts = {}
    for account in export_accounts([instance]):
        account = dict(account)
        account["attributes"] = {k: v for k, v in account["attributes"].items() if k not in VOLATILE_ATTRIBUTES}
        accounts[(account["name"], account["host"])] = account
    return accounts


def changes(session_id: int) -> list[tuple[str, str, str, dict[str, Any]]]:
    """The session's change log, sorted; changes of volatile attributes (timestamps) are left out."""
    rows = db.session.scalars(select(AccountChange).where(AccountChange.session_id == session_id))
    return sorted(
        (
            (row.change_type, row.account_name, row.account_host, row.detail)
            for row in rows
            if row.detail.get("attribute") not in VOLATILE_ATTRIBUTES
        ),
        key=lambda change: (change[1], change[2], change[0], repr(sorted(change[3].items()))),
    )


def priv(
    privilege: str,
    level: str,
    database: str | None = None,
    schema: str | None = None,
    obj: str | None = None,
    column: str | None = None,
    grantable: bool = False,
    state: str = "GRANT",
    extras: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "privilege": privilege,
        "level": level,
        "database": database,
        "schema": schema,
        "object": obj,
        "column": column,
        "grantable": grantable,
        "state": state,
        "extras": extras,
    }


def role(name: str, admin: bool = False, default: bool = False, host: str | None = None, extras=None) -> dict:
    return {"role": name, "role_host": host, "admin_option": admin, "default": default, "extras": extras}


def sort_privileges(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=privilege_order)
