"""Retention: prune job-run history and old sync sessions. The account change log is never pruned."""

from __future__ import annotations

from typing import Any


def prune_history(older_than_days: int | None = None, **_context: Any) -> dict[str, int]:
    """Delete job runs and finished sync sessions older than the retention age (default: configured)."""
    from flask import current_app

    from whalefall.services.retention import prune

    days = older_than_days or current_app.config["WHALEFALL_SETTINGS"].retention_days
    return prune(days)
