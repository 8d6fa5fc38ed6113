"""What the dashboard shows: instances by engine and health, last sync per instance, failures, recent changes."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select

from whalefall.core.extensions import db
from whalefall.models import Account, AccountChange, Instance
from whalefall.services.sync_sessions import latest_records


def summary(recent_changes: int = 10) -> dict[str, Any]:
    instances = list(db.session.scalars(select(Instance).where(Instance.deleted_at.is_(None)).order_by(Instance.name)))
    latest = latest_records()
    changes = db.session.execute(
        select(AccountChange, Instance.name)
        .join(Instance, Instance.id == AccountChange.instance_id)
        .order_by(AccountChange.detected_at.desc(), AccountChange.id.desc())
        .limit(recent_changes)
    ).all()
    superusers = db.session.scalar(
        select(func.count(Account.id)).where(Account.is_superuser.is_(True), Account.status == "active")
    )
    return {
        "by_engine": dict(sorted(Counter(instance.engine for instance in instances).items())),
        "instances": [
            {
                "id": instance.id,
                "name": instance.name,
                "engine": instance.engine,
                "active": instance.is_active,
                "last_sync": latest.get(instance.id),
                "healthy": instance.last_connection_ok,
            }
            for instance in instances
        ],
        "failing": [
            i.name for i in instances if (r := latest.get(i.id)) is not None and r.status in ("failed", "partial")
        ],
        "recent_changes": [(change, name) for change, name in changes],
        "superusers": superusers or 0,
    }
