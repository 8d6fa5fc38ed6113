"""Runs one job: resolves the task by name, opens an app context, records a job run, logs with the job id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog

from whalefall.core.logging import get_logger
from whalefall.scheduler.registry import load_task
from whalefall.services.job_runs import finish_run, start_run

if TYPE_CHECKING:
    from flask import Flask

log = get_logger(__name__)


@dataclass(frozen=True)
class RunOutcome:
    job_run_id: int
    status: str
    result: Any = None
    error: str | None = None


class JobExecutor:
    """Holds the app so that jobs fired from scheduler threads run in its context."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def run(
        self,
        job_id: str,
        task_name: str,
        kwargs: dict[str, Any] | None = None,
        trigger_kind: str = "scheduled",
        requested_by: str | None = None,
    ) -> RunOutcome:
        """Record a run and carry it out now (what the scheduler's threads call)."""
        return self.execute(self.begin(job_id, task_name, trigger_kind, requested_by), job_id, task_name, kwargs)

    def begin(self, job_id: str, task_name: str, trigger_kind: str, requested_by: str | None) -> int:
        """Record the run (status running) and return its id, before any work: callers can hand the id out."""
        with self.app.app_context():
            return start_run(job_id, task_name, trigger_kind, requested_by).id

    def execute(self, run_id: int, job_id: str, task_name: str, kwargs: dict[str, Any] | None = None) -> RunOutcome:
        with self.app.app_context(), structlog.contextvars.bound_contextvars(job_id=job_id, task=task_name):
            log.info("job_started", job_run_id=run_id)
            try:
                result = load_task(task_name)(**(kwargs or {}), job_run_id=run_id)
            except Exception as exc:
                log.exception("job_failed", job_run_id=run_id)
                error = f"{type(exc).__name__}: {exc}"
                finish_run(run_id, error=error)
                return RunOutcome(run_id, "failed", error=error)
            session_id = result.get("sync_session_id") if isinstance(result, dict) else None
            finish_run(run_id, sync_session_id=session_id)
            log.info("job_succeeded", job_run_id=run_id, result=result)
            return RunOutcome(run_id, "succeeded", result=result)
