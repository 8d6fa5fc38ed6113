"""``TASK_FUNCTIONS``: task names mapped to ``"module:function"`` strings, resolved lazily with importlib and cached."""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

TASK_FUNCTIONS: dict[str, str] = {
    "sync_accounts": "whalefall.tasks.accounts_sync:sync_accounts",
    "prune_history": "whalefall.tasks.retention:prune_history",
}

_loaded: dict[str, Callable[..., Any]] = {}
_lock = threading.Lock()


class TaskLookupError(LookupError):
    """A task name is unknown, or its ``module:function`` target cannot be resolved."""


def check_task_name(name: str) -> str:
    """Fail early on an unknown name, without importing anything."""
    if name not in TASK_FUNCTIONS:
        raise TaskLookupError(f"unknown task {name!r}; known tasks: {', '.join(sorted(TASK_FUNCTIONS))}")
    return TASK_FUNCTIONS[name]


def load_task(name: str) -> Callable[..., Any]:
    """Import the task's module on first use and cache the function."""
    cached = _loaded.get(name)
    if cached is not None:
        return cached
    target = check_task_name(name)
    module_name, _, function_name = target.partition(":")
    with _lock:
        try:
            function = getattr(importlib.import_module(module_name), function_name)
        except (ImportError, AttributeError) as exc:
            raise TaskLookupError(f"task {name!r} points at {target!r}, which cannot be loaded: {exc}") from exc
        if not callable(function):
            raise TaskLookupError(f"task {name!r} points at {target!r}, which is not callable")
        _loaded[name] = function
    return function
