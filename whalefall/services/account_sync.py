"""Account sync: ``AccountSyncCoordinator`` syncs one instance; ``run_sync_session`` syncs many in parallel.

Per instance there are two phases: *collect* reads the whole catalog in bulk (inventory and permissions) and
normalises it; *apply* compares it with what is stored and writes the differences in one transaction. A failure
in either phase leaves the stored state untouched. One instance's failure never stops the others.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import TYPE_CHECKING, Any

import structlog
from flask import current_app
from sqlalchemy import select

from whalefall.core.errors import ConflictError, NotFoundError, WhaleFallError
from whalefall.core.extensions import db
from whalefall.core.gcpause import gc_paused
from whalefall.core.logging import get_logger
from whalefall.engines.base import EngineError
from whalefall.engines.registry import get_adapter
from whalefall.models import Instance, SyncSession
from whalefall.models._types import get_by_id, utcnow
from whalefall.services.account_store import StoreResult, store_inventory
from whalefall.services.audit import record
from whalefall.services.instances import connection_settings
from whalefall.services.sync_sessions import (
    HEARTBEAT_SECONDS,
    claim_record,
    finish_record,
    finish_session,
    heartbeat,
    recover_interrupted_sessions,
    start_session,
)

if TYPE_CHECKING:
    from whalefall.engines.inventory import Inventory

log = get_logger(__name__)


class AccountSyncCoordinator:
    """Syncs one instance within a wall-clock deadline: collect, then apply."""

    def __init__(self, instance: Instance, deadline: float) -> None:
        self.instance = instance
        self.deadline = deadline

    def collect(self) -> Inventory:
        settings = connection_settings(self.instance)
        remaining = max(1.0, self.deadline - time.monotonic())
        # Neither connecting nor any single query may outlive the instance's wall-clock budget.
        settings = dataclasses.replace(
            settings,
            connect_timeout=min(settings.connect_timeout, remaining),
            read_timeout=min(settings.read_timeout, remaining),
        )
        return get_adapter(self.instance.engine).read_inventory(settings, deadline=self.deadline)

    def apply(self, inventory: Inventory, session_id: int | None) -> StoreResult:
        try:
            result = store_inventory(self.instance, inventory, session_id)
            self.instance.server_version = inventory.server_version
            self.instance.last_connection_at = utcnow()
            self.instance.last_connection_ok = True
            self.instance.last_connection_message = "synced"
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return result

    def sync(self, session_id: int | None = None) -> tuple[Inventory, StoreResult]:
        with gc_paused():
            inventory = self.collect()
            return inventory, self.apply(inventory, session_id)


def select_instances(instance_ids: list[int] | None) -> list[Instance]:
    """The requested live instances (default: every active one); unknown ids are an error, not a silent no-op."""
    query = select(Instance).where(Instance.deleted_at.is_(None)).order_by(Instance.name)
    if instance_ids is None:
        return list(db.session.scalars(query.where(Instance.is_active.is_(True))))
    instances = list(db.session.scalars(query.where(Instance.id.in_(instance_ids))))
    missing = sorted(set(instance_ids) - {instance.id for instance in instances})
    if missing:
        raise NotFoundError(f"no live instance with id {', '.join(map(str, missing))}")
    return instances


def open_session(
    instance_ids: list[int] | None = None, trigger: str = "scheduled", created_by: str | None = None
) -> SyncSession:
    """Create the session and its pending records (so that its id can be handed out before any work starts).

    A full sync (no instance ids) is refused while another session runs: it would only skip every instance.
    """
    recover_interrupted_sessions()
    if instance_ids is None:
        running = db.session.scalars(select(SyncSession).where(SyncSession.status == "running")).first()
        if running is not None:
            raise ConflictError(
                f"a sync is already running: session {running.id} (started {running.started_at:%Y-%m-%d %H:%M:%S} UTC)"
            )
    session = start_session(select_instances(instance_ids), trigger, created_by)
    if trigger != "scheduled":
        record("sync.started", created_by, f"session {session.id}", detail={"instance_ids": instance_ids})
    return session


def run_sync_session(
    instance_ids: list[int] | None = None, trigger: str = "scheduled", created_by: str | None = None
) -> SyncSession:
    """One sync session over the chosen instances, in parallel with a bounded pool, each under its deadline."""
    return execute_session(open_session(instance_ids, trigger, created_by).id)


def execute_session(session_id: int) -> SyncSession:
    """Sync every pending record of an opened session; finishes the session whatever happens to each instance."""
    app = current_app._get_current_object()
    settings = app.config["WHALEFALL_SETTINGS"]
    session = get_by_id(SyncSession, session_id)
    if session is None:
        raise NotFoundError(f"no sync session {session_id}")
    work = [(record.id, record.instance_id) for record in session.records if record.status == "pending"]
    context = structlog.contextvars.get_contextvars()

    def sync_one(record_id: int, instance_id: int) -> None:
        with app.app_context(), structlog.contextvars.bound_contextvars(**context, sync_session_id=session_id):
            _sync_instance(record_id, instance_id, session_id, settings.instance_timeout)
            db.session.remove()

    stop = threading.Event()
    beater = threading.Thread(target=_beat, args=(app, session_id, stop), name=f"sync-{session_id}-heartbeat")
    beater.daemon = True
    beater.start()
    try:
        run_bounded(sync_one, work, settings.sync_workers, f"sync-{session_id}")
    finally:
        stop.set()
        beater.join()
    return finish_session(session_id)


def run_bounded(function, items: list[tuple], workers: int, name: str) -> None:
    """Call ``function(*item)`` for every item on at most ``workers`` daemon threads, and wait for all.

    Daemon threads, unlike ThreadPoolExecutor's, never hold a stopping process hostage to a server that does not
    answer: the process exits, and its unfinished session is marked interrupted on the way out.
    """
    pending = list(items)
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not pending:
                    return
                item = pending.pop(0)
            try:
                function(*item)
            except Exception:  # one instance's unexpected failure must not stop the others
                log.exception("sync_worker_error", item=item)

    threads = [
        threading.Thread(target=worker, name=f"{name}-{index}", daemon=True)
        for index in range(max(1, min(workers, len(items))))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _sync_instance(record_id: int, instance_id: int, session_id: int, timeout: float) -> None:
    instance = db.session.get(Instance, instance_id)
    log_ = log.bind(instance=instance.name, engine=instance.engine)
    skipped = claim_record(record_id)
    if skipped:
        log_.warning("instance_sync_skipped", reason=skipped)
        return
    started = time.monotonic()
    try:
        inventory, result = AccountSyncCoordinator(instance, started + timeout).sync(session_id)
    except (EngineError, WhaleFallError) as exc:
        _record_failure(record_id, instance, str(exc))
        log_.warning("instance_sync_failed", error=str(exc))
        return
    except Exception as exc:
        _record_failure(record_id, instance, f"unexpected error: {type(exc).__name__}: {exc}")
        log_.exception("instance_sync_crashed")
        return
    status = "partial" if inventory.unreadable else "succeeded"
    error = "; ".join(f"database {p.database!r} unreadable: {p.error}" for p in inventory.unreadable) or None
    finish_record(
        record_id,
        status,
        error=error,
        found=result.found,
        created=result.created,
        updated=result.updated,
        deleted=result.deleted,
        unchanged=result.unchanged,
        changes=result.changes,
        queries=inventory.queries,
        unreadable=result.unreadable or None,
    )
    log_.info("instance_synced", status=status, queries=inventory.queries, **_counts(result))


def _record_failure(record_id: int, instance: Instance, message: str) -> None:
    db.session.rollback()
    instance.last_connection_at = utcnow()
    instance.last_connection_ok = False
    instance.last_connection_message = message[:4000]
    db.session.commit()
    finish_record(record_id, "failed", error=message)


def _counts(result: StoreResult) -> dict[str, Any]:
    fields = ("found", "created", "updated", "deleted", "unchanged", "changes", "rows_written")
    return {name: getattr(result, name) for name in fields}


def _beat(app, session_id: int, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        with app.app_context():
            try:
                heartbeat(session_id)
            finally:
                db.session.remove()
