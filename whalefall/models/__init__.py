"""ORM tables. Importing this package registers every table on ``db.metadata`` (needed by Alembic)."""

from whalefall.models.account import Account, AccountChange, AccountPrivilege, AccountRoleMembership
from whalefall.models.api_token import ApiToken
from whalefall.models.audit import AuditEvent
from whalefall.models.instance import Credential, Instance, Tag
from whalefall.models.job import JobRun
from whalefall.models.scheduled_job import ScheduledJob
from whalefall.models.sync import SyncRecord, SyncSession
from whalefall.models.user import User

# Indexes a migration creates only where the backend supports them; autogenerate must not compare them.
MIGRATION_ONLY_INDEXES = frozenset({"ix_accounts_name_trgm"})


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "index" and name in MIGRATION_ONLY_INDEXES)


__all__ = [
    "Account",
    "AccountChange",
    "AccountPrivilege",
    "AccountRoleMembership",
    "ApiToken",
    "AuditEvent",
    "Credential",
    "Instance",
    "JobRun",
    "ScheduledJob",
    "SyncRecord",
    "SyncSession",
    "Tag",
    "User",
    "include_in_autogenerate",
]
