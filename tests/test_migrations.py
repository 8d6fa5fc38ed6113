"""Alembic migrations run on SQLite and on real PostgreSQL (15 and 18), and match the models exactly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import make_env
from whalefall.app import create_app
from whalefall.core.config import Settings
from whalefall.core.extensions import db
from whalefall.models import include_in_autogenerate

TABLES = {
    "accounts",
    "account_changes",
    "account_privileges",
    "account_role_memberships",
    "alembic_version",
    "api_tokens",
    "audit_events",
    "credentials",
    "instance_tags",
    "instances",
    "job_runs",
    "scheduled_jobs",
    "sync_records",
    "sync_sessions",
    "tags",
    "users",
}


def _check_round_trip(app):
    with app.app_context():
        upgrade()
        assert set(inspect(db.engine).get_table_names()) == TABLES
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include_in_autogenerate}
            )
            assert compare_metadata(context, db.metadata) == []
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
        upgrade()
        db.engine.dispose()


def test_migrations_on_sqlite(tmp_path):
    _check_round_trip(create_app(Settings.from_env(make_env(tmp_path))))


@pytest.mark.servers
def test_migrations_on_postgresql(tmp_path, postgres):
    database = postgres.create_database(f"wf_migrations_{tmp_path.name[-12:].replace('-', '_')}")
    _check_round_trip(create_app(Settings.from_env(make_env(tmp_path, DATABASE_URL=postgres.url(database)))))
