"""Writes one instance's inventory: compares by fingerprint, records every difference in the change log.

An unchanged account costs no write. Everything for one instance happens in the caller's transaction, so a
failure leaves the stored state exactly as it was.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update

from whalefall.core.errors import WhaleFallError
from whalefall.core.extensions import db
from whalefall.engines.inventory import (
    AccountSnapshot,
    Inventory,
    Privilege,
    RoleMembership,
    UnreadablePart,
    freeze_extras,
    make_account,
)
from whalefall.models import Account, AccountChange, AccountPrivilege, AccountRoleMembership
from whalefall.models._types import utcnow

if TYPE_CHECKING:
    from datetime import datetime

    from whalefall.models import Instance


class SuspiciousInventory(WhaleFallError):
    """The server's answer looks like a broken read rather than the truth; nothing is written."""


@dataclass
class StoreResult:
    found: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    changes: int = 0
    rows_written: int = 0
    unreadable: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Stored:
    id: int
    kind: str
    status: str
    fingerprint: str
    attributes: dict[str, Any] = field(default_factory=dict)  # loaded only for accounts that changed


def store_inventory(instance: Instance, inventory: Inventory, session_id: int | None) -> StoreResult:
    """Apply ``inventory`` to the stored accounts of ``instance`` (no commit: the caller owns the transaction)."""
    now = utcnow()
    result = StoreResult(found=len(inventory.accounts), unreadable=[part.as_dict() for part in inventory.unreadable])
    stored = _load_accounts(instance.id)
    active_stored = sum(1 for account in stored.values() if account.status == "active")
    real_accounts = [a for a in inventory.accounts if not a.attribute_map.get("pseudo")]
    if not real_accounts and active_stored:
        raise SuspiciousInventory(
            f"the server listed no accounts while {active_stored} are stored as active; "
            "refusing to mark them all deleted (check the collector account's privileges)"
        )

    changed_keys = [s.key for s in inventory.accounts if s.key in stored and _differs(stored[s.key], s, inventory)]
    previous = _load_details([stored[key] for key in changed_keys]) if changed_keys else {}
    changes: list[dict[str, Any]] = []
    seen = {snapshot.key for snapshot in inventory.accounts}
    new = [snapshot for snapshot in inventory.accounts if snapshot.key not in stored]
    for snapshot, account_id in zip(new, _insert_accounts(instance, new, now), strict=True):
        changes.append(_change(instance, snapshot, account_id, "account_created", _summary(snapshot)))
        result.created += 1
        result.rows_written += 1 + len(snapshot.privileges) + len(snapshot.memberships)

    for snapshot in inventory.accounts:
        existing = stored.get(snapshot.key)
        if existing is None:
            continue
        if snapshot.key not in previous:
            result.unchanged += 1
            continue
        old_privileges, old_memberships = previous[snapshot.key]
        merged = _carry_over_unreadable(snapshot, old_privileges, inventory.unreadable)
        if existing.status == "active" and merged.fingerprint == existing.fingerprint:
            result.unchanged += 1  # only unreadable parts differed: they are kept as they were
            continue
        if existing.status == "deleted":
            changes.append(_change(instance, merged, existing.id, "account_restored", {}))
        changes.extend(_diff(instance, merged, existing, old_privileges, old_memberships))
        result.rows_written += _rewrite_account(existing.id, merged, old_privileges, old_memberships, now)
        result.updated += 1

    for key, existing in stored.items():
        if key not in seen and existing.status == "active":
            db.session.execute(
                update(Account)
                .where(Account.id == existing.id)
                .values(status="deleted", deleted_at=now, changed_at=now)
            )
            name, host = key
            snapshot = AccountSnapshot(name=name, kind=existing.kind, host=host or None)
            changes.append(_change(instance, snapshot, existing.id, "account_deleted", {}))
            result.deleted += 1
            result.rows_written += 1

    for change in changes:
        change["session_id"] = session_id
        change["detected_at"] = now
    _bulk_insert(AccountChange, changes)
    result.changes = len(changes)
    result.rows_written += len(changes)
    return result


def _load_accounts(instance_id: int) -> dict[tuple[str, str], _Stored]:
    rows = db.session.execute(
        select(
            Account.id,
            Account.kind,
            Account.name,
            Account.host,
            Account.status,
            Account.fingerprint,
            Account.attributes,
        ).where(Account.instance_id == instance_id)
    )
    return {
        (row.name, row.host): _Stored(row.id, row.kind, row.status, row.fingerprint, row.attributes or {})
        for row in rows
    }


def _differs(stored: _Stored, snapshot: AccountSnapshot, inventory: Inventory) -> bool:
    if stored.status != "active":
        return True
    if inventory.unreadable:
        return True  # the fingerprint must be compared after carrying the unreadable rows over
    return stored.fingerprint != snapshot.fingerprint


def _load_details(accounts: list[_Stored]) -> dict[tuple[str, str], tuple[set[Privilege], set[RoleMembership]]]:
    """Attributes, privileges and memberships of the given (changed) accounts, in bulk queries."""
    by_id = {account.id: account for account in accounts}
    account_ids = list(by_id)
    keys = {}
    privileges: dict[int, set[Privilege]] = defaultdict(set)
    memberships: dict[int, set[RoleMembership]] = defaultdict(set)
    for chunk in _chunks(account_ids):
        query = select(Account.id, Account.name, Account.host, Account.attributes).where(Account.id.in_(chunk))
        for row in db.session.execute(query):
            keys[row.id] = (row.name, row.host)
            by_id[row.id].attributes = row.attributes or {}
        for row in db.session.scalars(select(AccountPrivilege).where(AccountPrivilege.account_id.in_(chunk))):
            privileges[row.account_id].add(_privilege_from_row(row))
        for row in db.session.scalars(select(AccountRoleMembership).where(AccountRoleMembership.account_id.in_(chunk))):
            memberships[row.account_id].add(_membership_from_row(row))
    return {key: (privileges[account_id], memberships[account_id]) for account_id, key in keys.items()}


def _carry_over_unreadable(
    snapshot: AccountSnapshot, old_privileges: set[Privilege], unreadable: list[UnreadablePart]
) -> AccountSnapshot:
    """Rows in parts that could not be read keep their stored value: a refused database is no revoke."""
    if not unreadable:
        return snapshot
    kept = [p for p in old_privileges if any(part.covers(p) for part in unreadable)]
    fresh = [p for p in snapshot.privileges if not any(part.covers(p) for part in unreadable)]
    return make_account(
        snapshot.name, snapshot.kind, snapshot.attribute_map, [*fresh, *kept], snapshot.memberships, snapshot.host
    )


def _diff(instance, snapshot: AccountSnapshot, existing: _Stored, old_privileges, old_memberships) -> list[dict]:
    changes = []
    new_privileges, new_memberships = set(snapshot.privileges), set(snapshot.memberships)
    for privilege in sorted(new_privileges - old_privileges, key=Privilege.sort_key):
        changes.append(_change(instance, snapshot, existing.id, "privilege_granted", privilege.as_dict()))
    for privilege in sorted(old_privileges - new_privileges, key=Privilege.sort_key):
        changes.append(_change(instance, snapshot, existing.id, "privilege_revoked", privilege.as_dict()))
    for membership in sorted(new_memberships - old_memberships, key=RoleMembership.sort_key):
        changes.append(_change(instance, snapshot, existing.id, "role_granted", membership.as_dict()))
    for membership in sorted(old_memberships - new_memberships, key=RoleMembership.sort_key):
        changes.append(_change(instance, snapshot, existing.id, "role_revoked", membership.as_dict()))
    new_attributes = snapshot.attribute_map
    if existing.kind != snapshot.kind:
        detail = {"attribute": "kind", "old": existing.kind, "new": snapshot.kind}
        changes.append(_change(instance, snapshot, existing.id, "attribute_changed", detail))
    for name in sorted(existing.attributes.keys() | new_attributes.keys()):
        old, new = existing.attributes.get(name), new_attributes.get(name)
        if old != new:
            detail = {"attribute": name, "old": old, "new": new}
            changes.append(_change(instance, snapshot, existing.id, "attribute_changed", detail))
    return changes


def _insert_accounts(instance: Instance, snapshots: list[AccountSnapshot], now: datetime) -> list[int]:
    """New accounts and all their rows in three bulk statements."""
    if not snapshots:
        return []
    # Plain executemany, then one query for the ids: far faster than RETURNING row by row on SQLite.
    _bulk_insert(
        Account, [{**_account_values(instance, snapshot, now), "first_seen_at": now} for snapshot in snapshots]
    )
    query = select(Account.id, Account.name, Account.host).where(Account.instance_id == instance.id)
    id_by_key = {(row.name, row.host): row.id for row in db.session.execute(query)}
    ids = [id_by_key[(snapshot.name, snapshot.host or "")] for snapshot in snapshots]
    _bulk_insert(
        AccountPrivilege, [_privilege_values(i, p) for i, s in zip(ids, snapshots, strict=True) for p in s.privileges]
    )
    _bulk_insert(
        AccountRoleMembership,
        [_membership_values(i, m) for i, s in zip(ids, snapshots, strict=True) for m in s.memberships],
    )
    return ids


def _bulk_insert(model, rows: list[dict[str, Any]]) -> None:
    """Core executemany on the table: no ORM bookkeeping for rows nobody holds as objects."""
    if rows:
        db.session.execute(model.__table__.insert(), rows)


def _rewrite_account(account_id: int, snapshot: AccountSnapshot, old_privileges, old_memberships, now) -> int:
    """Write only what differs: removed rows deleted, added rows inserted, the account row updated."""
    new_privileges, new_memberships = set(snapshot.privileges), set(snapshot.memberships)
    removed_privileges, added_privileges = old_privileges - new_privileges, new_privileges - old_privileges
    removed_memberships, added_memberships = old_memberships - new_memberships, new_memberships - old_memberships
    if removed_privileges or removed_memberships:
        stored_privileges = db.session.scalars(
            select(AccountPrivilege).where(AccountPrivilege.account_id == account_id)
        )
        doomed = [row.id for row in stored_privileges if _privilege_from_row(row) in removed_privileges]
        stored_memberships = db.session.scalars(
            select(AccountRoleMembership).where(AccountRoleMembership.account_id == account_id)
        )
        doomed_memberships = [row.id for row in stored_memberships if _membership_from_row(row) in removed_memberships]
        for chunk in _chunks(doomed):
            db.session.execute(delete(AccountPrivilege).where(AccountPrivilege.id.in_(chunk)))
        for chunk in _chunks(doomed_memberships):
            db.session.execute(delete(AccountRoleMembership).where(AccountRoleMembership.id.in_(chunk)))
    _insert_details(account_id, added_privileges, added_memberships)
    db.session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(
            kind=snapshot.kind,
            status="active",
            deleted_at=None,
            attributes=snapshot.attribute_map,
            can_login=bool(snapshot.attribute_map["can_login"]),
            is_superuser=bool(snapshot.attribute_map["superuser"]),
            is_locked=bool(snapshot.attribute_map["locked"]),
            fingerprint=snapshot.fingerprint,
            last_seen_at=now,
            changed_at=now,
        )
    )
    return 1 + len(removed_privileges) + len(added_privileges) + len(removed_memberships) + len(added_memberships)


def _insert_details(account_id: int, privileges, memberships) -> None:
    _bulk_insert(AccountPrivilege, [_privilege_values(account_id, p) for p in privileges])
    _bulk_insert(AccountRoleMembership, [_membership_values(account_id, m) for m in memberships])


def _account_values(instance: Instance, snapshot: AccountSnapshot, now: datetime) -> dict[str, Any]:
    attributes = snapshot.attribute_map
    return {
        "instance_id": instance.id,
        "name": snapshot.name,
        "host": snapshot.host or "",
        "kind": snapshot.kind,
        "status": "active",
        "attributes": attributes,
        "can_login": bool(attributes["can_login"]),
        "is_superuser": bool(attributes["superuser"]),
        "is_locked": bool(attributes["locked"]),
        "fingerprint": snapshot.fingerprint,
        "last_seen_at": now,
        "changed_at": now,
    }


def _privilege_values(account_id: int, privilege: Privilege) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "privilege": privilege.privilege,
        "level": privilege.level,
        "database_name": privilege.database,
        "schema_name": privilege.schema,
        "object_name": privilege.object,
        "column_name": privilege.column,
        "grantable": privilege.grantable,
        "state": privilege.state,
        "extras": dict(privilege.extras) or None,
    }


def _membership_values(account_id: int, membership: RoleMembership) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "role": membership.role,
        "role_host": membership.role_host,
        "admin_option": membership.admin_option,
        "is_default": membership.default,
        "extras": dict(membership.extras) or None,
    }


def _privilege_from_row(row: AccountPrivilege) -> Privilege:
    return Privilege(
        privilege=row.privilege,
        level=row.level,
        database=row.database_name,
        schema=row.schema_name,
        object=row.object_name,
        column=row.column_name,
        grantable=row.grantable,
        state=row.state,
        extras=freeze_extras(row.extras),
    )


def _membership_from_row(row: AccountRoleMembership) -> RoleMembership:
    return RoleMembership(
        role=row.role,
        role_host=row.role_host,
        admin_option=row.admin_option,
        default=row.is_default,
        extras=freeze_extras(row.extras),
    )


def _change(instance, snapshot: AccountSnapshot, account_id: int | None, change_type: str, detail) -> dict[str, Any]:
    return {
        "instance_id": instance.id,
        "account_id": account_id,
        "change_type": change_type,
        "account_name": snapshot.name,
        "account_host": snapshot.host or "",
        "account_kind": snapshot.kind,
        "detail": detail,
    }


def _summary(snapshot: AccountSnapshot) -> dict[str, Any]:
    return {"privileges": len(snapshot.privileges), "roles": [m.role for m in snapshot.memberships]}


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
