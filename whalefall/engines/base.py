"""What every engine adapter shares: connection settings, the adapter base class and its errors."""

from __future__ import annotations

import contextlib
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 120.0


@dataclass(frozen=True)
class ConnectionSettings:
    """Where and how to connect. ``password`` is excluded from repr so that it cannot leak through a log line."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)
    database: str | None = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class ServerInfo:
    engine: str
    version: str
    elapsed_ms: int


class EngineError(Exception):
    """A failure talking to a database server, phrased for a DBA: what failed, where, and the server's own words."""

    kind = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthenticationFailed(EngineError):
    kind = "authentication"


class ServerUnreachable(EngineError):
    kind = "unreachable"


class ServerTimeout(EngineError):
    kind = "timeout"


class DriverMissing(EngineError):
    kind = "driver"


class EngineAdapter(ABC):
    """Base class of the per-engine adapters; subclasses are registered by ``name`` in ``registry``."""

    name: ClassVar[str]
    label: ClassVar[str]
    default_port: ClassVar[int]

    @abstractmethod
    def connect(self, settings: ConnectionSettings) -> Any:
        """Open a DB-API connection with connect and read timeouts set, or raise an ``EngineError``."""

    @abstractmethod
    def server_version(self, connection: Any) -> str:
        """The server's own version string."""

    def test_connection(self, settings: ConnectionSettings) -> ServerInfo:
        """Connect, read the version, disconnect: the check behind ``whalefall instance test``."""
        started = time.monotonic()
        connection = self.connect(settings)
        try:
            version = self.server_version(connection)
        except Exception as exc:
            raise self.translate_error(exc, settings) from exc
        finally:
            _close_quietly(connection)
        return ServerInfo(self.name, version, int((time.monotonic() - started) * 1000))

    def translate_error(self, exc: BaseException, settings: ConnectionSettings) -> EngineError:
        """Map a driver exception to a precise ``EngineError``; subclasses refine by driver error codes."""
        if isinstance(exc, EngineError):
            return exc
        text = first_line(exc)
        lowered = text.lower()
        where = f"{self.label} at {settings.address}"
        if "timed out" in lowered or "timeout" in lowered:
            return ServerTimeout(f"{where}: timed out after {seconds(settings.connect_timeout)} ({text})")
        if "refused" in lowered or "could not connect" in lowered or "name or service not known" in lowered:
            return ServerUnreachable(f"{where} is unreachable: {text}")
        return EngineError(f"{where}: {text}")


def seconds(value: float) -> str:
    """A duration for a message: ``2s``, ``0.5s`` (never ``1.99819s``)."""
    return f"{round(value, 1):g}s"


def first_line(exc: BaseException) -> str:
    """The first non-empty line of a driver error (driver messages can span several lines of hints)."""
    args = getattr(exc, "args", ())
    # pymysql/pymssql put (code, message) in args.
    if len(args) >= 2 and isinstance(args[0], int):
        text = args[1].decode(errors="replace") if isinstance(args[1], bytes) else str(args[1])
    else:
        text = str(exc)
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return type(exc).__name__


def _close_quietly(connection: Any) -> None:
    with contextlib.suppress(Exception):
        connection.close()
