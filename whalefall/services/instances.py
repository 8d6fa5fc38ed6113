"""Registering, listing, removing and testing database instances, shared by the CLI, the API and the web pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select

from whalefall.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from whalefall.core.extensions import db
from whalefall.core.logging import get_logger
from whalefall.engines.base import ConnectionSettings, EngineError, ServerInfo
from whalefall.engines.registry import engine_names, get_adapter
from whalefall.models import Credential, Instance, Tag
from whalefall.models._types import get_by_id, utcnow
from whalefall.services.audit import record
from whalefall.services.credentials import cipher

if TYPE_CHECKING:
    from collections.abc import Iterable

log = get_logger(__name__)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")
_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$")
_HOST = re.compile(r"^[A-Za-z0-9_.:\-\[\]%]{1,255}$")


@dataclass(frozen=True)
class InstanceInput:
    """Everything needed to register an instance; validated by ``validate`` before anything is written."""

    name: str
    engine: str
    host: str
    port: int | None
    username: str
    password: str
    database: str | None = None
    tags: tuple[str, ...] = ()
    description: str | None = None

    def validate(self) -> None:
        if not _NAME.match(self.name or ""):
            raise ValidationError(
                f"instance name {self.name!r} is invalid: 1-128 letters, digits, '_', '.' or '-', "
                "starting with a letter or digit"
            )
        if self.engine not in engine_names():
            raise ValidationError(f"engine {self.engine!r} is not one of: {', '.join(engine_names())}")
        if not _HOST.match(self.host or ""):
            raise ValidationError(f"host {self.host!r} is not a valid host name or address")
        if self.port is not None and not 1 <= self.port <= 65535:
            raise ValidationError(f"port {self.port} is out of range 1-65535")
        if not self.username:
            raise ValidationError("username is required")
        if not self.password:
            raise ValidationError("password is required (give it on standard input or through an environment variable)")
        for tag in self.tags:
            if not _TAG.match(tag):
                raise ValidationError(f"tag {tag!r} is invalid: 1-64 letters, digits, '_', '.', ':' or '-'")


def add_instance(data: InstanceInput, actor: str | None = None) -> Instance:
    data.validate()
    if find_instance(data.name) is not None:
        raise ConflictError(f"an instance named {data.name!r} already exists")
    port = data.port or get_adapter(data.engine).default_port
    credential = Credential(
        name=_unique_credential_name(data.name),
        username=data.username,
        password_encrypted=cipher().encrypt(data.password),
    )
    instance = Instance(
        name=data.name,
        engine=data.engine,
        host=data.host,
        port=port,
        database_name=data.database or None,
        description=data.description,
        credential=credential,
        tags=_tags(data.tags),
    )
    db.session.add(instance)
    record("instance.created", actor, data.name, detail={"engine": data.engine, "address": f"{data.host}:{port}"},
           commit=False)  # fmt: skip
    db.session.commit()
    return instance


def list_instances(include_deleted: bool = False) -> list[Instance]:
    query = select(Instance).order_by(Instance.name)
    if not include_deleted:
        query = query.where(Instance.deleted_at.is_(None))
    return list(db.session.scalars(query))


def find_instance(name: str) -> Instance | None:
    return db.session.scalars(select(Instance).where(Instance.name == name, Instance.deleted_at.is_(None))).first()


def get_instance(name: str) -> Instance:
    instance = find_instance(name)
    if instance is None:
        raise NotFoundError(f"no instance named {name!r}")
    return instance


def remove_instance(name: str, actor: str | None = None) -> Instance:
    """Soft-delete: the instance stops being synced, its accounts and change history stay explorable."""
    instance = get_instance(name)
    instance.deleted_at = utcnow()
    instance.is_active = False
    record("instance.removed", actor, name, commit=False)
    db.session.commit()
    return instance


def instance_by_id(instance_id: int) -> Instance:
    instance = get_by_id(Instance, instance_id)
    if instance is None or instance.is_deleted:
        raise NotFoundError(f"no instance {instance_id}")
    return instance


_EDITABLE = ("host", "port", "database", "description", "tags", "active")


def update_instance(
    instance_id: int, changes: dict, actor: str | None = None, may_move_credential: bool = True
) -> Instance:
    """Change where an instance is and how it is labelled; validated like a new one, written all or nothing.

    A new host or port is where the stored password goes next, so only someone who may manage credentials
    (``may_move_credential``: admins) may move an instance that has one; anyone else could aim it at a server
    of their own and read the password an admin stored.
    """
    instance = instance_by_id(instance_id)
    unknown = sorted(set(changes) - set(_EDITABLE))
    if unknown:
        raise ValidationError(f"cannot change {', '.join(unknown)} (editable: {', '.join(_EDITABLE)})")
    moved = changes.get("host", instance.host) != instance.host or changes.get("port", instance.port) != instance.port
    if moved and instance.credential is not None and not may_move_credential:
        raise ForbiddenError(
            f"moving {instance.name} to another host or port would send it the stored credential: "
            "that needs the admin role, like the credential itself"
        )
    merged = InstanceInput(
        name=instance.name,
        engine=instance.engine,
        host=changes.get("host", instance.host),
        port=changes.get("port", instance.port),
        username="unchanged",
        password="unchanged",
        database=changes.get("database", instance.database_name),
        tags=tuple(changes.get("tags", [tag.name for tag in instance.tags])),
        description=changes.get("description", instance.description),
    )
    merged.validate()
    instance.host, instance.port = merged.host, merged.port
    instance.database_name, instance.description = merged.database or None, merged.description
    instance.tags = _tags(merged.tags)
    if "active" in changes:
        instance.is_active = bool(changes["active"])
    record("instance.updated", actor, instance.name, detail={"changed": sorted(changes)}, commit=False)
    db.session.commit()
    return instance


def set_credential(instance_id: int, username: str, password: str, actor: str | None = None) -> Instance:
    """Replace the login WhaleFall uses for an instance. The password is encrypted and never returned."""
    instance = instance_by_id(instance_id)
    if not username or not password:
        raise ValidationError("username and password are both required")
    credential = instance.credential
    if credential is None:
        credential = Credential(name=_unique_credential_name(instance.name), username=username, password_encrypted=b"")
        instance.credential = credential
    credential.username = username
    credential.password_encrypted = cipher().encrypt(password)
    record("credential.changed", actor, instance.name, detail={"username": username}, commit=False)
    db.session.commit()
    return instance


def instance_summary(instance: Instance) -> dict:
    """What may be shown of an instance: never its password, not even encrypted."""
    return {
        "id": instance.id,
        "name": instance.name,
        "engine": instance.engine,
        "host": instance.host,
        "port": instance.port,
        "database": instance.database_name,
        "description": instance.description,
        "tags": [tag.name for tag in instance.tags],
        "active": instance.is_active,
        "deleted_at": instance.deleted_at.isoformat() if instance.deleted_at else None,
        "username": instance.credential.username if instance.credential else None,
        "server_version": instance.server_version,
        "last_connection_at": instance.last_connection_at.isoformat() if instance.last_connection_at else None,
        "last_connection_ok": instance.last_connection_ok,
        "last_connection_message": instance.last_connection_message,
    }


def list_tags() -> list[str]:
    return list(db.session.scalars(select(Tag.name).order_by(Tag.name)))


def connection_settings(instance: Instance) -> ConnectionSettings:
    """Decrypt the instance's credential into connection settings with the configured timeouts."""
    if instance.credential is None:
        raise ValidationError(f"instance {instance.name!r} has no credential")
    password = cipher().decrypt(instance.credential.password_encrypted, f"instance {instance.name!r}")
    return _settings(instance.host, instance.port, instance.credential.username, password, instance.database_name)


def _settings(host: str, port: int, username: str, password: str, database: str | None) -> ConnectionSettings:
    config = current_app.config["WHALEFALL_SETTINGS"]
    return ConnectionSettings(
        host=host,
        port=port,
        username=username,
        password=password,
        database=database,
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
    )


def check_unsaved_connection(data: InstanceInput) -> ServerInfo:
    """Try the connection a form describes before anything is stored (the console's "Test connection")."""
    data.validate()
    adapter = get_adapter(data.engine)
    port = data.port or adapter.default_port
    info = adapter.test_connection(_settings(data.host, port, data.username, data.password, data.database or None))
    log.info("unsaved_instance_test_succeeded", instance=data.name, version=info.version, elapsed_ms=info.elapsed_ms)
    return info


def check_connection(name: str) -> ServerInfo:
    """Connect and read the server version; the outcome is stored on the instance either way."""
    instance = get_instance(name)
    adapter = get_adapter(instance.engine)
    instance.last_connection_at = utcnow()
    try:
        info = adapter.test_connection(connection_settings(instance))
    except EngineError as exc:
        instance.last_connection_ok = False
        instance.last_connection_message = exc.message
        db.session.commit()
        log.warning("instance_test_failed", instance=name, kind=exc.kind, error=exc.message)
        raise
    instance.last_connection_ok = True
    instance.last_connection_message = f"connected in {info.elapsed_ms} ms"
    instance.server_version = info.version
    db.session.commit()
    log.info("instance_test_succeeded", instance=name, version=info.version, elapsed_ms=info.elapsed_ms)
    return info


def _tags(names: Iterable[str]) -> list[Tag]:
    wanted = sorted(set(names))
    existing = {tag.name: tag for tag in db.session.scalars(select(Tag).where(Tag.name.in_(wanted)))}
    return [existing.get(name) or Tag(name=name) for name in wanted]


def _unique_credential_name(base: str) -> str:
    taken = set(db.session.scalars(select(Credential.name).where(Credential.name.like(f"{base}%"))))
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"
