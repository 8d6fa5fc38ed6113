"""Job control shared by the CLI and the HTTP API: list, pause, resume, edit a trigger, run now."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import current_app

from whalefall.core.errors import NotFoundError
from whalefall.scheduler.config import JobConfigError, JobDefinition, load_jobs, parse_trigger
from whalefall.scheduler.jobs import EffectiveJob, effective_jobs
from whalefall.scheduler.runner import JobExecutor, RunOutcome
from whalefall.services import job_states
from whalefall.services.audit import record
from whalefall.services.job_runs import last_runs

if TYPE_CHECKING:
    from datetime import datetime

    from whalefall.models import JobRun

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class JobStatus:
    job: EffectiveJob
    next_run_at: datetime | None
    last_run: JobRun | None

    def as_dict(self) -> dict[str, Any]:
        run = self.last_run
        duration = None
        if run is not None and run.finished_at is not None:
            duration = round((run.finished_at - run.started_at).total_seconds(), 3)
        return {
            "id": self.job.id,
            "task": self.job.definition.task,
            "description": self.job.definition.description,
            "trigger": self.job.trigger.as_dict(),
            "trigger_text": self.job.trigger.describe(),
            "trigger_overridden": self.job.trigger_overridden,
            "enabled": self.job.definition.enabled,
            "paused": self.job.paused,
            "next_run_at": self.next_run_at.isoformat() if self.next_run_at and self.job.runnable else None,
            "last_run": None
            if run is None
            else {
                "id": run.id,
                "status": run.status,
                "started_at": run.started_at.isoformat(),
                "duration_s": duration,
                "trigger_kind": run.trigger_kind,
                "error": run.error,
            },
        }


def definitions() -> tuple[JobDefinition, ...]:
    return load_jobs()


def list_jobs() -> list[JobStatus]:
    defs = definitions()
    states = job_states.reconcile([d.id for d in defs])
    runs = last_runs([d.id for d in defs])
    return [JobStatus(job, states[job.id].next_run_at, runs.get(job.id)) for job in effective_jobs(defs, states)]


def job_status(job_id: str) -> JobStatus:
    for status in list_jobs():
        if status.job.id == job_id:
            return status
    raise NotFoundError(f"no scheduled job {job_id!r} (jobs: {', '.join(d.id for d in definitions())})")


def find_job(job_id: str) -> EffectiveJob:
    defs = definitions()
    states = job_states.reconcile([d.id for d in defs])
    for job in effective_jobs(defs, states):
        if job.id == job_id:
            return job
    raise NotFoundError(f"no scheduled job {job_id!r} (jobs: {', '.join(d.id for d in defs)})")


def pause(job_id: str, by: str | None) -> EffectiveJob:
    find_job(job_id)
    job_states.set_paused(job_id, True, by)
    return find_job(job_id)


def resume(job_id: str, by: str | None) -> EffectiveJob:
    find_job(job_id)
    job_states.set_paused(job_id, False, by)
    return find_job(job_id)


def edit_trigger(job_id: str, trigger: dict[str, Any] | None, by: str | None) -> EffectiveJob:
    """Validate, then store (None restores the file's trigger). Nothing is stored if validation fails."""
    find_job(job_id)
    if trigger is not None:
        spec = parse_trigger(trigger, f"job {job_id!r}")
        trigger = spec.as_dict()
    job_states.set_trigger(job_id, trigger, by)
    return find_job(job_id)


def interval_trigger(text: str) -> dict[str, Any]:
    """``90s``, ``15m``, ``2h``, ``1d``, ``1w``, or several units at once (``1h 30m``) → ``{"interval": {...}}``."""
    parts = (text or "").split()
    matches = [_INTERVAL.match(part) for part in parts]
    units = [match.group(2) for match in matches if match]
    if not parts or not all(matches) or len(set(units)) != len(units):
        raise JobConfigError(f"interval {text!r} is not understood (use e.g. 30s, 15m, 2h, 1d or 1h 30m)")
    fields = {}
    for match in matches:
        amount = float(match.group(1))
        fields[_UNITS[match.group(2)]] = int(amount) if amount.is_integer() else amount
    return {"interval": fields}


def runnable_job(job_id: str) -> EffectiveJob:
    """The job, if it may be run by hand: a job disabled in the jobs file is refused (paused ones may run)."""
    job = find_job(job_id)
    if not job.definition.enabled:
        raise JobConfigError(f"job {job_id!r} is disabled in the jobs file; enable it there to run it")
    return job


def executor(app: Any) -> JobExecutor:
    return JobExecutor(app)


def run_now(job_id: str, requested_by: str | None) -> RunOutcome:
    """Run the job in this process, now, as a manual run."""
    job = runnable_job(job_id)
    record("job.run_requested", requested_by, job_id)
    return executor(current_app._get_current_object()).run(
        job.id, job.definition.task, dict(job.definition.kwargs), trigger_kind="manual", requested_by=requested_by
    )
