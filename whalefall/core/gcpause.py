"""Pause the cyclic garbage collector while bulk-building acyclic objects (catalog rows, snapshots).

A sync allocates hundreds of thousands of small tuples and dicts with no reference cycles; the collector's
full passes over everything the process holds cost 10-30 % of a sync and free nothing. The pause is counted, so
that parallel syncs in threads do not re-enable it under each other, and the collector is restored afterwards.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
