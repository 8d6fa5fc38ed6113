"""API tokens (Bearer, hashed, revocable) and WhaleFall's audit log."""

from __future__ import annotations

import logging

from sqlalchemy import select

from tests.test_api_jobs_sync import basic
from whalefall.core.extensions import db
from whalefall.models import ApiToken, AuditEvent
from whalefall.services.audit import search
from whalefall.services.users import create_user


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_lifecycle(cli, client, app_context):
    create_user("ada", "ada-password", "admin")
    created = cli.invoke(args=["token", "create", "ada", "--name", "nightly export"])
    assert created.exit_code == 0
    token = created.output.splitlines()[0]
    assert token.startswith("wf_") and len(token) > 40

    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.token_hash != token and token not in stored.token_hash and stored.prefix == token[:10]
    assert client.get("/api/v1/jobs", headers=bearer(token)).status_code == 200
    db.session.expire_all()
    assert db.session.scalars(select(ApiToken)).one().last_used_at is not None

    listed = cli.invoke(args=["token", "list"]).output
    assert "nightly export" in listed and token not in listed and "active" in listed

    assert cli.invoke(args=["token", "revoke", str(stored.id)]).exit_code == 0
    assert client.get("/api/v1/jobs", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/jobs", headers=bearer("wf_made-up")).status_code == 401


def test_token_for_an_unknown_user_or_without_a_name_is_refused(cli, app_context):
    assert cli.invoke(args=["token", "create", "nobody", "--name", "x"]).exit_code == 2
    create_user("ada", "ada-password", "admin")
    result = cli.invoke(args=["token", "create", "ada", "--name", "  "])
    assert result.exit_code == 2 and "a token needs a name" in result.output
    assert db.session.scalars(select(ApiToken)).all() == []


def test_a_token_never_reaches_a_log(cli, client, app_context, capsys):
    create_user("ada", "ada-password", "admin")
    token = cli.invoke(args=["token", "create", "ada", "--name", "t"]).output.splitlines()[0]
    logging.getLogger("careless").warning("got header Bearer %s", token)
    client.get("/api/v1/jobs", headers=bearer(token))
    for handler in logging.getLogger().handlers:
        handler.flush()
    log_dir = app_context.config["WHALEFALL_SETTINGS"].log_dir
    written = "".join(p.read_text() for p in log_dir.glob("*.log*")) + capsys.readouterr().err
    assert "careless" in written and token not in written


def test_the_audit_log_records_who_did_what(cli, client, app_context):
    create_user("ada", "ada-password", "admin", actor="setup")
    client.get("/api/v1/jobs", headers=basic("ada", "wrong"))
    client.post("/api/v1/jobs/prune_history/pause", headers=basic("ada", "ada-password"))
    cli.invoke(args=["instance", "add", "pg1", "--engine", "postgresql", "--host", "h", "--username", "u",
                     "--password-stdin"], input="pw-123456\n")  # fmt: skip
    events = [(e.action, e.actor, e.target, e.outcome) for e in reversed(search())]
    assert events[:3] == [
        ("user.created", "setup", "ada", "ok"),
        ("login.failed", "ada", "api", "denied"),
        ("job.paused", "ada", "prune_history", "ok"),
    ]
    assert events[3][:3] == ("instance.created", events[3][1], "pg1") and events[3][1]
    paused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "job.paused")).one()
    assert paused.source == "127.0.0.1" and paused.request_id
    assert [e.action for e in search(action="login")] == ["login.failed"]
    assert [e.action for e in search(actor="ada")] == ["job.paused", "login.failed"]
