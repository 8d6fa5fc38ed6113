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
    # The API authenticates every request with credentials (HTTP Basic), never a cookie: CSRF cannot apply.
    csrf.exempt(api)
    app.register_blueprint(api)
