"""WhaleFall's own users: the people who log in, with a role that bounds what they may do."""

from __future__ import annotations

import re

from sqlalchemy import select

from whalefall.core.errors import ConflictError, ValidationError
from whalefall.core.extensions import db
from whalefall.core.logging import get_logger
from whalefall.models import User
from whalefall.models.user import ROLES

log = get_logger(__name__)

MIN_PASSWORD_LENGTH = 8
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@\-]{0,63}$")


def create_user(username: str, password: str, role: str) -> User:
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
    db.session.commit()
    log.info("user_created", username=username, role=role)
    return user


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: disabled or unknown users are logged out."""
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
