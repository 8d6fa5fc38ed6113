"""The jobs WhaleFall runs by default. Each names a task from ``TASK_FUNCTIONS``, never a function object."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class JobDefinition:
    id: str
    task: str
    cron: str
    description: str = ""
    enabled: bool = True
    kwargs: dict[str, Any] = field(default_factory=dict)


DEFAULT_JOBS: tuple[JobDefinition, ...] = (
    JobDefinition(
        id="sync_accounts",
        task="sync_accounts",
        cron="0 1 * * *",
        description="Sync the accounts and privileges of every active instance",
    ),
    JobDefinition(
        id="prune_history",
        task="prune_history",
        cron="30 3 * * *",
        description="Prune job runs and sync sessions older than WHALEFALL_RETENTION_DAYS (never the change log)",
    ),
)
