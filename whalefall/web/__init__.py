"""HTTP entry points: pages and the /api/v1 REST API. Route modules import a task only when they launch it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def register_web(app: Flask) -> None:
    from whalefall.web.api import register_api
    from whalefall.web.health import health
    from whalefall.web.input_guard import install_input_guard
    from whalefall.web.pages import accounts, activity, admin, dashboard, formatting, instances, responses  # noqa: F401
    from whalefall.web.pages.auth import pages
    from whalefall.web.request_ids import install_request_ids

    install_request_ids(app)
    install_input_guard(app)
    app.register_blueprint(health)
    app.register_blueprint(pages)
    register_api(app)
