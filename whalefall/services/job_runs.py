"""Job-run rows: one per execution of any job, scheduled or manual."""

from __future__ import annotations

from whalefall.core.extensions import db
from whalefall.core.process import owner_is_dead, process_owner
from whalefall.models import JobRun
from whalefall.models._types import utcnow

MAX_ERROR_LENGTH = 4000


def start_run(job_id: str, task: str, trigger_kind: str, requested_by: str | None) -> JobRun:
    run = JobRun(
        job_id=job_id,
        task=task,
        trigger_kind=trigger_kind,
        requested_by=requested_by,
        status="running",
        owner=process_owner(),
    )
    db.session.add(run)
    db.session.commit()
    return run


def finish_run(run_id: int, error: str | None = None, sync_session_id: int | None = None) -> JobRun:
    db.session.rollback()  # whatever the task left half-done must not ride along with this row
    run = db.session.get(JobRun, run_id)
    run.finished_at = utcnow()
    run.status = "failed" if error else "succeeded"
    run.error = error[:MAX_ERROR_LENGTH] if error else None
    run.sync_session_id = sync_session_id
    db.session.commit()
    return run


def last_runs(job_ids: list[str]) -> dict[str, JobRun]:
    """The latest run of each job (one query)."""
    from sqlalchemy import func, select

    latest = (
        select(JobRun.job_id, func.max(JobRun.id).label("id")).where(JobRun.job_id.in_(job_ids)).group_by(JobRun.job_id)
    ).subquery()
    rows = db.session.scalars(select(JobRun).join(latest, JobRun.id == latest.c.id))
    return {row.job_id: row for row in rows}


def recover_interrupted_runs() -> list[int]:
    """Runs left ``running`` by a process of this host that died (a recycled worker, a kill) end failed."""
    from sqlalchemy import select

    recovered = []
    for run in db.session.scalars(select(JobRun).where(JobRun.status == "running")):
        if owner_is_dead(run.owner):
            run.status = "failed"
            run.finished_at = utcnow()
            run.error = f"interrupted: the process running this job ({run.owner}) stopped before it finished"
            recovered.append(run.id)
    db.session.commit()
    return recovered


def fail_runs_of_this_process(reason: str) -> list[int]:
    from sqlalchemy import select

    failed = []
    for run in db.session.scalars(select(JobRun).where(JobRun.status == "running", JobRun.owner == process_owner())):
        run.status, run.error, run.finished_at = "failed", reason, utcnow()
        failed.append(run.id)
    db.session.commit()
    return failed
