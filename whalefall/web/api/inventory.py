"""/api/v1 read side: instances, accounts (filter, sort, paginate), one account, the change log, the audit log."""

from __future__ import annotations

from apiflask.fields import Boolean, DateTime, String
from apiflask.validators import OneOf

from whalefall.engines.inventory import LEVELS
from whalefall.models.account import ACCOUNT_KINDS, ACCOUNT_STATUSES, CHANGE_TYPES
from whalefall.services import inventory_queries as queries
from whalefall.services.audit import search
from whalefall.services.instances import instance_summary, list_instances
from whalefall.web.api.blueprint import api, auth
from whalefall.web.api.schemas import Paging


class AccountQuery(Paging):
    instance = String()
    engine = String(validate=OneOf(["mysql", "postgresql", "sqlserver", "oracle"]))
    name = String(metadata={"description": "Substring of the account name, case-insensitive"})
    kind = String(validate=OneOf(ACCOUNT_KINDS))
    status = String(validate=OneOf(ACCOUNT_STATUSES))
    role = String(metadata={"description": "Member of this role"})
    privilege = String(metadata={"description": "Holds this privilege (e.g. SELECT)"})
    level = String(validate=OneOf(LEVELS), metadata={"description": "…at this level (e.g. column)"})
    database = String()
    column = String()
    superuser = Boolean()
    locked = Boolean()
    sort = String(load_default="name", metadata={"description": "name, instance, kind, status, changed_at, "
                                                                "last_seen_at; prefix - for descending"})  # fmt: skip


class ChangeQuery(Paging):
    since = DateTime()
    until = DateTime()
    instance = String()
    account = String()
    change_type = String(validate=OneOf(CHANGE_TYPES))


class AuditQuery(Paging):
    actor = String()
    action = String(metadata={"description": "Action or action prefix, e.g. login or job.paused"})
    since = DateTime()
    until = DateTime()


@api.get("/instances")
@api.auth_required(auth, roles=["viewer"])
@api.doc(summary="Registered instances (never their credentials)")
def get_instances():
    return {"items": [instance_summary(instance) for instance in list_instances()]}


@api.get("/accounts")
@api.auth_required(auth, roles=["viewer"])
@api.input(AccountQuery, location="query", arg_name="query")
@api.doc(summary="Accounts, filtered, sorted and paginated")
def get_accounts(query: dict):
    paging = {key: query.pop(key) for key in ("page", "per_page")}
    sort = query.pop("sort")
    return queries.list_accounts(queries.AccountFilter(**query), sort=sort, **paging).as_dict()


@api.get("/accounts/<int:account_id>")
@api.auth_required(auth, roles=["viewer"])
@api.doc(summary="One account: attributes, privileges by level, role memberships, history")
def get_account(account_id: int):
    return queries.account_detail(account_id)


@api.get("/changes")
@api.auth_required(auth, roles=["viewer"])
@api.input(ChangeQuery, location="query", arg_name="query")
@api.doc(summary="The privilege change log, newest first")
def get_changes(query: dict):
    paging = {key: query.pop(key) for key in ("page", "per_page")}
    return queries.list_changes(queries.ChangeFilter(**query), **paging).as_dict()


@api.get("/audit")
@api.auth_required(auth, roles=["admin"])
@api.input(AuditQuery, location="query", arg_name="query")
@api.doc(summary="WhaleFall's own audit log, newest first")
def get_audit(query: dict):
    page, per_page = query.pop("page"), query.pop("per_page")
    events = search(limit=per_page, offset=(page - 1) * per_page, **query)
    return {
        "items": [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "target": e.target,
                "outcome": e.outcome,
                "detail": e.detail,
                "source": e.source,
                "request_id": e.request_id,
            }
            for e in events
        ],
        "page": page,
        "per_page": per_page,
    }
