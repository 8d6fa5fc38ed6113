"""Sync sessions and their per-instance records: creation, the one-sync-per-instance claim, completion, recovery.

The claim is a status change to ``running`` guarded by a partial unique index, so two sessions (in two
processes, on two hosts) can never sync the same instance at once: the loser records itself as skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from whalefall.core.errors import NotFoundError
from whalefall.core.extensions import db
from whalefall.core.logging import get_logger
from whalefall.core.process import owner_is_dead, process_owner
from whalefall.models import Instance, SyncRecord, SyncSession
from whalefall.models._types import get_by_id, utcnow
from whalefall.services.paging import Page, paginate

log = get_logger(__name__)
MAX_ERROR_LENGTH = 4000
HEARTBEAT_SECONDS = 30
STALE_AFTER = timedelta(minutes=5)


def start_session(instances: list[Instance], trigger: str, created_by: str | None) -> SyncSession:
    now = utcnow()
    session = SyncSession(
        trigger=trigger,
        created_by=created_by,
        status="running",
        started_at=now,
        heartbeat_at=now,
        owner=process_owner(),
        total_instances=len(instances),
        records=[SyncRecord(instance_id=instance.id, status="pending") for instance in instances],
    )
    db.session.add(session)
    db.session.commit()
    log.info("sync_session_started", session_id=session.id, trigger=trigger, instances=len(instances))
    return session


def claim_record(record_id: int) -> str | None:
    """Mark the record running; if another session is syncing that instance, mark it skipped and say which."""
    try:
        db.session.execute(
            update(SyncRecord).where(SyncRecord.id == record_id).values(status="running", started_at=utcnow())
        )
        db.session.commit()
        return None
    except IntegrityError:
        db.session.rollback()
    record = db.session.get(SyncRecord, record_id)
    running = db.session.scalars(
        select(SyncRecord).where(SyncRecord.instance_id == record.instance_id, SyncRecord.status == "running")
    ).first()
    reason = "skipped: instance is being synced by another session"
    if running is not None:
        since = f"{running.started_at:%Y-%m-%d %H:%M:%S} UTC"
        reason = f"skipped: instance is being synced by session {running.session_id} (since {since})"
    finish_record(record_id, "skipped", error=reason)
    return reason


@dataclass
class RecordOutcome:
    status: str
    counts: dict[str, int]
    error: str | None = None
    unreadable: list[dict[str, Any]] | None = None
    queries: int = 0


def finish_record(record_id: int, status: str, error: str | None = None, **values: Any) -> None:
    record = db.session.get(SyncRecord, record_id)
    record.status = status
    record.finished_at = utcnow()
    if record.started_at is not None:
        record.duration_ms = int((record.finished_at - record.started_at).total_seconds() * 1000)
    record.error = error[:MAX_ERROR_LENGTH] if error else None
    for name, value in values.items():
        setattr(record, name, value)
    db.session.commit()


def finish_session(session_id: int) -> SyncSession:
    session = db.session.get(SyncSession, session_id)
    db.session.refresh(session)
    _tally(session)
    session.finished_at = utcnow()
    db.session.commit()
    log.info(
        "sync_session_finished",
        session_id=session.id,
        status=session.status,
        succeeded=session.succeeded_instances,
        failed=session.failed_instances,
        partial=session.partial_instances,
        skipped=session.skipped_instances,
    )
    return session


def _tally(session: SyncSession) -> None:
    """Counts per record status; the session failed only if every instance failed, succeeded only if all did."""
    statuses = [record.status for record in session.records]
    session.succeeded_instances = statuses.count("succeeded")
    session.failed_instances = statuses.count("failed")
    session.partial_instances = statuses.count("partial")
    session.skipped_instances = statuses.count("skipped")
    if session.succeeded_instances == len(statuses):
        session.status = "succeeded"
    elif session.failed_instances == len(statuses):
        session.status = "failed"
    else:
        session.status = "partial"


def session_report(session_id: int) -> tuple[SyncSession, list[dict[str, Any]]]:
    """A session and its per-instance records (with instance names), ordered by instance name."""
    session = get_by_id(SyncSession, session_id)
    if session is None:
        raise NotFoundError(f"no sync session {session_id}")
    instance_ids = [r.instance_id for r in session.records]
    query = select(Instance.id, Instance.name).where(Instance.id.in_(instance_ids))
    names = {row.id: row.name for row in db.session.execute(query)}
    fields = (
        "status",
        "found",
        "created",
        "updated",
        "deleted",
        "unchanged",
        "changes",
        "queries",
        "duration_ms",
        "error",
    )
    rows = [
        {"instance": names.get(r.instance_id, str(r.instance_id)), "instance_id": r.instance_id}
        | {name: getattr(r, name) for name in fields}
        | {"unreadable": r.unreadable, "started_at": r.started_at, "finished_at": r.finished_at}
        for r in session.records
    ]
    return session, sorted(rows, key=lambda row: row["instance"])


def session_dict(session: SyncSession, records: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A session as the API and the console show it: counts, and each instance's record when given."""
    body = {
        "id": session.id,
        "trigger": session.trigger,
        "created_by": session.created_by,
        "status": session.status,
        "started_at": session.started_at.isoformat(),
        "finished_at": _iso(session.finished_at),
        "error": session.error,
        "counts": {
            "instances": session.total_instances,
            "succeeded": session.succeeded_instances,
            "partial": session.partial_instances,
            "failed": session.failed_instances,
            "skipped": session.skipped_instances,
        },
    }
    if records is not None:
        body["records"] = [
            {**row, "started_at": _iso(row["started_at"]), "finished_at": _iso(row["finished_at"])} for row in records
        ]
    return body


def list_sessions(page: int = 1, per_page: int = 50, status: str | None = None) -> Page:
    """Sessions newest first, without their records."""
    query = select(SyncSession).order_by(SyncSession.id.desc())
    if status:
        query = query.where(SyncSession.status == status)
    return paginate(query, lambda row: session_dict(row[0]), page, per_page)


def instance_records(instance_id: int, limit: int = 20) -> list[SyncRecord]:
    """An instance's latest sync records, newest first: its sync history on the instance page."""
    query = select(SyncRecord).where(SyncRecord.instance_id == instance_id).order_by(SyncRecord.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def latest_records() -> dict[int, SyncRecord]:
    """Each instance's last finished sync record, by instance id."""
    latest_ids = (
        select(func.max(SyncRecord.id))
        .where(SyncRecord.status.not_in(("pending", "running")))
        .group_by(SyncRecord.instance_id)
    )
    records = db.session.scalars(select(SyncRecord).where(SyncRecord.id.in_(latest_ids)))
    return {record.instance_id: record for record in records}


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def heartbeat(session_id: int) -> None:
    db.session.execute(update(SyncSession).where(SyncSession.id == session_id).values(heartbeat_at=utcnow()))
    db.session.commit()


def recover_interrupted_sessions() -> list[int]:
    """Sessions whose process died (same host, pid gone; or no heartbeat for a while) end failed (interrupted)."""
    now = utcnow()
    recovered = []
    for session in db.session.scalars(select(SyncSession).where(SyncSession.status == "running")):
        stale = session.heartbeat_at is None or now - session.heartbeat_at > STALE_AFTER
        if owner_is_dead(session.owner) or stale:
            reason = f"interrupted: the process running this session ({session.owner}) stopped before it finished"
            _interrupt(session, reason, now)
            recovered.append(session.id)
    db.session.commit()
    for session_id in recovered:
        log.warning("sync_session_interrupted", session_id=session_id)
    return recovered


def fail_sessions_of_this_process(reason: str) -> list[int]:
    """Mark the sessions this process is running as failed (it is shutting down and cannot finish them)."""
    now = utcnow()
    query = select(SyncSession).where(SyncSession.status == "running", SyncSession.owner == process_owner())
    failed = []
    for session in db.session.scalars(query):
        _interrupt(session, reason, now)
        failed.append(session.id)
    db.session.commit()
    return failed


def _interrupt(session: SyncSession, reason: str, now) -> None:
    """End a session that cannot finish: its unfinished records and itself failed, with the reason."""
    for record in session.records:
        if record.status in ("pending", "running"):
            record.status, record.error, record.finished_at = "failed", reason, now
    _tally(session)
    session.status, session.error, session.finished_at = "failed", reason, now
