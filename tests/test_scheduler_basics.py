"""The scheduler's base: tasks by name, loaded lazily, every execution recorded as a job run."""

from __future__ import annotations

import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from whalefall.core.extensions import db
from whalefall.models import JobRun, SyncSession
from whalefall.models._types import utcnow
from whalefall.scheduler import registry
from whalefall.scheduler.runner import JobExecutor
from whalefall.scheduler.service import WhaleFallScheduler


def test_unknown_task_is_refused_by_name():
    with pytest.raises(
        registry.TaskLookupError, match="unknown task 'nope'; known tasks: prune_history, sync_accounts"
    ):
        registry.load_task("nope")


def test_unresolvable_target_is_reported(monkeypatch):
    monkeypatch.setitem(registry.TASK_FUNCTIONS, "broken", "whalefall.tasks.does_not_exist:run")
    with pytest.raises(
        registry.TaskLookupError, match=r"task 'broken' points at 'whalefall\.tasks\.does_not_exist:run'"
    ):
        registry.load_task("broken")


def test_the_leading_scheduler_registers_jobs_without_importing_tasks(app, monkeypatch):
    monkeypatch.delitem(sys.modules, "whalefall.tasks.retention", raising=False)
    scheduler = WhaleFallScheduler(app, poll_seconds=0.2).start()
    try:
        assert scheduler.wait_until_leading(10)
        job = scheduler.apscheduler.get_job("prune_history")
        assert str(job.trigger).startswith("cron[") and "hour='3'" in str(job.trigger)
        assert "whalefall.tasks.retention" not in sys.modules
    finally:
        scheduler.stop()


def test_job_executor_records_a_successful_run(app_context):
    old = SyncSession(trigger="cli", status="succeeded", started_at=utcnow() - timedelta(days=200))
    old.finished_at = old.started_at + timedelta(minutes=1)
    recent = SyncSession(trigger="cli", status="succeeded", started_at=utcnow(), finished_at=utcnow())
    db.session.add_all([old, recent])
    db.session.commit()

    outcome = JobExecutor(app_context).run("prune_history", "prune_history", {"older_than_days": 90})

    assert (outcome.status, outcome.result) == ("succeeded", {"job_runs": 0, "sync_sessions": 1})
    [run] = db.session.scalars(select(JobRun)).all()
    assert (run.job_id, run.task, run.trigger_kind, run.status, run.error) == (
        "prune_history", "prune_history", "scheduled", "succeeded", None,
    )  # fmt: skip
    assert run.finished_at >= run.started_at
    assert [s.id for s in db.session.scalars(select(SyncSession))] == [recent.id]


def test_job_executor_records_a_failed_run(app_context, monkeypatch):
    monkeypatch.setitem(registry.TASK_FUNCTIONS, "explodes", "whalefall.tasks.retention:prune_history")
    monkeypatch.setitem(registry._loaded, "explodes", lambda **_: 1 / 0)
    outcome = JobExecutor(app_context).run("boom", "explodes", trigger_kind="manual", requested_by="alice")
    assert (outcome.status, outcome.error) == ("failed", "ZeroDivisionError: division by zero")
    [run] = db.session.scalars(select(JobRun)).all()
    assert (run.status, run.trigger_kind, run.requested_by) == ("failed", "manual", "alice")
    assert run.error == "ZeroDivisionError: division by zero"
