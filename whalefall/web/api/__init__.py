"""The REST API under /api/v1: JSON in and out, errors as {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def register_api(app: Flask) -> None:
    from whalefall.core.extensions import csrf
    from whalefall.web.api import inventory, jobs, manage, sync  # noqa: F401 - their routes register on the blueprint
    from whalefall.web.api.blueprint import api
    from whalefall.web.api.docs import configure_docs
    from whalefall.web.api.errors import install_error_handlers

    install_error_handlers(app)
    configure_docs(app)
    # Token and Basic requests carry their credentials and need no CSRF token; the blueprint's auth checks the
    # token itself on writes authenticated by the console's session cookie (blueprint.TokenOrSessionAuth).
    csrf.exempt(api)
    app.register_blueprint(api)
