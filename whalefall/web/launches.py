"""Starting a sync session or a job run from a web request: the API and the pages share these two.

``sync_accounts`` is imported only when a sync is launched, never at import time (the incident's fix).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

from whalefall.scheduler import control
from whalefall.services.account_sync import open_session
from whalefall.services.audit import record
from whalefall.web.background import launch

if TYPE_CHECKING:
    from whalefall.models import SyncSession


def start_sync(instance_ids: list[int] | None, created_by: str | None) -> SyncSession:
    """Open a manual sync session (409 while a full sync runs) and run it on a background thread."""
    from whalefall.tasks.accounts_sync import sync_accounts  # imported when launched, never at import time

    session = open_session(instance_ids, trigger="manual", created_by=created_by)
    launch(current_app._get_current_object(), f"sync-{session.id}", sync_accounts, session_id=session.id)
    return session


def start_job_run(job_id: str, requested_by: str | None) -> int:
    """Record a manual run of a scheduled job and execute it off the request thread; returns the run id."""
    job = control.runnable_job(job_id)
    record("job.run_requested", requested_by, job_id)
    app = current_app._get_current_object()
    executor = control.executor(app)
    run_id = executor.begin(job.id, job.definition.task, "manual", requested_by)
    launch(app, f"job-{job.id}", executor.execute, run_id, job.id, job.definition.task, dict(job.definition.kwargs))
    return run_id
