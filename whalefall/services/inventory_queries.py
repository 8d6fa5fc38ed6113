"""Read side of the inventory: filtered, sorted, paginated accounts; one account in full; the change log.

Every filter is a bound parameter or a whitelisted column; nothing from a request is glued into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, exists, func, select

from whalefall.core.errors import NotFoundError, ValidationError
from whalefall.core.extensions import db
from whalefall.engines.inventory import LEVEL_ORDER
from whalefall.models import Account, AccountChange, AccountPrivilege, AccountRoleMembership, Instance
from whalefall.models._types import MAX_ID
from whalefall.services.paging import Page, check_page, paginate

if TYPE_CHECKING:
    from datetime import datetime

ACCOUNT_SORTS = {
    "name": Account.name,
    "instance": Instance.name,
    "kind": Account.kind,
    "status": Account.status,
    "changed_at": Account.changed_at,
    "last_seen_at": Account.last_seen_at,
}


@dataclass(frozen=True)
class AccountFilter:
    instance: str | None = None
    engine: str | None = None
    name: str | None = None
    kind: str | None = None
    status: str | None = None
    role: str | None = None
    privilege: str | None = None
    level: str | None = None
    database: str | None = None
    column: str | None = None
    superuser: bool | None = None
    locked: bool | None = None

    def is_empty(self) -> bool:
        return all(value is None for value in vars(self).values())


# A filter matching at most this many accounts is evaluated first and its matches sorted; a broader one walks the
# sort order's index and stops at the page. Planners guess the crossover badly when matches cluster in that order
# (a name substring does): they walk half the index for a page of a few thousand matches.
SELECTIVE_MATCHES = 5_000


def list_accounts(criteria: AccountFilter, sort: str = "name", page: int = 1, per_page: int = 50) -> Page:
    descending = sort.startswith("-")
    column = ACCOUNT_SORTS.get(sort.lstrip("-"))
    if column is None:
        raise ValidationError(f"sort {sort!r} is not one of: {', '.join(ACCOUNT_SORTS)} (prefix '-' for descending)")
    page, per_page = check_page(page, per_page)
    # Counted on ids alone: no row is built just to be counted.
    total = db.session.scalar(_filtered(_with_instance(func.count(Account.id)), criteria))
    if total <= (page - 1) * per_page:
        return Page([], page, per_page, total)
    query = _with_instance(Account, Instance.name, Instance.engine)
    if criteria.is_empty() or total > SELECTIVE_MATCHES:
        query = _filtered(query, criteria)
    else:  # the matches first (an optimization fence), then their order
        matched = _filtered(_with_instance(Account.id), criteria)
        fence = matched.cte("matched").prefix_with("MATERIALIZED", dialect="postgresql")
        query = query.join(fence, fence.c.id == Account.id)
    direction = column.desc() if descending else column.asc()
    # Ties break on the account's own columns, in the order of ix_accounts_name_order.
    ordered = query.order_by(direction, Account.name, Account.instance_id, Account.host, Account.id)
    rows = db.session.execute(ordered.limit(per_page).offset((page - 1) * per_page)).all()
    return Page([account_summary(a, name, engine) for a, name, engine in rows], page, per_page, total)


def _with_instance(*columns) -> Select:
    """Accounts joined to their instance, whose name and engine the filters and the listing use."""
    return select(*columns).select_from(Account).join(Instance, Instance.id == Account.instance_id)


def _filtered(query: Select, c: AccountFilter) -> Select:
    if c.instance:
        query = query.where(Instance.name == c.instance)
    if c.engine:
        query = query.where(Instance.engine == c.engine)
    if c.name:
        query = query.where(Account.name.ilike(f"%{_escape_like(c.name)}%", escape="\\"))
    if c.kind:
        query = query.where(Account.kind == c.kind)
    if c.status:
        query = query.where(Account.status == c.status)
    if c.superuser is not None:
        query = query.where(Account.is_superuser.is_(c.superuser))
    if c.locked is not None:
        query = query.where(Account.is_locked.is_(c.locked))
    if c.role:
        query = query.where(
            exists().where(AccountRoleMembership.account_id == Account.id, AccountRoleMembership.role == c.role)
        )
    if c.privilege or c.level or c.database or c.column:
        conditions = [AccountPrivilege.account_id == Account.id]
        if c.privilege:
            conditions.append(AccountPrivilege.privilege == c.privilege.upper())
        if c.level:
            conditions.append(AccountPrivilege.level == c.level)
        if c.database:
            conditions.append(AccountPrivilege.database_name == c.database)
        if c.column:
            conditions.append(AccountPrivilege.column_name == c.column)
        query = query.where(exists().where(*conditions))
    return query


def account_summary(account: Account, instance: str, engine: str) -> dict[str, Any]:
    return {
        "id": account.id,
        "instance": instance,
        "engine": engine,
        "name": account.name,
        "host": account.host if engine == "mysql" else None,
        "kind": account.kind,
        "status": account.status,
        "superuser": account.is_superuser,
        "locked": account.is_locked,
        "can_login": account.can_login,
        "changed_at": account.changed_at.isoformat(),
        "last_seen_at": account.last_seen_at.isoformat(),
    }


def account_detail(account_id: int, history_limit: int = 200) -> dict[str, Any]:
    """One account with its privileges grouped by level (in level order), role memberships and its timeline."""
    if not 0 < account_id <= MAX_ID:  # an id from outside must not overflow the database
        raise NotFoundError(f"no account {account_id}")
    row = db.session.execute(
        select(Account, Instance.name, Instance.engine)
        .join(Instance, Instance.id == Account.instance_id)
        .where(Account.id == account_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no account {account_id}")
    account, instance, engine = row
    privileges: dict[str, list[dict[str, Any]]] = {}
    rows = db.session.scalars(select(AccountPrivilege).where(AccountPrivilege.account_id == account_id))
    for p in sorted(rows, key=lambda p: (LEVEL_ORDER.get(p.level, 99), p.database_name or "", p.schema_name or "",
                                          p.object_name or "", p.column_name or "", p.privilege)):  # fmt: skip
        privileges.setdefault(p.level, []).append(
            {
                "privilege": p.privilege,
                "level": p.level,
                "database": p.database_name,
                "schema": p.schema_name,
                "object": p.object_name,
                "column": p.column_name,
                "grantable": p.grantable,
                "state": p.state,
                "extras": p.extras,
            }
        )
    memberships = db.session.scalars(
        select(AccountRoleMembership)
        .where(AccountRoleMembership.account_id == account_id)
        .order_by(AccountRoleMembership.role)
    )
    history = db.session.scalars(
        select(AccountChange)
        .where(AccountChange.account_id == account_id)
        .order_by(AccountChange.detected_at.desc(), AccountChange.id.desc())
        .limit(history_limit)
    )
    return {
        **account_summary(account, instance, engine),
        "attributes": account.attributes,
        "first_seen_at": account.first_seen_at.isoformat(),
        "deleted_at": account.deleted_at.isoformat() if account.deleted_at else None,
        "privileges": [{"level": level, "privileges": rows} for level, rows in privileges.items()],
        "roles": [
            {
                "role": m.role,
                "role_host": m.role_host,
                "admin_option": m.admin_option,
                "default": m.is_default,
                "extras": m.extras,
            }
            for m in memberships
        ],
        "history": [change_summary(change, instance) for change in history],
    }


@dataclass(frozen=True)
class ChangeFilter:
    since: datetime | None = None
    until: datetime | None = None
    instance: str | None = None
    account: str | None = None
    change_type: str | None = None


def list_changes(criteria: ChangeFilter, page: int = 1, per_page: int = 50) -> Page:
    query = select(AccountChange, Instance.name).join(Instance, Instance.id == AccountChange.instance_id)
    if criteria.since:
        query = query.where(AccountChange.detected_at >= criteria.since)
    if criteria.until:
        query = query.where(AccountChange.detected_at < criteria.until)
    if criteria.instance:
        query = query.where(Instance.name == criteria.instance)
    if criteria.account:
        query = query.where(AccountChange.account_name == criteria.account)
    if criteria.change_type:
        query = query.where(AccountChange.change_type == criteria.change_type)
    ordered = query.order_by(AccountChange.detected_at.desc(), AccountChange.id.desc())
    return paginate(ordered, lambda row: change_summary(*row), page, per_page)


def change_summary(change: AccountChange, instance: str) -> dict[str, Any]:
    return {
        "id": change.id,
        "detected_at": change.detected_at.isoformat(),
        "instance": instance,
        "account_id": change.account_id,
        "account": change.account_name,
        "host": change.account_host or None,
        "kind": change.account_kind,
        "change_type": change.change_type,
        "detail": change.detail,
        "session_id": change.session_id,
    }


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def account_counts(instance_id: int) -> dict[str, int]:
    """How many of an instance's accounts are in each status (active, deleted)."""
    query = select(Account.status, func.count()).where(Account.instance_id == instance_id).group_by(Account.status)
    return {status: count for status, count in db.session.execute(query)}
