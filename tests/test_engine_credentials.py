"""A stored password never goes to a server in clear: a fake PostgreSQL or MySQL that asks for the password in
clear text (what a server impersonating an instance would do) is refused before the password leaves WhaleFall."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

import pytest

from whalefall.engines.base import ConnectionSettings, EngineError
from whalefall.engines.mysql import MySQLAdapter
from whalefall.engines.postgresql import PostgreSQLAdapter

psycopg = pytest.importorskip("psycopg")
SECRET = "Stored-Secret-Pw"


class FakeServer:
    """One connection on a loopback port, served by ``_serve`` on a thread; ``received`` is the client's answer to
    the request for its password."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.sock.close()
        self.thread.join(timeout=5)


class CleartextAskingPostgres(FakeServer):
    """Speaks just enough of the PostgreSQL protocol to ask for the password in clear."""

    def _serve(self) -> None:
        connection, _ = self.sock.accept()
        connection.settimeout(5)
        with connection:
            while True:  # SSL and GSS encryption requests get "N", then comes the startup message
                length, code = struct.unpack("!ii", _read(connection, 8))
                rest = _read(connection, length - 8)
                if code in (80877103, 80877104):
                    connection.sendall(b"N")
                    continue
                break
            connection.sendall(b"R" + struct.pack("!ii", 8, 3))  # AuthenticationCleartextPassword
            with contextlib.suppress(OSError):
                self.received = connection.recv(4096)
            del rest


def _read(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("client went away")
        data += chunk
    return data


class ClearPasswordAskingMySQL(FakeServer):
    """A MySQL greeting, then an auth switch to mysql_clear_password."""

    @staticmethod
    def _packet(sequence: int, payload: bytes) -> bytes:
        return struct.pack("<I", len(payload))[:3] + bytes([sequence]) + payload

    def _serve(self) -> None:
        connection, _ = self.sock.accept()
        connection.settimeout(5)
        capabilities = 0x1 | 0x8 | 0x200 | 0x8000 | 0x80000  # long password, with db, 4.1, secure conn, plugin auth
        salt = b"abcdefghijklmnopqrst"
        greeting = (
            b"\x0a" + b"5.7.99-fake\x00" + struct.pack("<I", 1) + salt[:8] + b"\x00"
            + struct.pack("<H", capabilities & 0xFFFF) + b"\x21" + struct.pack("<H", 2)
            + struct.pack("<H", capabilities >> 16) + bytes([21]) + b"\x00" * 10 + salt[8:] + b"\x00"
            + b"mysql_native_password\x00"
        )  # fmt: skip
        with connection:
            connection.sendall(self._packet(0, greeting))
            with contextlib.suppress(OSError):
                connection.recv(4096)  # the handshake response (scrambled, not the password)
                connection.sendall(self._packet(2, b"\xfe" + b"mysql_clear_password\x00" + b"\x00"))
                self.received = connection.recv(4096)


@pytest.mark.parametrize(
    ("fake_server", "adapter", "said"),
    [
        pytest.param(CleartextAskingPostgres, PostgreSQLAdapter, "password", id="postgresql",
                     marks=pytest.mark.skipif(psycopg.pq.version() < 160000, reason="require_auth needs libpq 16+")),
        pytest.param(ClearPasswordAskingMySQL, MySQLAdapter, "clear text", id="mysql"),
    ],
)  # fmt: skip
def test_a_server_asking_for_the_password_in_clear_never_gets_it(fake_server, adapter, said):
    server = fake_server()
    settings = ConnectionSettings("127.0.0.1", server.port, "collector", SECRET, connect_timeout=3, read_timeout=3)
    try:
        with pytest.raises(EngineError) as refused:
            adapter().test_connection(settings)
    finally:
        server.close()
    assert SECRET.encode() not in server.received
    assert said in refused.value.message and SECRET not in refused.value.message
