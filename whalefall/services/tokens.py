"""API tokens: created for a user, shown once, stored as SHA-256, revocable, used as ``Authorization: Bearer``."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from whalefall.core.errors import NotFoundError, ValidationError
from whalefall.core.extensions import db
from whalefall.core.logging import register_secret
from whalefall.models import ApiToken, User
from whalefall.models._types import get_by_id, utcnow
from whalefall.services.audit import record

TOKEN_PREFIX = "wf_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(username: str, name: str, actor: str | None) -> tuple[ApiToken, str]:
    """A new token for ``username``; the plaintext is returned once and never stored."""
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFoundError(f"no user named {username!r}")
    name = (name or "").strip()
    if not name or len(name) > 128:
        raise ValidationError("a token needs a name of 1-128 characters (what it is for)")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    register_secret(plaintext)
    token = ApiToken(user_id=user.id, name=name, token_hash=_digest(plaintext), prefix=plaintext[:10])
    db.session.add(token)
    db.session.flush()
    record("token.created", actor, f"token {token.id} of {username}", detail={"name": name}, commit=False)
    db.session.commit()
    return token, plaintext


def authenticate_token(plaintext: str) -> User | None:
    """The enabled owner of a live token, else None. Marks the token as used."""
    if not plaintext or not plaintext.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(plaintext))).first()
    if token is None or token.revoked_at is not None or not token.user.is_enabled:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now  # a write at most once a minute per token, not on every request
        db.session.commit()
    return token.user


def list_tokens(username: str | None = None) -> list[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.id)
    if username:
        query = query.join(User).where(User.username == username)
    return list(db.session.scalars(query))


def revoke_token(token_id: int, actor: str | None, owner: str | None = None) -> ApiToken:
    """Revoke a token (``owner`` limits it to that user's tokens, for non-admins)."""
    token = get_by_id(ApiToken, token_id)
    if token is None or (owner is not None and token.user.username != owner):
        raise NotFoundError(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("token.revoked", actor, f"token {token.id} of {token.user.username}", commit=False)
        db.session.commit()
    return token
