"""Command-line entry points, shared by ``whalefall ...`` and ``flask --app whalefall.app ...``."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

import click
from flask.cli import FlaskGroup
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from whalefall.core.errors import WhaleFallError

if TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

_MISSING_SCHEMA = ("no such table", "does not exist", "undefinedtable")


def register_commands(app: Flask) -> None:
    from whalefall.cli.instances import instance_group
    from whalefall.cli.jobs import jobs_group
    from whalefall.cli.serve import run_command, scheduler_command, serve_command
    from whalefall.cli.sync import accounts_group, sync_command
    from whalefall.cli.tokens import token_group
    from whalefall.cli.users import user_group

    commands = (
        run_command,
        serve_command,
        scheduler_command,
        user_group,
        instance_group,
        sync_command,
        accounts_group,
        jobs_group,
        token_group,
    )
    for command in commands:
        app.cli.add_command(command)


def build_cli(create_app: Callable[[], Flask]) -> click.Group:
    """The ``whalefall`` group: the app's own commands plus Flask-Migrate's ``db``; Flask's dev ``run`` is left out."""
    return FlaskGroup(
        name="whalefall",
        create_app=create_app,
        add_default_commands=False,
        add_version_option=False,
        load_dotenv=False,
        set_debug_flag=False,
        help="WhaleFall: the inventory of every database account and privilege.",
        params=[click.Option(["--version"], is_flag=True, expose_value=False, is_eager=True, callback=_print_version)],
    )


def describe_startup_error(exc: BaseException, database: str | None = None) -> str | None:
    """One line for errors a person can fix (configuration, unreachable or unmigrated database); None otherwise."""
    if isinstance(exc, WhaleFallError):
        return str(exc)
    if isinstance(exc, ArgumentError | NoSuchModuleError):
        return f"DATABASE_URL is not usable: {exc}"
    if isinstance(exc, DBAPIError):
        detail = _first_line(exc.orig) if exc.orig is not None else type(exc).__name__
        if any(marker in detail.lower() for marker in _MISSING_SCHEMA) and not exc.connection_invalidated:
            return f"the database has no WhaleFall schema yet ({detail}); run: whalefall db upgrade"
        return f"cannot use the database {database or ''}: {detail}".replace(" :", ":")
    return None


def _first_line(exc: BaseException) -> str:
    for line in str(exc).splitlines():
        if line.strip():
            return line.strip()
    return type(exc).__name__


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        try:
            installed = version("whalefall")
        except PackageNotFoundError:
            installed = "unknown (not installed)"
        click.echo(f"whalefall {installed}")
        ctx.exit()
