"""/api/v1/jobs: list the scheduled jobs (viewer); pause, resume, run now, edit a trigger (admin)."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Dict, Integer, String
from flask import current_app

from whalefall.scheduler import control
from whalefall.services.audit import record
from whalefall.web.api.blueprint import api, auth, current_username
from whalefall.web.background import launch


class TriggerEdit(Schema):
    trigger = Dict(
        required=True,
        allow_none=True,
        metadata={"description": '{"cron": "0 2 * * *"}, {"cron": {"hour": 2}}, {"interval": {"minutes": 15}}, '
                  "or null to return to the jobs file's trigger"},
    )  # fmt: skip


class RunAccepted(Schema):
    job_run_id = Integer(required=True)
    status = String(required=True)


@api.get("/jobs")
@api.auth_required(auth, roles=["viewer"])
@api.doc(summary="List scheduled jobs with their trigger, next run and last run")
def list_jobs():
    return {"jobs": [status.as_dict() for status in control.list_jobs()]}


@api.get("/jobs/<job_id>")
@api.auth_required(auth, roles=["viewer"])
@api.doc(summary="One scheduled job")
def get_job(job_id: str):
    return _status(job_id)


@api.post("/jobs/<job_id>/pause")
@api.auth_required(auth, roles=["admin"])
@api.doc(summary="Pause a job (stored; survives restarts)")
def pause_job(job_id: str):
    control.pause(job_id, current_username())
    return _status(job_id)


@api.post("/jobs/<job_id>/resume")
@api.auth_required(auth, roles=["admin"])
@api.doc(summary="Resume a paused job")
def resume_job(job_id: str):
    control.resume(job_id, current_username())
    return _status(job_id)


@api.patch("/jobs/<job_id>")
@api.auth_required(auth, roles=["admin"])
@api.input(TriggerEdit, arg_name="body")
@api.doc(summary="Change a job's trigger (null returns to the jobs file's)")
def edit_job(job_id: str, body: dict):
    control.edit_trigger(job_id, body["trigger"], current_username())
    return _status(job_id)


@api.post("/jobs/<job_id>/run")
@api.auth_required(auth, roles=["admin"])
@api.output(RunAccepted, status_code=202)
@api.doc(summary="Run a job now, off the request thread; answers at once with the job-run id")
def run_job(job_id: str):
    job = control.runnable_job(job_id)
    record("job.run_requested", current_username(), job_id)
    executor = control.executor(current_app._get_current_object())
    run_id = executor.begin(job.id, job.definition.task, "manual", current_username())
    launch(
        current_app._get_current_object(),
        f"job-{job.id}",
        executor.execute,
        run_id,
        job.id,
        job.definition.task,
        dict(job.definition.kwargs),
    )
    return {"job_run_id": run_id, "status": "running"}


def _status(job_id: str) -> dict:
    return control.job_status(job_id).as_dict()
