"""Reading passwords without putting them on a command line (where ``ps`` and shell history would keep them)."""

from __future__ import annotations

import os
import sys

import click

from whalefall.cli.errors import CommandError


def password_from(stdin: bool, env_var: str | None, prompt: str | None = None) -> str:
    """The password from standard input, a named environment variable or, last, an interactive prompt."""
    if stdin and env_var:
        raise CommandError("give the password either with --password-stdin or with --password-env, not both")
    if stdin:
        value = sys.stdin.readline().rstrip("\r\n")
        if not value:
            raise CommandError("--password-stdin: standard input held no password")
        return value
    if env_var:
        value = os.environ.get(env_var)
        if not value:
            raise CommandError(f"--password-env: environment variable {env_var} is not set or empty")
        return value
    if prompt is None or not sys.stdin.isatty():
        raise CommandError("a password is required: use --password-stdin or --password-env VAR")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)
