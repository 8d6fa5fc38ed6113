"""/api/v1/jobs and /api/v1/sync: authentication and roles, JSON errors, work off the request thread."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from tests.servers import SilentListener
from tests.sync_helpers import register
from tests.waiting import wait_for
from whalefall.core.extensions import db
from whalefall.core.process import process_owner
from whalefall.models import JobRun, SyncSession
from whalefall.models._types import utcnow
from whalefall.services.users import create_user


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def users(app_context):
    for name, role in (("ada", "admin"), ("otto", "operator"), ("vera", "viewer")):
        create_user(name, f"{name}-password", role)
    return {name: basic(name, f"{name}-password") for name in ("ada", "otto", "vera")}


def test_every_route_needs_credentials(client, users):
    for method, url in (("get", "/api/v1/jobs"), ("post", "/api/v1/jobs/sync_accounts/pause"), ("post", "/api/v1/sync"),
                        ("get", "/api/v1/sync/sessions/1")):  # fmt: skip
        response = getattr(client, method)(url)
        assert response.status_code == 401, url
        assert response.get_json()["error"]["code"] == "unauthorized"
    wrong = client.get("/api/v1/jobs", headers=basic("ada", "not-her-password"))
    assert wrong.status_code == 401


def test_roles_bound_what_each_user_may_do(client, users):
    assert client.get("/api/v1/jobs", headers=users["vera"]).status_code == 200
    forbidden = client.post("/api/v1/jobs/prune_history/pause", headers=users["otto"])
    assert forbidden.status_code == 403
    assert forbidden.get_json() == {"error": {"code": "forbidden", "message": "Forbidden", "details": {}}}
    assert client.post("/api/v1/sync", json={"instance_ids": []}, headers=users["vera"]).status_code == 403


def test_job_control(client, users):
    admin = users["ada"]
    paused = client.post("/api/v1/jobs/prune_history/pause", headers=admin)
    assert paused.status_code == 200 and paused.get_json()["paused"] is True
    edited = client.patch("/api/v1/jobs/sync_accounts", json={"trigger": {"interval": {"hours": 6}}}, headers=admin)
    assert edited.get_json()["trigger_text"] == "every 6h" and edited.get_json()["trigger_overridden"] is True
    listed = {job["id"]: job for job in client.get("/api/v1/jobs", headers=users["vera"]).get_json()["jobs"]}
    assert listed["prune_history"]["paused"] is True
    assert client.post("/api/v1/jobs/prune_history/resume", headers=admin).get_json()["paused"] is False
    reset = client.patch("/api/v1/jobs/sync_accounts", json={"trigger": None}, headers=admin)
    assert reset.get_json()["trigger_text"] == "cron 0 1 * * *"


def test_run_now_answers_at_once_with_the_job_run_id(client, users):
    response = client.post("/api/v1/jobs/prune_history/run", headers=users["ada"])
    assert response.status_code == 202
    run_id = response.get_json()["job_run_id"]
    run = wait_for(lambda: (r := db.session.get(JobRun, run_id)) and r.status != "running" and r)
    assert (run.status, run.trigger_kind, run.requested_by) == ("succeeded", "manual", "ada")


@pytest.mark.parametrize(
    ("method", "url", "body", "status", "message"),
    [
        ("post", "/api/v1/jobs/nope/pause", None, 404, "no scheduled job 'nope'"),
        ("get", "/api/v1/jobs/nope", None, 404, "no scheduled job 'nope'"),
        ("post", "/api/v1/sync", {"instance_ids": [2**40]}, 422, "Validation error"),
        ("get", "/api/v1/sync/sessions/99999999999", None, 404, "no sync session 99999999999"),
        ("patch", "/api/v1/jobs/sync_accounts", {"trigger": {"cron": "0 24 * * *"}}, 400, "trigger.cron.hour = '24'"),
        ("patch", "/api/v1/jobs/sync_accounts", {"trigger": {"every": 5}}, 400, "'trigger' must be {cron: ...}"),
        ("patch", "/api/v1/jobs/sync_accounts", {"wrong": 1}, 422, "Validation error"),
        ("patch", "/api/v1/jobs/sync_accounts", "not json", 400, "the request body is not valid JSON"),
        ("post", "/api/v1/sync", {"instance_ids": ["x"]}, 422, "Validation error"),
        ("post", "/api/v1/sync", {"instance_ids": [999]}, 404, "no live instance with id 999"),
        ("get", "/api/v1/sync/sessions/424242", None, 404, "no sync session 424242"),
    ],
)
def test_bad_requests_get_precise_json_errors_and_change_nothing(client, users, method, url, body, status, message):
    before = client.get("/api/v1/jobs", headers=users["vera"]).get_json()
    kwargs = {"data": body, "content_type": "application/json"} if isinstance(body, str) else {"json": body}
    response = getattr(client, method)(url, headers=users["ada"], **kwargs)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert message in error["message"] and set(error) == {"code", "message", "details"}
    assert client.get("/api/v1/jobs", headers=users["vera"]).get_json() == before
    assert db.session.scalars(select(SyncSession)).all() == []


@pytest.mark.servers
def test_manual_sync_from_the_api_reports_live_progress(client, users, mariadb):
    register("mariadb", "mysql", mariadb.port, "root", mariadb.password)
    response = client.post("/api/v1/sync", json={}, headers=users["otto"])
    assert response.status_code == 202
    session_id = response.get_json()["session_id"]
    done = wait_for(
        lambda: (
            (body := client.get(f"/api/v1/sync/sessions/{session_id}", headers=users["vera"]).get_json())
            and body["status"] != "running"
            and body
        )
    )
    assert (done["status"], done["trigger"], done["created_by"]) == ("succeeded", "manual", "otto")
    [record] = done["records"]
    assert record["instance"] == "mariadb" and record["status"] == "succeeded" and record["found"] > 0


def test_a_second_full_sync_is_refused_while_one_runs(client, users):
    listener = SilentListener()
    try:
        register("hangs", "mysql", listener.port, "u", "p")
        running = SyncSession(trigger="manual", status="running", started_at=utcnow(), heartbeat_at=utcnow(),
                              owner=process_owner())  # fmt: skip
        db.session.add(running)
        db.session.commit()
        response = client.post("/api/v1/sync", json={}, headers=users["otto"])
    finally:
        listener.close()
    assert response.status_code == 409
    assert response.get_json()["error"]["message"].startswith(f"a sync is already running: session {running.id}")


def test_sync_sessions_are_listed_newest_first_with_a_status_filter(client, users):
    for status in ("succeeded", "failed", "succeeded"):
        db.session.add(SyncSession(trigger="manual", status=status, started_at=utcnow(), finished_at=utcnow()))
    db.session.commit()
    body = client.get("/api/v1/sync/sessions?per_page=2", headers=users["vera"]).get_json()
    assert body["total"] == 3 and [s["id"] for s in body["items"]] == [3, 2]
    assert "records" not in body["items"][0] and body["items"][0]["counts"]["instances"] == 0
    failed = client.get("/api/v1/sync/sessions?status=failed", headers=users["vera"]).get_json()
    assert [s["status"] for s in failed["items"]] == ["failed"]
    assert client.get("/api/v1/sync/sessions?status=nope", headers=users["vera"]).status_code == 422
    assert client.get("/api/v1/sync/sessions").status_code == 401
