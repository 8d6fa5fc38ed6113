"""``whalefall user ...``: WhaleFall's own users."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from whalefall.cli.errors import reports_errors
from whalefall.cli.identity import who_is_running
from whalefall.cli.secrets_input import password_from
from whalefall.models.user import ROLES
from whalefall.services.users import create_user


@click.group("user")
def user_group() -> None:
    """Manage the people who log in to WhaleFall."""


@user_group.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@with_appcontext
@reports_errors
def create_user_command(name: str, role: str, password_stdin: bool) -> None:
    """Create a user NAME (the password is prompted for, or read with --password-stdin)."""
    password = password_from(password_stdin, None, prompt=f"Password for {name}")
    user = create_user(name, password, role, actor=who_is_running())
    click.echo(f"user {user.username!r} created with role {user.role}")
