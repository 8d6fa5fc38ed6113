"""The /api/v1 blueprint and its authentication: ``Authorization: Bearer <token>`` or HTTP Basic, with roles."""

from __future__ import annotations

from apiflask import APIBlueprint, HTTPBasicAuth, HTTPTokenAuth, MultiAuth
from flask import g

from whalefall.core.logging import get_logger
from whalefall.services.audit import record
from whalefall.services.tokens import authenticate_token
from whalefall.services.users import authenticate, roles_of

log = get_logger(__name__)
api = APIBlueprint("api", __name__, url_prefix="/api/v1")
token_auth = HTTPTokenAuth(scheme="Bearer", description="A WhaleFall API token (`whalefall token create USER`).")
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
