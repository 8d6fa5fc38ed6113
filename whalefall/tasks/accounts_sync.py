"""``sync_accounts``: one sync session over the chosen (default: all active) instances.

Imported only by name (``TASK_FUNCTIONS["sync_accounts"]``) when a job runs, or inside the function of a route
or command that launches it. Everything it needs is imported inside the function, after an app context exists.
"""

from __future__ import annotations

from typing import Any


def sync_accounts(
    instance_ids: list[int] | None = None,
    trigger: str = "scheduled",
    created_by: str | None = None,
    session_id: int | None = None,
    **_context: Any,
) -> dict[str, Any]:
    """Run a sync session; with ``session_id``, carry out a session already opened (e.g. by the web API)."""
    from whalefall.services.account_sync import execute_session, run_sync_session

    if session_id is not None:
        session = execute_session(session_id)
    else:
        session = run_sync_session(instance_ids=instance_ids, trigger=trigger, created_by=created_by)
    return {"sync_session_id": session.id, "status": session.status}
