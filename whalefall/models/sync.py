"""Sync sessions: one row per run of ``sync_accounts``, one record per instance it covered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from whalefall.core.extensions import db
from whalefall.models._types import JSONType, UTCDateTime, utcnow

TRIGGERS = ("scheduled", "manual", "cli")
SESSION_STATUSES = ("running", "succeeded", "partial", "failed")
RECORD_STATUSES = ("pending", "running", "succeeded", "partial", "failed", "skipped")


class SyncSession(db.Model):
    __tablename__ = "sync_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trigger: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    total_instances: Mapped[int] = mapped_column(Integer, default=0)
    succeeded_instances: Mapped[int] = mapped_column(Integer, default=0)
    failed_instances: Mapped[int] = mapped_column(Integer, default=0)
    partial_instances: Mapped[int] = mapped_column(Integer, default=0)
    skipped_instances: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # Which process runs it (host:pid) and when it last showed life: a session whose process died is found
    # and marked failed (interrupted) instead of staying "running" forever.
    owner: Mapped[str | None] = mapped_column(String(255))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    records: Mapped[list[SyncRecord]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True, order_by="SyncRecord.id"
    )


class SyncRecord(db.Model):
    """What one session did to one instance: status, counts, timing and the precise error if any."""

    __tablename__ = "sync_records"
    # At most one running sync per instance, enforced by the database across every process and host.
    __table_args__ = (
        Index(
            "uq_sync_records_instance_running",
            "instance_id",
            unique=True,
            postgresql_where=text("status = 'running'"),
            sqlite_where=text("status = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sync_sessions.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    found: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    changes: Mapped[int] = mapped_column(Integer, default=0)
    queries: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # Parts that could not be read (a database refused by pg_hba...), each with its error.
    unreadable: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)

    session: Mapped[SyncSession] = relationship(back_populates="records")
