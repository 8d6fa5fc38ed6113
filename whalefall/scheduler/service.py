"""The scheduler of one process: APScheduler, run only while this process holds leadership.

Any number of processes may start it (the scheduler service, Gunicorn workers, two hosts): one leads and fires
the jobs, the others stand by and take over within ``POLL_SECONDS`` of the leader's death. While leading, the
scheduler re-reads the stored job states every poll, so a pause or a trigger edit made anywhere applies quickly.

Misfires: APScheduler coalesces (a job that missed several runs runs once) with a day of grace; across restarts
the last planned run is stored, and a run missed while no scheduler was up fires once when one starts.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from apscheduler.events import EVENT_JOB_SUBMITTED
from apscheduler.schedulers.background import BackgroundScheduler

from whalefall.core.extensions import db
from whalefall.core.logging import get_logger
from whalefall.scheduler.config import JobDefinition, load_jobs
from whalefall.scheduler.jobs import EffectiveJob, effective_jobs
from whalefall.scheduler.leadership import leader_lock
from whalefall.scheduler.runner import JobExecutor
from whalefall.services import job_states
from whalefall.services.job_runs import recover_interrupted_runs
from whalefall.services.sync_sessions import recover_interrupted_sessions

if TYPE_CHECKING:
    from flask import Flask

log = get_logger(__name__)
EXTENSION_KEY = "whalefall.scheduler"
POLL_SECONDS = 5.0
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 24 * 3600}


class WhaleFallScheduler:
    def __init__(self, app: Flask, definitions: tuple[JobDefinition, ...] | None = None, poll_seconds=POLL_SECONDS):
        self.app = app
        self.definitions = definitions if definitions is not None else load_jobs()
        self.poll_seconds = poll_seconds
        settings = app.config["WHALEFALL_SETTINGS"]
        self.timezone = settings.timezone
        self.lock = leader_lock(settings.database_url, settings.data_dir)
        self.executor = JobExecutor(app)
        self.apscheduler: BackgroundScheduler | None = None
        self._applied: dict[str, tuple] = {}
        self._stop = threading.Event()
        self._leading = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------
    def start(self) -> WhaleFallScheduler:
        self._thread = threading.Thread(target=self._loop, name="whalefall-scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._step_down()

    @property
    def leading(self) -> bool:
        return self._leading.is_set()

    def wait_until_leading(self, timeout: float) -> bool:
        return self._leading.wait(timeout)

    def get_jobs(self):
        return self.apscheduler.get_jobs() if self.apscheduler else []

    # -- the loop --------------------------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.leading:
                    if self.lock.acquire():
                        self._lead()
                elif not self.lock.held():
                    log.warning("scheduler_leadership_lost", lock=self.lock.description)
                    self._step_down()
                else:
                    self._apply_states()
            except Exception:
                log.exception("scheduler_loop_error")
            self._stop.wait(self.poll_seconds)

    def _lead(self) -> None:
        with self.app.app_context():
            # Whatever a dead process left running ends failed (interrupted) before anything new starts.
            recover_interrupted_sessions()
            recover_interrupted_runs()
            states = job_states.reconcile([definition.id for definition in self.definitions])
            jobs = effective_jobs(self.definitions, states)
            missed = {job_id for job_id, state in states.items() if _missed(state.next_run_at)}
            db.session.remove()
        self.apscheduler = BackgroundScheduler(timezone=self.timezone, job_defaults=JOB_DEFAULTS)
        self.apscheduler.add_listener(self._on_submitted, EVENT_JOB_SUBMITTED)
        for job in jobs:
            self._add(job, run_now=job.id in missed)
        self.apscheduler.start()
        self._leading.set()
        self._record_next_runs()
        log.info("scheduler_leading", lock=self.lock.description, jobs=[job.id for job in jobs if job.runnable],
                 missed=sorted(missed))  # fmt: skip

    def _step_down(self) -> None:
        self._leading.clear()
        if self.apscheduler is not None:
            self.apscheduler.shutdown(wait=False)
            self.apscheduler = None
        self._applied.clear()
        self.lock.release()

    def _add(self, job: EffectiveJob, run_now: bool = False) -> None:
        trigger = job.trigger.build(self.timezone)
        next_run = None
        if job.runnable:
            next_run = datetime.now(UTC) if run_now else trigger.get_next_fire_time(None, datetime.now(UTC))
        self.apscheduler.add_job(
            self.executor.run,
            trigger=trigger,
            id=job.id,
            name=job.definition.description or job.id,
            kwargs={"job_id": job.id, "task_name": job.definition.task, "kwargs": dict(job.definition.kwargs)},
            next_run_time=next_run,
            replace_existing=True,
        )
        self._applied[job.id] = (job.trigger, job.runnable)

    def _apply_states(self) -> None:
        """Bring the running jobs in line with the stored pauses and trigger edits."""
        with self.app.app_context():
            jobs = effective_jobs(self.definitions, job_states.states())
            db.session.remove()
        changed = False
        for job in jobs:
            if self._applied.get(job.id) != (job.trigger, job.runnable):
                self._add(job)
                changed = True
                log.info("scheduled_job_applied", job=job.id, trigger=job.trigger.describe(), runnable=job.runnable)
        if changed:
            self._record_next_runs()

    def _on_submitted(self, event) -> None:
        job = self.apscheduler.get_job(event.job_id) if self.apscheduler else None
        with self.app.app_context():
            job_states.record_schedule(event.job_id, job.next_run_time if job else None, max(event.scheduled_run_times))
            db.session.remove()

    def _record_next_runs(self) -> None:
        with self.app.app_context():
            for job in self.apscheduler.get_jobs():
                job_states.record_schedule(job.id, job.next_run_time)
            db.session.remove()


def _missed(next_run_at: datetime | None) -> bool:
    return next_run_at is not None and next_run_at < datetime.now(UTC)


def start_scheduler(app: Flask) -> WhaleFallScheduler:
    """Start this process's scheduler once (it leads or stands by); calling again returns the running one."""
    scheduler = app.extensions.get(EXTENSION_KEY)
    if scheduler is None:
        scheduler = WhaleFallScheduler(app).start()
        app.extensions[EXTENSION_KEY] = scheduler
        log.info("scheduler_started", jobs=[definition.id for definition in scheduler.definitions])
    return scheduler


def stop_scheduler(app: Flask) -> None:
    scheduler = app.extensions.pop(EXTENSION_KEY, None)
    if scheduler is not None:
        scheduler.stop()
        log.info("scheduler_stopped")
