"""/api/v1/jobs: list the scheduled jobs (viewer); pause, resume, run now, edit a trigger (admin)."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Dict, Integer, String

from whalefall.scheduler import control
from whalefall.web.api.blueprint import api, auth, current_username
from whalefall.web.launches import start_job_run


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
    run_id = start_job_run(job_id, current_username())
    return {"job_run_id": run_id, "status": "running"}


def _status(job_id: str) -> dict:
    return control.job_status(job_id).as_dict()
