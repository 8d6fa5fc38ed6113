"""What people changed about a scheduled job (pause, trigger) and when it last fired; the file defines the rest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from whalefall.core.extensions import db
from whalefall.models._types import JSONType, UTCDateTime, utcnow


class ScheduledJob(db.Model):
    __tablename__ = "scheduled_jobs"

    job_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    # A trigger set from the CLI/API/UI ({"cron": {...}} or {"interval": {...}}); None means the file's.
    trigger_override: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Kept by the leader so that a job missed while no scheduler ran fires once at the next start.
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
