"""A DB-API connection that answers known catalog queries with canned rows, for engines that cannot run here.

Rows are given as dicts (column name → value, values typed as the real driver returns them); the fake turns
them into ``description`` + tuples exactly like a DB-API cursor, and fails loudly on a query it does not know.
"""

from __future__ import annotations

from typing import Any


class FakeCursor:
    def __init__(self, connection: FakeConnection) -> None:
        self.connection = connection
        self.description = None
        self._rows: list[tuple] = []

    def execute(self, sql: str, params: Any = None) -> None:
        key = " ".join(sql.split())
        self.connection.executed.append(key)
        if key in self.connection.silent:
            self.description, self._rows = None, []
            return
        if key not in self.connection.answers:
            raise AssertionError(f"unexpected query: {key[:120]}")
        rows = self.connection.answers[key]
        if isinstance(rows, Exception):
            raise rows
        columns = list(rows[0]) if rows else ["unused"]
        self.description = [(name, None, None, None, None, None, None) for name in columns]
        self._rows = [tuple(row[name] for name in columns) for row in rows]

    def fetchall(self) -> list[tuple]:
        return self._rows

    def fetchone(self) -> tuple | None:
        return self._rows[0] if self._rows else None

    def close(self) -> None:
        pass


class FakeConnection:
    def __init__(self, answers: dict[str, Any], silent: tuple[str, ...] = ()) -> None:
        self.answers = {" ".join(sql.split()): rows for sql, rows in answers.items()}
        self.silent = {" ".join(sql.split()) for sql in silent}
        self.executed: list[str] = []
        self.closed = False

    def cursor(self) -> FakeCursor:
        return FakeCursor(self)

    def close(self) -> None:
        self.closed = True
