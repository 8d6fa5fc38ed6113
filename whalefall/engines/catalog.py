"""Bulk catalog reads with a query count and a wall-clock deadline, shared by every adapter."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from whalefall.engines.base import ConnectionSettings, EngineError, ServerTimeout

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

Row = dict[str, Any]


class CatalogReader:
    """Runs catalog queries on one DB-API connection: counts them, checks the deadline, maps driver errors.

    ``deadline`` is a ``time.monotonic()`` value; past it no further query starts, so an instance that hit its
    wall-clock limit can never go on to write anything.
    """

    def __init__(
        self,
        connection: Any,
        settings: ConnectionSettings,
        translate: Callable[[BaseException, ConnectionSettings], EngineError],
        deadline: float | None = None,
        label: str = "",
    ) -> None:
        self.connection = connection
        self.settings = settings
        self.translate = translate
        self.deadline = deadline
        self.label = label
        self.queries = 0

    def check_deadline(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise ServerTimeout(f"{self.label or self.settings.address}: wall-clock limit reached while reading")

    def rows(self, sql: str, params: Sequence[Any] | None = None) -> list[Row]:
        """All rows of ``sql`` as dicts keyed by column name (as the server spells it)."""
        self.check_deadline()
        self.queries += 1
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, params) if params is not None else cursor.execute(sql)
            if not cursor.description:  # a statement without a result set (BEGIN, SET...)
                return []
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        except EngineError:
            raise
        except Exception as exc:
            raise self.translate(exc, self.settings) from exc
        finally:
            cursor.close()

    @classmethod
    def for_adapter(
        cls, adapter: Any, connection: Any, settings: ConnectionSettings, deadline: float | None, scope: str = ""
    ) -> CatalogReader:
        """A reader that maps errors with ``adapter.translate_error`` and names ``scope`` (default: the server)."""
        label = scope or f"{adapter.label} {settings.address}"
        return cls(connection, settings, adapter.translate_error, deadline, label)

    def scalar(self, sql: str) -> Any:
        rows = self.rows(sql)
        return next(iter(rows[0].values())) if rows else None
