"""Polling for something that happens on another thread or process, with a deadline."""

from __future__ import annotations

import time


def wait_for(predicate, timeout: float = 20, step: float = 0.2, fresh_session: bool = True):
    """Call ``predicate`` until it returns something truthy (returned) or ``timeout`` passes (None).

    With ``fresh_session`` the ORM session forgets what it loaded, so each call sees other threads' commits.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fresh_session:
            from whalefall.core.extensions import db

            db.session.expire_all()
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None
