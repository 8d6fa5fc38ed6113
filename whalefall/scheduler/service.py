"""The APScheduler instance: one per process that schedules, with explicit misfire and coalesce rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from whalefall.core.logging import get_logger
from whalefall.scheduler.jobs import DEFAULT_JOBS, JobDefinition
from whalefall.scheduler.registry import check_task_name
from whalefall.scheduler.runner import JobExecutor

if TYPE_CHECKING:
    from flask import Flask

log = get_logger(__name__)
EXTENSION_KEY = "whalefall.scheduler"

# A job missed while everything was down runs once at start (coalesce), never N times; one at a time per job.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 24 * 3600}


def build_scheduler(app: Flask, jobs: tuple[JobDefinition, ...] = DEFAULT_JOBS) -> BackgroundScheduler:
    """Create (not start) the scheduler with every enabled job; task names are checked, task modules not imported."""
    timezone = app.config["WHALEFALL_SETTINGS"].timezone
    scheduler = BackgroundScheduler(timezone=timezone, job_defaults=JOB_DEFAULTS)
    executor = JobExecutor(app)
    for job in jobs:
        check_task_name(job.task)
        trigger = CronTrigger.from_crontab(job.cron, timezone=timezone)
        scheduler.add_job(
            executor.run,
            trigger=trigger,
            id=job.id,
            name=job.description or job.id,
            kwargs={"job_id": job.id, "task_name": job.task, "kwargs": dict(job.kwargs)},
            next_run_time=trigger.get_next_fire_time(None, _now(timezone)) if job.enabled else None,
        )
    return scheduler


def start_scheduler(app: Flask) -> BackgroundScheduler:
    """Start this process's scheduler once; calling again returns the running one."""
    scheduler = app.extensions.get(EXTENSION_KEY)
    if scheduler is None:
        scheduler = build_scheduler(app)
        scheduler.start()
        app.extensions[EXTENSION_KEY] = scheduler
        log.info("scheduler_started", jobs=[job.id for job in scheduler.get_jobs()])
    return scheduler


def stop_scheduler(app: Flask) -> None:
    scheduler = app.extensions.pop(EXTENSION_KEY, None)
    if scheduler is not None:
        scheduler.shutdown(wait=True)
        log.info("scheduler_stopped")


def _now(timezone: str):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(timezone))
