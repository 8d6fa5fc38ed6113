"""WhaleFall's own users: the people who log in, with a role that bounds what they may do."""

from __future__ import annotations

import re

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from whalefall.core.errors import ConflictError, NotFoundError, ValidationError
from whalefall.core.extensions import db
from whalefall.core.logging import get_logger
from whalefall.models import User
from whalefall.models._types import get_by_id
from whalefall.models.user import ROLES
from whalefall.services.audit import record

log = get_logger(__name__)

MIN_PASSWORD_LENGTH = 8
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@\-]{0,63}$")


def create_user(username: str, password: str, role: str, actor: str | None = None) -> User:
    if not _USERNAME.match(username or ""):
        raise ValidationError(f"username {username!r} is invalid: 1-64 letters, digits, '_', '.', '@' or '-'")
    if role not in ROLES:
        raise ValidationError(f"role {role!r} is not one of: {', '.join(ROLES)}")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalars(select(User).where(User.username == username)).first() is not None:
        raise ConflictError(f"a user named {username!r} already exists")
    user = User(username=username, role=role)
    user.set_password(password)
    db.session.add(user)
    record("user.created", actor, username, detail={"role": role}, commit=False)
    db.session.commit()
    return user


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: disabled or unknown users are logged out."""
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None


ROLE_GRANTS = {"admin": ("admin", "operator", "viewer"), "operator": ("operator", "viewer"), "viewer": ("viewer",)}
_DUMMY_HASH = generate_password_hash("timing-equaliser")


def authenticate(username: str, password: str) -> User | None:
    """The enabled user with these credentials, else None; unknown names cost as much as wrong passwords."""
    user = db.session.scalars(select(User).where(User.username == username)).first() if username else None
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not user.check_password(password or "") or not user.is_enabled:
        return None
    return user


def roles_of(user: User) -> tuple[str, ...]:
    """A role includes the ones below it: admin > operator > viewer."""
    return ROLE_GRANTS.get(user.role, ())


def has_users() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is not None


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


def user_by_id(user_id: int) -> User:
    user = get_by_id(User, user_id)
    if user is None:
        raise NotFoundError(f"no user {user_id}")
    return user


def update_user(user_id: int, changes: dict, actor: str | None = None) -> User:
    """Change a user's role, enabled flag or password; an admin cannot lock themselves out."""
    user = user_by_id(user_id)
    unknown = sorted(set(changes) - {"role", "enabled", "password"})
    if unknown:
        raise ValidationError(f"cannot change {', '.join(unknown)} (editable: role, enabled, password)")
    if "role" in changes and changes["role"] not in ROLES:
        raise ValidationError(f"role {changes['role']!r} is not one of: {', '.join(ROLES)}")
    if "password" in changes and len(changes["password"] or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if user.username == actor and (changes.get("enabled") is False or changes.get("role", "admin") != "admin"):
        raise ConflictError("you cannot disable yourself or take away your own admin role")
    if "role" in changes:
        user.role = changes["role"]
    if "enabled" in changes:
        user.is_enabled = bool(changes["enabled"])
    if "password" in changes:
        user.set_password(changes["password"])
    record("user.updated", actor, user.username, detail={"changed": sorted(changes)}, commit=False)
    db.session.commit()
    return user


def user_summary(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role,
        "enabled": user.is_enabled,
        "created_at": user.created_at.isoformat(),
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }
