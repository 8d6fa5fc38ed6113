"""The scheduler running jobs in a Flask testing context (the incident write-up's own recommendation):
sync_accounts through TASK_FUNCTIONS against the real MariaDB, missed runs, pauses applied while leading."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.sync_helpers import exported, register
from tests.waiting import wait_for
from whalefall.core.extensions import db
from whalefall.models import JobRun, SyncSession
from whalefall.models._types import utcnow
from whalefall.scheduler.config import JobDefinition, TriggerSpec
from whalefall.scheduler.service import WhaleFallScheduler
from whalefall.services import job_states


def every(seconds: float) -> TriggerSpec:
    return TriggerSpec("interval", (("seconds", seconds),))


def run_count(job_id: str) -> int:
    return db.session.scalar(select(func.count()).select_from(JobRun).where(JobRun.job_id == job_id))


@pytest.mark.servers
def test_scheduled_sync_accounts_runs_through_task_functions_on_real_mariadb(app_context, mariadb):
    register("mariadb", "mysql", mariadb.port, "root", mariadb.password)
    jobs = (JobDefinition("sync_soon", "sync_accounts", every(1)),)
    scheduler = WhaleFallScheduler(app_context, jobs, poll_seconds=0.2).start()
    try:
        session = wait_for(
            lambda: db.session.scalars(select(SyncSession).where(SyncSession.status != "running")).first(), 30
        )
    finally:
        scheduler.stop()
    assert session is not None, "the scheduled sync never finished"
    assert (session.trigger, session.status, session.created_by) == ("scheduled", "succeeded", None)
    [record] = session.records
    assert record.status == "succeeded" and record.found > 0
    run = db.session.scalars(select(JobRun).where(JobRun.sync_session_id == session.id)).one()
    assert (run.job_id, run.task, run.trigger_kind, run.status) == (
        "sync_soon",
        "sync_accounts",
        "scheduled",
        "succeeded",
    )
    assert ("root", "localhost") in exported("mariadb")


def test_a_run_missed_while_no_scheduler_ran_fires_once_at_start(app_context):
    jobs = (JobDefinition("hourly", "prune_history", every(3600)),)
    job_states.reconcile(["hourly"])
    job_states.record_schedule("hourly", utcnow() - timedelta(hours=5))  # missed five times over
    scheduler = WhaleFallScheduler(app_context, jobs, poll_seconds=0.2).start()
    try:
        assert wait_for(lambda: run_count("hourly") >= 1, 15)
        time.sleep(2)
        assert run_count("hourly") == 1  # once, not five times
        assert job_states.states()["hourly"].next_run_at > utcnow() + timedelta(minutes=55)
    finally:
        scheduler.stop()


def test_pause_and_trigger_edits_apply_while_leading(app_context):
    jobs = (JobDefinition("fast", "prune_history", every(1)),)
    scheduler = WhaleFallScheduler(app_context, jobs, poll_seconds=0.2).start()
    try:
        assert wait_for(lambda: run_count("fast") >= 2, 15)
        job_states.set_paused("fast", True, "pytest")
        time.sleep(1.5)  # a run already submitted may still finish
        paused_at = run_count("fast")
        time.sleep(2.5)
        assert run_count("fast") == paused_at
        assert scheduler.apscheduler.get_job("fast").next_run_time is None

        job_states.set_trigger("fast", {"interval": {"hours": 6}}, "pytest")
        job_states.set_paused("fast", False, "pytest")
        assert wait_for(lambda: scheduler.apscheduler.get_job("fast").next_run_time is not None, 5)
        next_run = scheduler.apscheduler.get_job("fast").next_run_time
        assert next_run > utcnow() + timedelta(hours=5)
    finally:
        scheduler.stop()
