"""Who this process is (``host:pid``), and whether a recorded owner process is still alive."""

from __future__ import annotations

import os
import socket


def process_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_is_dead(owner: str | None) -> bool:
    """True only when ``owner`` ran on this host and its pid no longer exists; unknown means alive."""
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
