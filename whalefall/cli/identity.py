"""Who is at the terminal: recorded as the actor of what a command does."""

from __future__ import annotations

import getpass


def who_is_running() -> str:
    """The OS user running the command (``cli`` when it cannot be told)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"
