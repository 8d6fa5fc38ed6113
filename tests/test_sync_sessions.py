"""Sync sessions: one sync per instance at a time, recovery of interrupted sessions, parallelism, deadlines,
and the refusal to wipe an instance on an empty answer. Real MariaDB where a server is needed."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.servers import SilentListener
from tests.sync_helpers import exported, register, sync
from whalefall.core.extensions import db
from whalefall.core.process import process_owner
from whalefall.engines.inventory import Inventory, make_account
from whalefall.models import Instance, SyncRecord, SyncSession
from whalefall.models._types import utcnow
from whalefall.services.account_store import SuspiciousInventory, store_inventory
from whalefall.services.sync_sessions import recover_interrupted_sessions

ROOT = ("root", "Sup3r-Secret-Test-Pw")


def running_session(instance_id: int, owner: str, heartbeat_age=timedelta(0)) -> SyncSession:
    now = utcnow()
    session = SyncSession(
        trigger="scheduled",
        status="running",
        started_at=now - heartbeat_age,
        heartbeat_at=now - heartbeat_age,
        owner=owner,
        total_instances=1,
        records=[SyncRecord(instance_id=instance_id, status="running", started_at=now - heartbeat_age)],
    )
    db.session.add(session)
    db.session.commit()
    return session


@pytest.mark.servers
def test_an_instance_already_being_synced_is_skipped_naming_the_session(app_context, mariadb):
    instance_id = register("mdb", "mysql", mariadb.port, *ROOT)
    other = running_session(instance_id, process_owner())  # alive: this very process
    session, records = sync("mdb")
    record = records["mdb"]
    assert record.status == "skipped"
    assert record.error.startswith(f"skipped: instance is being synced by session {other.id} (since ")
    assert session.status == "partial" and session.skipped_instances == 1
    assert db.session.get(SyncSession, other.id).status == "running"  # a live session is left alone


def test_the_database_refuses_a_second_running_record(app_context):
    from sqlalchemy.exc import IntegrityError

    instance_id = register("x", "mysql", 3306, "u", "p")
    first = running_session(instance_id, process_owner())
    db.session.add(SyncRecord(session_id=first.id, instance_id=instance_id, status="running"))
    with pytest.raises(IntegrityError, match=r"UNIQUE constraint failed: sync_records\.instance_id"):
        db.session.commit()
    db.session.rollback()


def test_sessions_of_dead_processes_end_failed_interrupted(app_context):
    instance_id = register("x", "mysql", 3306, "u", "p")
    dead_pid = 2**22 + 12345  # above pid_max on Linux: cannot be alive
    same_host_dead = running_session(instance_id, f"{process_owner().rpartition(':')[0]}:{dead_pid}")
    db.session.execute(SyncRecord.__table__.update().values(status="failed"))  # free the instance for the next one
    db.session.commit()
    other_host_silent = running_session(instance_id, "elsewhere:42", heartbeat_age=timedelta(minutes=10))
    alive_elsewhere = SyncSession(trigger="manual", status="running", started_at=utcnow(), heartbeat_at=utcnow(),
                                  owner="elsewhere:43")  # fmt: skip
    db.session.add(alive_elsewhere)
    db.session.commit()

    recovered = recover_interrupted_sessions()

    assert sorted(recovered) == sorted([same_host_dead.id, other_host_silent.id])
    for session_id in recovered:
        session = db.session.get(SyncSession, session_id)
        assert session.status == "failed" and session.error.startswith("interrupted: the process running this session")
        assert all(r.status == "failed" for r in session.records)
    assert db.session.get(SyncSession, alive_elsewhere.id).status == "running"


def test_an_empty_answer_never_wipes_an_instance(app_context):
    instance = db.session.get(Instance, register("x", "postgresql", 5432, "u", "p"))
    attributes = {"can_login": True, "superuser": False, "locked": False, "password_expired": False}
    store_inventory(instance, Inventory("postgresql", "16", [make_account("app", "user", attributes)]), None)
    db.session.commit()
    with pytest.raises(SuspiciousInventory, match="the server listed no accounts while 1 are stored as active"):
        store_inventory(instance, Inventory("postgresql", "16", []), None)
    db.session.rollback()
    assert exported("x")[("app", None)]["status"] == "active"


def test_instances_sync_in_parallel_within_their_deadline(tmp_path, migrated_sqlite_template):
    """Two servers that never answer, two workers: both attempts overlap, each stops at its own deadline."""
    import shutil

    from tests.conftest import make_env
    from whalefall.app import create_app
    from whalefall.core.config import Settings

    env = make_env(tmp_path, WHALEFALL_SYNC_WORKERS="2", WHALEFALL_INSTANCE_TIMEOUT="2", WHALEFALL_CONNECT_TIMEOUT="30")
    shutil.copy(migrated_sqlite_template, tmp_path / "whalefall.db")
    app = create_app(Settings.from_env(env))
    listeners = [SilentListener(), SilentListener()]
    try:
        with app.app_context():
            for index, listener in enumerate(listeners):
                register(f"hang{index}", "mysql", listener.port, *ROOT)
            session, records = sync()
            first, second = records["hang0"], records["hang1"]
            assert first.started_at < second.finished_at and second.started_at < first.finished_at
            for record in (first, second):
                assert record.status == "failed"
                assert "timed out after 2s" in record.error
            assert session.status == "failed"
            db.engine.dispose()
    finally:
        for listener in listeners:
            listener.close()


def test_unknown_instance_ids_are_an_error(app_context):
    from whalefall.core.errors import NotFoundError
    from whalefall.tasks.accounts_sync import sync_accounts

    with pytest.raises(NotFoundError, match="no live instance with id 999"):
        sync_accounts(instance_ids=[999], trigger="manual")
    assert db.session.scalars(select(SyncSession)).all() == []


def test_sync_command_prints_a_table_and_exits_by_outcome(cli, app_context, tmp_path):
    listener = SilentListener()
    try:
        register("silent", "mysql", listener.port, *ROOT)
        result = cli.invoke(args=["sync"])
    finally:
        listener.close()
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("sync session 1: failed")
    assert lines[1].split()[:3] == ["INSTANCE", "STATUS", "FOUND"]
    assert lines[2].startswith("silent") and " failed " in lines[2]
    assert os.environ.get("WHALEFALL_INSTANCE_TIMEOUT") is None
