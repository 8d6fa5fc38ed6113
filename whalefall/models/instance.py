"""Registered database servers, their tags and the credentials WhaleFall connects with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from whalefall.core.extensions import db
from whalefall.models._types import UTCDateTime, utcnow

ENGINES = ("mysql", "postgresql", "sqlserver", "oracle")

instance_tags = Table(
    "instance_tags",
    db.metadata,
    Column("instance_id", ForeignKey("instances.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Credential(db.Model):
    """A login WhaleFall uses to read a server's catalog. The password is Fernet-encrypted; never returned or logged."""

    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    username: Mapped[str] = mapped_column(String(256))
    password_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:  # never include the password, even encrypted
        return f"<Credential {self.name!r} user={self.username!r}>"


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)


class Instance(db.Model):
    """One database server. Soft-deleted (``deleted_at``) so that its accounts and history stay explorable."""

    __tablename__ = "instances"
    # Names are unique among live instances only: a removed instance's name can be reused.
    __table_args__ = (
        Index(
            "uq_instances_name_live",
            "name",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    engine: Mapped[str] = mapped_column(String(16), index=True)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer)
    database_name: Mapped[str | None] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(Text)
    credential_id: Mapped[int | None] = mapped_column(ForeignKey("credentials.id", ondelete="SET NULL"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    server_version: Mapped[str | None] = mapped_column(String(255))
    last_connection_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_connection_ok: Mapped[bool | None] = mapped_column(Boolean)
    last_connection_message: Mapped[str | None] = mapped_column(Text)

    credential: Mapped[Credential | None] = relationship(lazy="joined")
    tags: Mapped[list[Tag]] = relationship(secondary=instance_tags, lazy="selectin", order_by=Tag.name)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def __repr__(self) -> str:
        return f"<Instance {self.name!r} {self.engine} {self.host}:{self.port}>"
