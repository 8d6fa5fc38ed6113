"""The stored side of scheduled jobs: pauses and trigger edits people made, and when each job last fired.

Triggers are handled here as plain dicts (``{"cron": {...}}`` / ``{"interval": {...}}``); the scheduler validates
them before they reach this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from whalefall.core.errors import NotFoundError
from whalefall.core.extensions import db
from whalefall.core.logging import get_logger
from whalefall.models import ScheduledJob
from whalefall.services.audit import record

if TYPE_CHECKING:
    from datetime import datetime

log = get_logger(__name__)


def reconcile(job_ids: list[str]) -> dict[str, ScheduledJob]:
    """One row per job of the file: rows of new jobs created, rows of jobs no longer in the file deleted."""
    rows = {row.job_id: row for row in db.session.scalars(select(ScheduledJob))}
    dropped = sorted(set(rows) - set(job_ids))
    if dropped:
        db.session.execute(delete(ScheduledJob).where(ScheduledJob.job_id.in_(dropped)))
        log.info("scheduled_jobs_dropped", jobs=dropped)
    for job_id in job_ids:
        if job_id not in rows:
            rows[job_id] = ScheduledJob(job_id=job_id, paused=False)
            db.session.add(rows[job_id])
    db.session.commit()
    return {job_id: rows[job_id] for job_id in job_ids}


def states() -> dict[str, ScheduledJob]:
    return {row.job_id: row for row in db.session.scalars(select(ScheduledJob))}


def _row(job_id: str) -> ScheduledJob:
    row = db.session.get(ScheduledJob, job_id)
    if row is None:
        raise NotFoundError(f"no scheduled job {job_id!r}")
    return row


def set_paused(job_id: str, paused: bool, by: str | None) -> ScheduledJob:
    row = _row(job_id)
    row.paused = paused
    row.updated_by = by
    record("job.paused" if paused else "job.resumed", by, job_id, commit=False)
    db.session.commit()
    log.info("scheduled_job_paused" if paused else "scheduled_job_resumed", job=job_id, by=by)
    return row


def set_trigger(job_id: str, trigger: dict[str, Any] | None, by: str | None) -> ScheduledJob:
    """Store a person's trigger (None returns the job to the file's)."""
    row = _row(job_id)
    row.trigger_override = trigger
    row.updated_by = by
    record("job.trigger_changed", by, job_id, detail={"trigger": trigger}, commit=False)
    db.session.commit()
    log.info("scheduled_job_trigger_changed", job=job_id, trigger=trigger, by=by)
    return row


def record_schedule(job_id: str, next_run_at: datetime | None, fired_at: datetime | None = None) -> None:
    row = db.session.get(ScheduledJob, job_id)
    if row is None:
        return
    row.next_run_at = next_run_at
    if fired_at is not None:
        row.last_fired_at = fired_at
    db.session.commit()
