"""Account sync against real PostgreSQL 15 and 18: the exact inventory, changes, partial reads, faults."""

from __future__ import annotations

import pytest

from tests.servers import SilentListener, free_port
from tests.sync_helpers import changes, exported, priv, register, role, sort_privileges, sync

pytestmark = pytest.mark.servers

COLLECTOR = ("wf_collector", "Coll3ctor-Pw!")
CLUSTER = [
    # The least-privileged collector of docs/collector-accounts.md: a login, and CONNECT where PUBLIC lacks it.
    "CREATE ROLE wf_collector LOGIN PASSWORD 'Coll3ctor-Pw!'",
    "CREATE ROLE wf_owner LOGIN PASSWORD 'pw-owner-1' CREATEDB",
    "CREATE ROLE wf_readers",
    "CREATE ROLE wf_writers",
    "CREATE ROLE wf_app_user LOGIN PASSWORD 'pw-app-1' CONNECTION LIMIT 10",
    "CREATE ROLE \"wf Mixed Case\" LOGIN PASSWORD 'pw-mixed-1'",
    'CREATE ROLE "wf o\'brien ""q""" LOGIN',
    'CREATE ROLE "wf semi;colon" LOGIN',
    'CREATE ROLE "wf_用户" LOGIN',
    "CREATE ROLE wf_expired LOGIN PASSWORD 'pw-expired-1' VALID UNTIL '2001-02-03 04:05:06+00'",
    "GRANT wf_readers TO wf_writers",
    "GRANT wf_writers TO wf_app_user WITH ADMIN OPTION",
    "GRANT pg_read_all_stats TO wf_readers",
    "CREATE DATABASE wf_app OWNER wf_owner",
    'CREATE DATABASE "wf space db" OWNER wf_owner',
    'REVOKE ALL ON DATABASE "wf space db" FROM PUBLIC',
    'GRANT CONNECT ON DATABASE "wf space db" TO wf_collector',
    'GRANT CONNECT, TEMPORARY ON DATABASE "wf space db" TO "wf Mixed Case"',
]
WF_APP = [
    "SET ROLE wf_owner",
    "CREATE SCHEMA sales",
    'CREATE SCHEMA "Mixed Schema"',
    'CREATE TABLE sales.orders (id int PRIMARY KEY, "select" int, amount numeric)',
    "CREATE VIEW sales.order_totals AS SELECT sum(amount) AS total FROM sales.orders",
    "CREATE SEQUENCE sales.invoice_seq",
    'CREATE TABLE "Mixed Schema"."Mixed Table" (id int, "Note" text)',
    "CREATE FUNCTION sales.total(a int) RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "CREATE FUNCTION sales.total(a int, b text) RETURNS int LANGUAGE sql AS 'SELECT 2'",
    "REVOKE EXECUTE ON FUNCTION sales.total(int, text) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION sales.total(int, text) TO wf_writers",
    "GRANT USAGE ON SCHEMA sales TO wf_readers",
    "GRANT SELECT ON sales.orders, sales.order_totals TO wf_readers",
    "GRANT INSERT, UPDATE ON sales.orders TO wf_writers WITH GRANT OPTION",
    'GRANT UPDATE ("select") ON sales.orders TO wf_app_user',
    "GRANT USAGE, SELECT ON SEQUENCE sales.invoice_seq TO wf_writers",
    'GRANT SELECT ON "Mixed Schema"."Mixed Table" TO "wf o\'brien ""q""", "wf semi;colon"',
    'GRANT INSERT ("Note") ON "Mixed Schema"."Mixed Table" TO "wf_用户"',
    "GRANT SELECT ON sales.order_totals TO PUBLIC",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA sales GRANT SELECT ON TABLES TO wf_readers",
    "ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO wf_writers",
    "RESET ROLE",
    'ALTER DEFAULT PRIVILEGES FOR ROLE wf_owner IN SCHEMA "Mixed Schema" GRANT USAGE ON SEQUENCES TO "wf Mixed Case"',
]
SPACE_DB = [
    "SET ROLE wf_owner",
    "CREATE TABLE public.notes (id int)",
    "GRANT SELECT ON public.notes TO wf_readers",
    "RESET ROLE",
]
FIXTURE_DATABASES = {"wf_app", "wf space db"}


def execute(server, statements, database="postgres"):
    with server.connect(database) as connection:
        for statement in statements:
            connection.execute(statement)


@pytest.fixture(scope="module")
def pg_fixture(postgres):
    execute(postgres, CLUSTER)
    execute(postgres, WF_APP, "wf_app")
    execute(postgres, SPACE_DB, "wf space db")
    with postgres.connect() as connection:
        version = connection.execute("SELECT current_setting('server_version_num')::int").fetchone()[0]
    return postgres, version


@pytest.fixture
def registered(app_context, pg_fixture):
    server, version = pg_fixture
    register("pg", "postgresql", server.port, *COLLECTOR)
    return server, version


ROLE_DEFAULTS = {
    "can_login": False,
    "superuser": False,
    "locked": False,
    "password_expired": False,
    "createdb": False,
    "createrole": False,
    "inherit": True,
    "replication": False,
    "bypassrls": False,
    "connection_limit": -1,
    "valid_until": None,
}


def account(name, kind="user", attributes=None, privileges=(), roles=()):
    base = {**ROLE_DEFAULTS, "can_login": kind == "user"}
    return {
        "instance": "pg",
        "engine": "postgresql",
        "name": name,
        "host": None,
        "kind": kind,
        "status": "active",
        "attributes": dict(sorted({**base, **(attributes or {})}.items())),
        "privileges": sort_privileges(list(privileges)),
        "roles": sorted(roles, key=lambda r: r["role"]),
    }


def expected_accounts(version: int) -> dict[str, dict]:
    membership_extras = {"inherit": True, "set": True} if version >= 160000 else None
    table_privileges = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]
    if version >= 170000:
        table_privileges.append("MAINTAIN")

    def owned_relation(schema, name, privileges, level="table", extras=None):
        rows = [priv("OWNER", level, "wf_app", schema, name, grantable=True, extras=extras)]
        return rows + [priv(p, level, "wf_app", schema, name, extras=extras) for p in privileges]

    owner_rows = [
        *(priv(p, "database", db) for db in FIXTURE_DATABASES for p in ("CONNECT", "CREATE", "TEMPORARY")),
        *(priv("OWNER", "database", db, grantable=True) for db in FIXTURE_DATABASES),
        *(priv(p, "schema", "wf_app", s) for s in ("sales", "Mixed Schema") for p in ("USAGE", "CREATE")),
        *(priv("OWNER", "schema", "wf_app", s, grantable=True) for s in ("sales", "Mixed Schema")),
        *owned_relation("sales", "orders", table_privileges),
        *owned_relation("sales", "order_totals", table_privileges, extras={"object_type": "view"}),
        *owned_relation("Mixed Schema", "Mixed Table", table_privileges),
        *owned_relation("sales", "invoice_seq", ["USAGE", "SELECT", "UPDATE"], level="sequence"),
        *owned_relation("sales", "total(a integer)", ["EXECUTE"], level="routine"),
        *owned_relation("sales", "total(a integer, b text)", ["EXECUTE"], level="routine"),
        priv("EXECUTE", "default", "wf_app", None, "FUNCTIONS", extras={"for_role": "wf_owner"}),
        priv("OWNER", "table", "wf space db", "public", "notes", grantable=True),
        *(priv(p, "table", "wf space db", "public", "notes") for p in table_privileges),
    ]
    rows = [
        account("wf_collector", privileges=[priv("CONNECT", "database", "wf space db")]),
        account("wf_owner", attributes={"createdb": True}, privileges=owner_rows),
        account(
            "wf_readers",
            "role",
            privileges=[
                priv("USAGE", "schema", "wf_app", "sales"),
                priv("SELECT", "table", "wf_app", "sales", "orders"),
                priv("SELECT", "table", "wf_app", "sales", "order_totals", extras={"object_type": "view"}),
                priv("SELECT", "default", "wf_app", "sales", "TABLES", extras={"for_role": "wf_owner"}),
                priv("SELECT", "table", "wf space db", "public", "notes"),
            ],
            roles=[role("pg_read_all_stats", extras=membership_extras)],
        ),
        account(
            "wf_writers",
            "role",
            privileges=[
                priv("INSERT", "table", "wf_app", "sales", "orders", grantable=True),
                priv("UPDATE", "table", "wf_app", "sales", "orders", grantable=True),
                priv("USAGE", "sequence", "wf_app", "sales", "invoice_seq"),
                priv("SELECT", "sequence", "wf_app", "sales", "invoice_seq"),
                priv("EXECUTE", "routine", "wf_app", "sales", "total(a integer, b text)"),
                priv("EXECUTE", "default", "wf_app", None, "FUNCTIONS", extras={"for_role": "wf_owner"}),
            ],
            roles=[role("wf_readers", extras=membership_extras)],
        ),
        account(
            "wf_app_user",
            attributes={"connection_limit": 10},
            privileges=[priv("UPDATE", "column", "wf_app", "sales", "orders", "select")],
            roles=[role("wf_writers", admin=True, extras=membership_extras)],
        ),
        account(
            "wf Mixed Case",
            privileges=[
                priv("CONNECT", "database", "wf space db"),
                priv("TEMPORARY", "database", "wf space db"),
                priv("USAGE", "default", "wf_app", "Mixed Schema", "SEQUENCES", extras={"for_role": "wf_owner"}),
            ],
        ),
        account('wf o\'brien "q"', privileges=[priv("SELECT", "table", "wf_app", "Mixed Schema", "Mixed Table")]),
        account("wf semi;colon", privileges=[priv("SELECT", "table", "wf_app", "Mixed Schema", "Mixed Table")]),
        account("wf_用户", privileges=[priv("INSERT", "column", "wf_app", "Mixed Schema", "Mixed Table", "Note")]),
        account(
            "wf_expired",
            attributes={"password_expired": True, "valid_until": "2001-02-03T04:05:06+00:00"},
        ),
    ]
    public = account(
        "PUBLIC",
        "role",
        attributes={"can_login": False, "pseudo": True},
        privileges=[
            priv("CONNECT", "database", "wf_app"),
            priv("TEMPORARY", "database", "wf_app"),
            priv("SELECT", "table", "wf_app", "sales", "order_totals", extras={"object_type": "view"}),
            priv("EXECUTE", "routine", "wf_app", "sales", "total(a integer)"),
            priv("EXECUTE", "default", "wf_app", None, "FUNCTIONS", extras={"for_role": "wf_owner"}),
        ],
    )
    public["attributes"] = {"can_login": False, "locked": False, "password_expired": False, "pseudo": True,
                            "superuser": False}  # fmt: skip
    rows.append(public)
    return {row["name"]: row for row in rows}


def in_fixture(account: dict) -> dict:
    """PUBLIC holds rows in every database of the shared server (and on every public schema): keep the fixture's."""

    def ours(p: dict) -> bool:
        return p["database"] in FIXTURE_DATABASES and p["schema"] != "public"

    return {**account, "privileges": [p for p in account["privileges"] if ours(p)]}


def test_full_inventory_through_the_least_privileged_collector(registered):
    server, version = registered
    session, records = sync("pg")
    record = records["pg"]
    assert (session.status, record.status, record.error) == ("succeeded", "succeeded", None)

    inventory = {name: account for (name, _host), account in exported("pg").items()}
    expected = expected_accounts(version)
    actual = {name: inventory.get(name) for name in expected}
    actual["PUBLIC"] = in_fixture(actual["PUBLIC"])
    assert actual == expected
    assert {"postgres", "pg_read_all_stats", "pg_database_owner"} <= inventory.keys()
    assert inventory["postgres"]["attributes"]["superuser"] is True
    # Bulk reads: four cluster-wide queries, then four per database, whatever the number of roles.
    with server.connect() as connection:
        databases = connection.execute(
            "SELECT count(*) FROM pg_database WHERE datallowconn AND NOT datistemplate"
        ).fetchone()[0]
    assert record.queries == 4 + 4 * databases


def test_unchanged_resync_writes_nothing(registered):
    sync("pg")
    session, records = sync("pg")
    record = records["pg"]
    assert (record.created, record.updated, record.deleted, record.changes) == (0, 0, 0, 0)
    assert record.unchanged == record.found
    assert changes(session.id) == []


def test_every_change_is_logged_exactly(registered):
    server, version = registered
    execute(server, ["CREATE ROLE wf_chg_user LOGIN", "CREATE ROLE wf_chg_gone", "CREATE ROLE wf_chg_role"])
    execute(server, ["GRANT SELECT ON sales.orders TO wf_chg_user"], "wf_app")
    try:
        sync("pg")
        execute(
            server,
            [
                "GRANT wf_chg_role TO wf_chg_user",
                "ALTER ROLE wf_chg_user NOLOGIN VALID UNTIL '2002-01-01 00:00:00+00'",
                "DROP ROLE wf_chg_gone",
                "CREATE ROLE wf_chg_new",
            ],
        )
        execute(
            server,
            [
                "REVOKE SELECT ON sales.orders FROM wf_chg_user",
                'GRANT SELECT ("select") ON sales.orders TO wf_chg_user',
            ],
            "wf_app",
        )
        session, records = sync("pg")
        assert records["pg"].status == "succeeded"
        extras = {"inherit": True, "set": True} if version >= 160000 else None
        ours = [c for c in changes(session.id) if c[1].startswith("wf_chg_")]
        assert ours == [
            ("account_deleted", "wf_chg_gone", "", {}),
            ("account_created", "wf_chg_new", "", {"privileges": 0, "roles": []}),
            ("attribute_changed", "wf_chg_user", "", {"attribute": "can_login", "old": True, "new": False}),
            ("attribute_changed", "wf_chg_user", "", {"attribute": "kind", "old": "user", "new": "role"}),
            ("attribute_changed", "wf_chg_user", "", {"attribute": "password_expired", "old": False, "new": True}),
            ("attribute_changed", "wf_chg_user", "", {"attribute": "valid_until", "old": None,
                                                      "new": "2002-01-01T00:00:00+00:00"}),
            ("privilege_granted", "wf_chg_user", "", priv("SELECT", "column", "wf_app", "sales", "orders", "select")),
            ("privilege_revoked", "wf_chg_user", "", priv("SELECT", "table", "wf_app", "sales", "orders")),
            ("role_granted", "wf_chg_user", "", role("wf_chg_role", extras=extras)),
        ]  # fmt: skip
        inventory = exported("pg")
        assert inventory[("wf_chg_user", None)]["kind"] == "role"  # NOLOGIN: the same account, now a role
        assert inventory[("wf_chg_gone", None)]["status"] == "deleted"
    finally:
        execute(server, ["REVOKE ALL ON sales.orders FROM wf_chg_user"], "wf_app")
        execute(
            server,
            ["DROP ROLE IF EXISTS wf_chg_user", "DROP ROLE IF EXISTS wf_chg_new", "DROP ROLE IF EXISTS wf_chg_role"],
        )


def test_an_unreadable_database_keeps_its_stored_privileges(registered):
    """A database the collector may no longer enter: status partial, its rows untouched, the rest synced."""
    server, _ = registered
    sync("pg")
    before = exported("pg")
    execute(server, ['REVOKE CONNECT ON DATABASE "wf space db" FROM wf_collector'])
    execute(server, ["SET ROLE wf_owner", "REVOKE SELECT ON public.notes FROM wf_readers", "RESET ROLE"], "wf space db")
    execute(server, ["CREATE ROLE wf_while_partial"])
    try:
        session, records = sync("pg")
        record = records["pg"]
        assert (session.status, record.status) == ("partial", "partial")
        assert record.error.startswith("database 'wf space db' unreadable: PostgreSQL at 127.0.0.1")
        assert 'permission denied for database "wf space db"' in record.error
        assert record.unreadable[0]["database"] == "wf space db"
        logged = changes(session.id)
        # What could be read changed (the collector lost CONNECT, a role appeared); the unreadable database did not.
        assert ("account_created", "wf_while_partial", "", {"privileges": 0, "roles": []}) in logged
        assert ("privilege_revoked", "wf_collector", "", priv("CONNECT", "database", "wf space db")) in logged
        assert not [c for c in logged if c[3].get("database") == "wf space db" and c[1] != "wf_collector"]
        after = exported("pg")
        assert after[("wf_readers", None)] == before[("wf_readers", None)]

        execute(server, ['GRANT CONNECT ON DATABASE "wf space db" TO wf_collector'])
        session, records = sync("pg")
        assert records["pg"].status == "succeeded"
        assert ("privilege_revoked", "wf_readers", "", priv("SELECT", "table", "wf space db", "public", "notes")) in (
            changes(session.id)
        )
    finally:
        execute(
            server, ['GRANT CONNECT ON DATABASE "wf space db" TO wf_collector', "DROP ROLE IF EXISTS wf_while_partial"]
        )
        execute(
            server, ["SET ROLE wf_owner", "GRANT SELECT ON public.notes TO wf_readers", "RESET ROLE"], "wf space db"
        )


def test_faults_fail_precisely_while_others_succeed_and_nothing_is_lost(registered):
    server, _ = registered
    listener = SilentListener()
    closed_port = free_port()
    try:
        register("pg-wrong-pw", "postgresql", server.port, COLLECTOR[0], "not-the-password")
        register("pg-closed", "postgresql", closed_port, *COLLECTOR)
        register("pg-hangs", "postgresql", listener.port, *COLLECTOR)
        sync("pg")
        before = exported("pg")
        session, records = sync()
    finally:
        listener.close()
    assert session.status == "partial"
    assert records["pg"].status == "succeeded"
    assert records["pg-wrong-pw"].error == (
        f'PostgreSQL at 127.0.0.1:{server.port}: authentication failed: connection to server at "127.0.0.1", '
        f'port {server.port} failed: FATAL:  password authentication failed for user "wf_collector"'
    )
    assert records["pg-closed"].error.startswith(f"PostgreSQL at 127.0.0.1:{closed_port} is unreachable:")
    assert records["pg-hangs"].error.startswith(f"PostgreSQL at 127.0.0.1:{listener.port}: timed out after 3s")
    assert exported("pg") == before
