"""/api/v1/sync: start a sync session (operator) and follow its progress (viewer).

The route imports ``sync_accounts`` only when it launches it, never at import time (the incident's fix).
"""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Integer, List, String
from apiflask.validators import Range
from flask import current_app

from whalefall.services.account_sync import open_session
from whalefall.services.sync_sessions import session_report
from whalefall.web.api.blueprint import api, auth, current_username
from whalefall.web.background import launch


class SyncRequest(Schema):
    instance_ids = List(
        Integer(validate=Range(min=1, max=2**31 - 1)),
        load_default=None,
        metadata={"description": "Default: every active instance"},
    )


class SyncAccepted(Schema):
    session_id = Integer(required=True)
    status = String(required=True)


@api.post("/sync")
@api.auth_required(auth, roles=["operator"])
@api.input(SyncRequest, arg_name="body")
@api.output(SyncAccepted, status_code=202)
@api.doc(summary="Start a sync session; answers at once with its id (409 while a full sync runs)")
def start_sync(body: dict):
    from whalefall.tasks.accounts_sync import sync_accounts  # imported when launched, never at import time

    session = open_session(body.get("instance_ids"), trigger="manual", created_by=current_username())
    launch(current_app._get_current_object(), f"sync-{session.id}", sync_accounts, session_id=session.id)
    return {"session_id": session.id, "status": session.status}


@api.get("/sync/sessions/<int:session_id>")
@api.auth_required(auth, roles=["viewer"])
@api.doc(summary="A sync session with the live status of each instance")
def get_session(session_id: int):
    session, records = session_report(session_id)
    return {
        "id": session.id,
        "trigger": session.trigger,
        "created_by": session.created_by,
        "status": session.status,
        "started_at": session.started_at.isoformat(),
        "finished_at": session.finished_at.isoformat() if session.finished_at else None,
        "error": session.error,
        "counts": {
            "instances": session.total_instances,
            "succeeded": session.succeeded_instances,
            "partial": session.partial_instances,
            "failed": session.failed_instances,
            "skipped": session.skipped_instances,
        },
        "records": [
            {**row, "started_at": _iso(row["started_at"]), "finished_at": _iso(row["finished_at"])} for row in records
        ],
    }


def _iso(value):
    return value.isoformat() if value is not None else None
