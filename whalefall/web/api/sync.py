"""/api/v1/sync: start a sync session (operator) and follow its progress (viewer).

``sync_accounts`` is imported only when a sync is launched (``whalefall.web.launches``), never at import time.
"""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Integer, List, String
from apiflask.validators import OneOf, Range

from whalefall.models.sync import SESSION_STATUSES
from whalefall.services.sync_sessions import list_sessions, session_dict, session_report
from whalefall.web.api.blueprint import api, auth, current_username
from whalefall.web.api.schemas import Paging
from whalefall.web.launches import start_sync as launch_sync


class SyncRequest(Schema):
    instance_ids = List(
        Integer(validate=Range(min=1, max=2**31 - 1)),
        load_default=None,
        metadata={"description": "Default: every active instance"},
    )


class SessionQuery(Paging):
    status = String(validate=OneOf(SESSION_STATUSES))


class SyncAccepted(Schema):
    session_id = Integer(required=True)
    status = String(required=True)


@api.post("/sync")
@api.auth_required(auth, roles=["operator"])
@api.input(SyncRequest, arg_name="body")
@api.output(SyncAccepted, status_code=202)
@api.doc(summary="Start a sync session; answers at once with its id (409 while a full sync runs)")
def start_sync(body: dict):
    session = launch_sync(body.get("instance_ids"), current_username())
    return {"session_id": session.id, "status": session.status}


@api.get("/sync/sessions")
@api.auth_required(auth, roles=["viewer"])
@api.input(SessionQuery, location="query", arg_name="query")
@api.doc(summary="Sync sessions, newest first, with their counts")
def get_sessions(query: dict):
    return list_sessions(**query).as_dict()


@api.get("/sync/sessions/<int:session_id>")
@api.auth_required(auth, roles=["viewer"])
@api.doc(summary="A sync session with the live status of each instance")
def get_session(session_id: int):
    session, records = session_report(session_id)
    return session_dict(session, records)
