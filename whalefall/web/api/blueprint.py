"""The /api/v1 blueprint and its authentication, with roles: ``Authorization: Bearer <token>``, HTTP Basic, or,
with no Authorization header, the console's login session (so the console's own scripts can call the API).
A write authenticated by that session cookie must carry the page's CSRF token in ``X-CSRFToken``.
"""

from __future__ import annotations

from apiflask import APIBlueprint, HTTPBasicAuth, HTTPTokenAuth, MultiAuth
from flask import g, request
from flask_login import current_user as session_user

from whalefall.core.extensions import csrf
from whalefall.core.logging import get_logger
from whalefall.services.audit import record
from whalefall.services.tokens import authenticate_token
from whalefall.services.users import authenticate, roles_of

log = get_logger(__name__)
api = APIBlueprint("api", __name__, url_prefix="/api/v1")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenOrSessionAuth(HTTPTokenAuth):
    """A Bearer token; failing any Authorization header, the login session, CSRF-checked on writes."""

    def authenticate(self, auth, stored_password):
        if getattr(auth, "token", None) or "Authorization" in request.headers:
            return super().authenticate(auth, stored_password)
        if not session_user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS:
            csrf.protect()  # raises CSRFError: a 400 JSON error, nothing written
        return session_user._get_current_object()


token_auth = TokenOrSessionAuth(
    scheme="Bearer",
    description="A WhaleFall API token (`whalefall token create USER`). Without any Authorization header, the "
    "console's login session is accepted; its writes need the page's CSRF token in `X-CSRFToken`.",
)
basic_auth = HTTPBasicAuth(description="A WhaleFall user name and password.")
auth = MultiAuth(token_auth, basic_auth)


@basic_auth.verify_password
def _verify_password(username: str, password: str):
    user = authenticate(username, password)
    if user is None and username:
        record("login.failed", username, "api", outcome="denied", detail={"method": "basic"})
    return user


@token_auth.verify_token
def _verify_token(token: str):
    user = authenticate_token(token)
    if user is None and token:
        record("login.failed", None, "api", outcome="denied", detail={"method": "token", "prefix": token[:10]})
    return user


@basic_auth.get_user_roles
@token_auth.get_user_roles
def _roles(user) -> list[str]:
    return list(roles_of(user))


def current_user():
    return g.get("flask_httpauth_user")


def current_username() -> str | None:
    user = current_user()
    return user.username if user is not None else None
