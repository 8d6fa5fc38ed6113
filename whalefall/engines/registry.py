"""Adapters by engine name, in the style of Redash's query runners: one module per engine, one registry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from whalefall.engines.mysql import MySQLAdapter
from whalefall.engines.oracle import OracleAdapter
from whalefall.engines.postgresql import PostgreSQLAdapter
from whalefall.engines.sqlserver import SQLServerAdapter

if TYPE_CHECKING:
    from whalefall.engines.base import EngineAdapter

_ADAPTERS: dict[str, type[EngineAdapter]] = {}


def register(adapter_class: type[EngineAdapter]) -> type[EngineAdapter]:
    _ADAPTERS[adapter_class.name] = adapter_class
    return adapter_class


for _adapter in (MySQLAdapter, PostgreSQLAdapter, SQLServerAdapter, OracleAdapter):
    register(_adapter)


def engine_names() -> tuple[str, ...]:
    return tuple(_ADAPTERS)


def get_adapter(name: str) -> EngineAdapter:
    try:
        return _ADAPTERS[name]()
    except KeyError:
        raise KeyError(f"unknown engine {name!r}; known engines: {', '.join(_ADAPTERS)}") from None
