"""Pruning of operational history. The account change log is the audit trail and is never touched here."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from whalefall.core.extensions import db
from whalefall.core.logging import get_logger
from whalefall.models import JobRun, SyncSession
from whalefall.models._types import utcnow

log = get_logger(__name__)


def prune(older_than_days: int) -> dict[str, int]:
    if older_than_days < 1:
        raise ValueError("retention must keep at least one day")
    cutoff = utcnow() - timedelta(days=older_than_days)
    job_runs = db.session.execute(
        delete(JobRun).where(JobRun.finished_at.is_not(None), JobRun.finished_at < cutoff)
    ).rowcount
    sessions = db.session.execute(
        delete(SyncSession).where(SyncSession.finished_at.is_not(None), SyncSession.finished_at < cutoff)
    ).rowcount
    db.session.commit()
    log.info("history_pruned", older_than_days=older_than_days, job_runs=job_runs, sync_sessions=sessions)
    return {"job_runs": job_runs, "sync_sessions": sessions}
