"""The account inventory: accounts, their canonical privilege rows, role memberships and the change log.

Privilege rows are engine-neutral (see docs/export-format.md): ``privilege``, ``level``, ``database_name``,
``schema_name``, ``object_name``, ``column_name``, ``grantable``, ``state``. Identifiers are stored raw and
case-exact, never quoted or folded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from whalefall.core.extensions import db
from whalefall.models._types import JSONType, UTCDateTime, utcnow

ACCOUNT_KINDS = ("user", "role")
ACCOUNT_STATUSES = ("active", "deleted")
PRIVILEGE_LEVELS = (
    "global",
    "server",
    "database",
    "schema",
    "table",
    "column",
    "routine",
    "sequence",
    "proxy",
    "default",
)
PRIVILEGE_STATES = ("GRANT", "DENY")
CHANGE_TYPES = (
    "account_created",
    "account_deleted",
    "account_restored",
    "privilege_granted",
    "privilege_revoked",
    "role_granted",
    "role_revoked",
    "attribute_changed",
)
IDENTIFIER = 255


class Account(db.Model):
    """One account (user or role) on one instance. Vanished accounts are soft-deleted, never dropped."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("instance_id", "name", "host"),
        # The explorer's default order, walked by index even deep into the pages.
        Index("ix_accounts_name_order", "name", "instance_id", "host", "id"),
    )
    # Substring search (ILIKE '%…%') also has a pg_trgm GiST index on PostgreSQL (migrations 0004, 0005) when
    # the extension is available; it is not part of the metadata (see MIGRATION_ONLY_INDEXES).

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(IDENTIFIER), index=True)
    # MySQL/MariaDB only; '' elsewhere (kept non-null so the unique constraint holds on every backend).
    host: Mapped[str] = mapped_column(String(IDENTIFIER), default="")
    kind: Mapped[str] = mapped_column(String(8), default="user")
    status: Mapped[str] = mapped_column(String(8), default="active", index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Denormalised from ``attributes`` for fast filtering.
    can_login: Mapped[bool] = mapped_column(Boolean, default=False)
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    privileges: Mapped[list[AccountPrivilege]] = relationship(
        back_populates="account", cascade="all, delete-orphan", passive_deletes=True
    )
    memberships: Mapped[list[AccountRoleMembership]] = relationship(
        back_populates="account", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        host = f"@{self.host}" if self.host else ""
        return f"<Account {self.kind} {self.name!r}{host} instance={self.instance_id} {self.status}>"


class AccountPrivilege(db.Model):
    """One canonical privilege row: what, at which level, on which object, grantable or not, granted or denied."""

    __tablename__ = "account_privileges"
    __table_args__ = (Index("ix_account_privileges_lookup", "privilege", "level", "account_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    privilege: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    database_name: Mapped[str | None] = mapped_column(String(IDENTIFIER))
    schema_name: Mapped[str | None] = mapped_column(String(IDENTIFIER))
    object_name: Mapped[str | None] = mapped_column(String(IDENTIFIER))
    column_name: Mapped[str | None] = mapped_column(String(IDENTIFIER))
    grantable: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(5), default="GRANT")
    # Engine extras that qualify the row (e.g. whose future objects a PostgreSQL default privilege covers).
    extras: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    account: Mapped[Account] = relationship(back_populates="privileges")


class AccountRoleMembership(db.Model):
    """The account is a member of ``role`` (with ADMIN OPTION / as a default role where the engine has them)."""

    __tablename__ = "account_role_memberships"
    __table_args__ = (Index("ix_account_role_memberships_role_account", "role", "account_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(IDENTIFIER))
    role_host: Mapped[str | None] = mapped_column(String(IDENTIFIER))  # MySQL 8 only
    admin_option: Mapped[bool] = mapped_column(Boolean, default=False)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    extras: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    account: Mapped[Account] = relationship(back_populates="memberships")


class AccountChange(db.Model):
    """One observed difference between two syncs. Never pruned: this is the audit trail of privileges."""

    __tablename__ = "account_changes"
    __table_args__ = (Index("ix_account_changes_instance_detected", "instance_id", "detected_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sync_sessions.id", ondelete="SET NULL"), index=True)
    change_type: Mapped[str] = mapped_column(String(32), index=True)
    # Snapshot of who, so the entry stays readable even if the account row is purged.
    account_name: Mapped[str] = mapped_column(String(IDENTIFIER))
    account_host: Mapped[str] = mapped_column(String(IDENTIFIER), default="")
    account_kind: Mapped[str] = mapped_column(String(8), default="user")
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
