"""Work started by a web request runs on a background thread of the worker, never on the request thread.

If the worker stops (Gunicorn recycles it, a deploy restarts it), whatever it still runs is marked failed
(interrupted) on the way out; a worker killed outright is caught by the next scheduler or sync start instead.
"""

from __future__ import annotations

import atexit
import threading
from typing import TYPE_CHECKING, Any

from whalefall.core.extensions import db
from whalefall.core.logging import get_logger

if TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

log = get_logger(__name__)
_running: set[threading.Thread] = set()
_lock = threading.Lock()
_registered_apps: set[int] = set()


def launch(app: Flask, name: str, work: Callable[..., Any], *args: Any, **kwargs: Any) -> threading.Thread:
    _register_exit_hook(app)

    def target() -> None:
        try:
            with app.app_context():
                work(*args, **kwargs)
        except Exception:
            log.exception("background_work_failed", work=name)
        finally:
            with app.app_context():
                db.session.remove()
            with _lock:
                _running.discard(threading.current_thread())

    thread = threading.Thread(target=target, name=f"whalefall-{name}", daemon=True)
    with _lock:
        _running.add(thread)
    thread.start()
    return thread


def _register_exit_hook(app: Flask) -> None:
    with _lock:
        if id(app) in _registered_apps:
            return
        _registered_apps.add(id(app))
    atexit.register(_interrupt_unfinished, app)


def _interrupt_unfinished(app: Flask) -> None:
    with _lock:
        unfinished = [thread for thread in _running if thread.is_alive()]
    if not unfinished:
        return
    from whalefall.services.job_runs import fail_runs_of_this_process
    from whalefall.services.sync_sessions import fail_sessions_of_this_process

    reason = "interrupted: the web worker running it stopped before it finished"
    with app.app_context():
        sessions = fail_sessions_of_this_process(reason)
        runs = fail_runs_of_this_process(reason)
        db.session.remove()
    log.warning("background_work_interrupted", sessions=sessions, job_runs=runs)
