"""Composition root: ``create_app`` wires configuration, extensions, web, CLI and (optionally) the scheduler.

Everything here is imported inside the functions or from lower layers only; nothing imports this module
except the WSGI entry point and the console script.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from apiflask import APIFlask

from whalefall.cli import build_cli, describe_startup_error, register_commands
from whalefall.core.config import Settings
from whalefall.core.database import engine_options, install_sqlite_pragmas
from whalefall.core.extensions import csrf, db, limiter, login_manager, migrate
from whalefall.core.logging import configure_logging, get_logger, register_secret, set_console_level
from whalefall.scheduler.service import start_scheduler
from whalefall.services.users import load_user
from whalefall.web import register_web
from whalefall.web.api.docs import DOCS_PATH, SPEC_PATH

if TYPE_CHECKING:
    from flask import Flask

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
log = get_logger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    start_scheduler_now: bool | None = None,
    console_log_level: str | None = None,
) -> Flask:
    """Build a WhaleFall app. Cheap and side-effect free on the database: it connects to nothing."""
    settings = settings or Settings.from_env()
    for secret in (settings.secret_key, settings.credential_key, _url_password(settings.database_url)):
        register_secret(secret)
    configure_logging(settings.log_dir, settings.log_level, console_log_level)
    for warning in settings.warnings:
        log.warning("configuration_default_used", detail=warning)

    # APIFlask is Flask with an OpenAPI document generated from the routes, and JSON errors.
    app = APIFlask("whalefall", title="WhaleFall API", version="1", spec_path=SPEC_PATH, docs_path=DOCS_PATH)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(settings.database_url),
        WHALEFALL_SETTINGS=settings,
        WHALEFALL_CREDENTIAL_KEY=settings.credential_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        REMEMBER_COOKIE_SECURE=settings.production,
        REMEMBER_COOKIE_HTTPONLY=True,
        JSON_SORT_KEYS=False,
        # Login attempts are counted across workers when Redis is there, per process otherwise.
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
    )

    db.init_app(app)
    with app.app_context():
        install_sqlite_pragmas(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "pages.login"
    csrf.init_app(app)
    limiter.init_app(app)
    register_web(app)
    register_commands(app)

    if settings.scheduler_enabled if start_scheduler_now is None else start_scheduler_now:
        start_scheduler(app)
    return app


def main(argv: list[str] | None = None) -> None:
    """The ``whalefall`` console script: the app's Flask CLI commands, with one-line errors and exit status 2."""
    settings: Settings | None = None
    try:
        settings = Settings.from_env()  # fail before Click prints anything
        cli = build_cli(lambda: _create_cli_app(settings))
        cli.main(args=argv, prog_name="whalefall")
    except Exception as exc:
        message = describe_startup_error(exc, settings.database_url_safe if settings else None)
        if message is None:
            raise
        print(f"whalefall: error: {message}", file=sys.stderr)
        sys.exit(2)


def _create_cli_app(settings: Settings) -> Flask:
    """Commands speak for themselves on the console: after start-up warnings, only errors are logged there."""
    app = create_app(settings, console_log_level="WARNING")
    set_console_level("ERROR")
    return app


def _url_password(database_url: str) -> str | None:
    from sqlalchemy.engine import make_url

    return make_url(database_url).password


__all__ = ["create_app", "main"]
