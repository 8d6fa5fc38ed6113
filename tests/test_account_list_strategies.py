"""The explorer answers a selective filter by matching first and sorting the matches, a broad one by walking the
sort order's index: both strategies must give the same pages, on SQLite and on PostgreSQL (where the first one is
an optimization fence, and the name search has a GiST trigram index)."""

from __future__ import annotations

import itertools

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from tests.conftest import make_env
from whalefall.app import create_app
from whalefall.core.config import Settings
from whalefall.core.extensions import db
from whalefall.engines.inventory import Inventory, Privilege, RoleMembership, make_account
from whalefall.services import inventory_queries as queries
from whalefall.services.account_store import store_inventory
from whalefall.services.instances import InstanceInput, add_instance

ATTRIBUTES = {"can_login": True, "superuser": False, "locked": False, "password_expired": False}
FILTERS = [
    queries.AccountFilter(),
    queries.AccountFilter(name="app_1"),
    queries.AccountFilter(name="_"),  # a literal underscore, not a wildcard
    queries.AccountFilter(privilege="select", level="column"),
    queries.AccountFilter(instance="pg-2", kind="user"),
    queries.AccountFilter(role="readers", locked=False),
    queries.AccountFilter(name="nobody-has-this"),
]


def populate() -> None:
    for number in range(3):
        instance = add_instance(InstanceInput(f"pg-{number}", "postgresql", "db.example", 5432, "u", "p"))
        accounts = [
            make_account(
                f"{prefix}{n:02d}",
                "role" if n % 5 == 0 else "user",
                {**ATTRIBUTES, "locked": n % 7 == 0},
                [Privilege("SELECT", "column", "shop", "public", "orders", f"c{n % 3}")] if n % 2 else [],
                [RoleMembership("readers")] if n % 3 == 0 else [],
            )
            for prefix, n in itertools.product(("app_", "App-", "ops"), range(25))
        ]
        store_inventory(instance, Inventory("postgresql", "16", accounts), None)
    db.session.commit()


def pages_by_each_strategy(monkeypatch) -> None:
    for criteria, sort, page in itertools.product(FILTERS, ("name", "-changed_at", "instance", "-kind"), (1, 2, 9)):
        results = []
        for threshold in (0, 10**9):  # always walk the order, always match first
            monkeypatch.setattr(queries, "SELECTIVE_MATCHES", threshold)
            result = queries.list_accounts(criteria, sort=sort, page=page, per_page=13)
            results.append((result.total, [item["id"] for item in result.items]))
        assert results[0] == results[1], (criteria, sort, page)
        if criteria.name == "_":
            assert results[0][0] == 75  # the app_NN accounts of three instances, not every account


def test_both_strategies_agree_on_sqlite(app_context, monkeypatch):
    populate()
    pages_by_each_strategy(monkeypatch)


@pytest.mark.servers
def test_both_strategies_agree_on_postgresql(tmp_path, postgres15, monkeypatch):
    database = postgres15.create_database(f"wf_strategies_{tmp_path.name[-12:].replace('-', '_')}")
    app = create_app(Settings.from_env(make_env(tmp_path, DATABASE_URL=postgres15.url(database))))
    with app.app_context():
        upgrade()
        method = db.session.execute(
            text("SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam WHERE c.relname = :name"),
            {"name": "ix_accounts_name_trgm"},
        ).scalar()
        assert method == "gist"
        populate()
        pages_by_each_strategy(monkeypatch)
        db.session.remove()
        db.engine.dispose()
