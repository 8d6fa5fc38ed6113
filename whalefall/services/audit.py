"""Recording and searching WhaleFall's audit log (logins, failed logins, changes, sync and job actions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import structlog
from flask import has_request_context, request
from sqlalchemy import select

from whalefall.core.extensions import db
from whalefall.core.logging import get_logger
from whalefall.models import AuditEvent

if TYPE_CHECKING:
    from datetime import datetime

log = get_logger(__name__)


def record(
    action: str,
    actor: str | None,
    target: str | None = None,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
    commit: bool = True,
) -> AuditEvent:
    """Add an audit event; the source (client address or ``cli``) and request id are taken from the context."""
    source = request.remote_addr if has_request_context() else "cli"
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    event = AuditEvent(
        action=action, actor=actor, target=target, outcome=outcome, detail=detail, source=source, request_id=request_id
    )
    db.session.add(event)
    if commit:
        db.session.commit()
    log.info("audit", action=action, actor=actor, target=target, outcome=outcome)
    return event


def search(
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    return list(db.session.scalars(query.limit(limit).offset(offset)))
