"""The /api/v1 blueprint and its authentication (HTTP Basic against WhaleFall's users, with roles)."""

from __future__ import annotations

from apiflask import APIBlueprint, HTTPBasicAuth

from whalefall.core.logging import get_logger
from whalefall.services.users import authenticate, roles_of

log = get_logger(__name__)
api = APIBlueprint("api", __name__, url_prefix="/api/v1")
basic_auth = HTTPBasicAuth(description="A WhaleFall user (see `whalefall user create`).")


@basic_auth.verify_password
def _verify(username: str, password: str):
    user = authenticate(username, password)
    if user is None and username:
        log.warning("api_login_failed", username=username)
    return user


@basic_auth.get_user_roles
def _roles(user) -> list[str]:
    return list(roles_of(user))


def current_username() -> str | None:
    user = basic_auth.current_user
    return user.username if user is not None else None
