"""Role checks for pages (viewer < operator < admin), the same matrix as the API, and query arguments read
strictly: a malformed one is a 400 that names it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import TYPE_CHECKING, Any

from flask import abort, request
from flask_login import current_user, login_required

from whalefall.services.paging import MAX_PAGE
from whalefall.services.users import roles_of

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


def can(role: str) -> bool:
    """Whether the logged-in user holds ``role`` (templates use it to show only the actions one may take)."""
    return current_user.is_authenticated and role in roles_of(current_user)


def role_required(role: str) -> Callable:
    """Login first (a redirect to the login page), then the role (403 without it)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not can(role):
                abort(403, f"this needs the {role} role")
            return view(*args, **kwargs)

        return guarded

    return decorate


def date_arg(name: str, end_of_day: bool = False) -> datetime | None:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM`` from the query string, in UTC; a bare date used as an upper bound
    means the end of that day. Anything else is a 400 that names the field."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if end_of_day and len(raw) == 10:
            value += timedelta(days=1)
    except (ValueError, OverflowError):
        abort(400, f"{name} {raw!r} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM) this side of the year 9999")
    return value


def page_arg(maximum: int = MAX_PAGE) -> int:
    try:
        page = int(request.args.get("page", 1))
    except ValueError:
        abort(400, "page must be a number")
    if not 1 <= page <= maximum:
        abort(400, f"page must be between 1 and {maximum}")
    return page


def known_args(*names: str) -> dict[str, str]:
    """The page's own filters from the query string, and nothing else: links are rebuilt from these with
    ``url_for``, which must never see arguments of its own (``_external``, ``endpoint``...) from a request."""
    return {name: request.args[name] for name in names if request.args.get(name)}


def text_arg(name: str) -> str | None:
    return (request.args.get(name) or "").strip() or None


def choice_arg(name: str, allowed: Iterable[str]) -> str | None:
    """An optional value that must be one of ``allowed`` (a 400 naming them otherwise)."""
    value = text_arg(name)
    if value is not None and value not in allowed:
        abort(400, f"{name} must be one of: {', '.join(allowed)}")
    return value
