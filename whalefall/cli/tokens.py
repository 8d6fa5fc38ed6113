"""``whalefall token create|list|revoke``: API tokens for scripts (``Authorization: Bearer …``)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from whalefall.cli.errors import reports_errors
from whalefall.cli.identity import who_is_running
from whalefall.cli.output import echo_table
from whalefall.services.tokens import create_token, list_tokens, revoke_token


@click.group("token")
def token_group() -> None:
    """API tokens: shown once at creation, stored hashed, revocable."""


@token_group.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for (e.g. 'nightly export').")
@with_appcontext
@reports_errors
def create_command(username: str, name: str) -> None:
    """Create a token for USERNAME and print it (the only time it is shown)."""
    token, plaintext = create_token(username, name, actor=who_is_running())
    click.echo(plaintext)
    click.echo(f"token {token.id} for {username!r}: keep it now, it cannot be shown again", err=True)


@token_group.command("list")
@click.option("--user", "username", help="Only this user's tokens.")
@with_appcontext
def list_command(username: str | None) -> None:
    """List tokens (never their secret)."""
    echo_table(
        ["id", "user", "name", "prefix", "created", "last used", "state"],
        [
            [
                t.id,
                t.user.username,
                t.name,
                t.prefix + "…",
                f"{t.created_at:%Y-%m-%d %H:%M}",
                f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never",
                "revoked" if t.revoked_at else "active",
            ]
            for t in list_tokens(username)
        ],
    )


@token_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
@reports_errors
def revoke_command(token_id: int) -> None:
    """Revoke token TOKEN_ID: it stops working at once."""
    revoke_token(token_id, actor=who_is_running())
    click.echo(f"token {token_id} revoked")
