"""Job runs: every execution of a scheduled or manual job, whatever the task."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from whalefall.core.extensions import db
from whalefall.models._types import UTCDateTime, utcnow

JOB_RUN_STATUSES = ("running", "succeeded", "failed")
TRIGGER_KINDS = ("scheduled", "manual")


class JobRun(db.Model):
    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(128), index=True)
    task: Mapped[str] = mapped_column(String(128))
    trigger_kind: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    sync_session_id: Mapped[int | None] = mapped_column(ForeignKey("sync_sessions.id", ondelete="SET NULL"))
    # Which process runs it (host:pid): a run whose process died is marked failed instead of staying running.
    owner: Mapped[str | None] = mapped_column(String(255))
