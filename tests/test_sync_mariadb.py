"""Account sync against a real MariaDB: the exact inventory, the exact change log, faults, least privilege."""

from __future__ import annotations

import re

import pytest

from tests.servers import SilentListener, free_port
from tests.sync_helpers import changes, exported, priv, register, role, sort_privileges, sync
from whalefall.engines.mysql_grants import MARIADB_ACCESS_BITS

pytestmark = pytest.mark.servers

COLLECTOR = ("wf_collector", "Coll3ctor-Pw!")
# The least-privileged collector of docs/collector-accounts.md, verbatim.
COLLECTOR_GRANTS = [
    "CREATE USER 'wf_collector'@'%' IDENTIFIED BY 'Coll3ctor-Pw!'",
    "GRANT SELECT ON mysql.global_priv TO 'wf_collector'@'%'",
    "GRANT SELECT ON mysql.db TO 'wf_collector'@'%'",
    "GRANT SELECT ON mysql.tables_priv TO 'wf_collector'@'%'",
    "GRANT SELECT ON mysql.columns_priv TO 'wf_collector'@'%'",
    "GRANT SELECT ON mysql.procs_priv TO 'wf_collector'@'%'",
    "GRANT SELECT ON mysql.proxies_priv TO 'wf_collector'@'%'",
    "GRANT SELECT ON mysql.roles_mapping TO 'wf_collector'@'%'",
]
FIXTURE = [
    "CREATE DATABASE wf_app",
    "CREATE DATABASE `wf space db`",
    "CREATE TABLE wf_app.orders (id INT PRIMARY KEY, `select` INT, `Amount` DECIMAL(10,2))",
    "CREATE TABLE `wf space db`.`Mixed Table` (id INT, note TEXT)",
    "CREATE PROCEDURE wf_app.refresh_totals() SELECT 1",
    "CREATE FUNCTION wf_app.double_it(x INT) RETURNS INT DETERMINISTIC RETURN x * 2",
    "CREATE ROLE wf_role_base",
    "CREATE ROLE wf_role_top",
    "GRANT SELECT ON wf_app.* TO wf_role_base",
    "GRANT wf_role_base TO wf_role_top",
    "GRANT INSERT ON wf_app.orders TO wf_role_top WITH GRANT OPTION",
    "CREATE USER 'wf_app_rw'@'%' IDENTIFIED BY 'pw-app-rw-1' WITH MAX_QUERIES_PER_HOUR 1000 MAX_USER_CONNECTIONS 20",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON wf_app.* TO 'wf_app_rw'@'%'",
    "GRANT wf_role_top TO 'wf_app_rw'@'%' WITH ADMIN OPTION",
    "SET DEFAULT ROLE wf_role_top FOR 'wf_app_rw'@'%'",
    "CREATE USER 'wf_col_reader'@'10.0.%' IDENTIFIED BY 'pw-col-1'",
    "GRANT SELECT (`select`, id), UPDATE (`Amount`) ON wf_app.orders TO 'wf_col_reader'@'10.0.%'",
    "CREATE USER 'wf_granter'@'localhost' IDENTIFIED BY 'pw-granter-1' REQUIRE SSL",
    "GRANT SELECT ON `wf space db`.* TO 'wf_granter'@'localhost' WITH GRANT OPTION",
    "CREATE USER 'wf_locked'@'%' IDENTIFIED BY 'pw-locked-1' ACCOUNT LOCK",
    "CREATE USER 'wf_expired'@'%' IDENTIFIED BY 'pw-expired-1' PASSWORD EXPIRE",
    "CREATE USER 'wf_proxy'@'%' IDENTIFIED BY 'pw-proxy-1'",
    "GRANT PROXY ON 'wf_app_rw'@'%' TO 'wf_proxy'@'%'",
    "CREATE USER 'wf_exec'@'%' IDENTIFIED BY 'pw-exec-1'",
    "GRANT EXECUTE ON PROCEDURE wf_app.refresh_totals TO 'wf_exec'@'%'",
    "GRANT EXECUTE, ALTER ROUTINE ON FUNCTION wf_app.double_it TO 'wf_exec'@'%' WITH GRANT OPTION",
    "CREATE USER 'wf_ops'@'%' IDENTIFIED BY 'pw-ops-1'",
    "GRANT PROCESS, BINLOG MONITOR, SLAVE MONITOR ON *.* TO 'wf_ops'@'%'",
    "CREATE USER 'wf_super'@'localhost' IDENTIFIED BY 'pw-super-1'",
    "GRANT ALL PRIVILEGES ON *.* TO 'wf_super'@'localhost' WITH GRANT OPTION",
    "CREATE USER 'wf o''brien \"q\"'@'%' IDENTIFIED BY 'pw-quotes-1'",
    "CREATE USER 'wf semi;colon'@'%' IDENTIFIED BY 'pw-semi-1'",
    "CREATE USER 'wf_数据库用户'@'%' IDENTIFIED BY 'pw-cjk-1'",
    "CREATE USER 'WF_MixedCase'@'%' IDENTIFIED BY 'pw-mixed-1'",
    "GRANT SELECT ON `wf space db`.`Mixed Table` TO 'wf o''brien \"q\"'@'%'",
    "GRANT INSERT (note) ON `wf space db`.`Mixed Table` TO 'wf semi;colon'@'%'",
    "GRANT SELECT ON wf_app.* TO 'wf_数据库用户'@'%'",
    "GRANT DELETE ON wf_app.orders TO 'WF_MixedCase'@'%'",
    "GRANT SELECT ON `wf space db`.* TO PUBLIC",
]

USER_DEFAULTS = {
    "can_login": True,
    "superuser": False,
    "locked": False,
    "password_expired": False,
    "can_grant": False,
    "auth_plugin": "mysql_native_password",
    "max_connections": 0,
    "max_questions": 0,
    "max_statement_time": 0.0,
    "max_updates": 0,
    "max_user_connections": 0,
}
ROLE_ATTRIBUTES = {
    "can_login": False,
    "superuser": False,
    "locked": False,
    "password_expired": False,
    "can_grant": False,
}


def account(name, host, kind="user", attributes=None, privileges=(), roles=()):
    base = USER_DEFAULTS if kind == "user" else ROLE_ATTRIBUTES
    return {
        "instance": "mariadb",
        "engine": "mysql",
        "name": name,
        "host": host,
        "kind": kind,
        "status": "active",
        "attributes": dict(sorted({**base, **(attributes or {})}.items())),
        "privileges": sort_privileges(list(privileges)),
        "roles": list(roles),
    }


def expected_accounts(server_version: tuple[int, int]) -> dict:
    mysql_tables = ["columns_priv", "db", "global_priv", "procs_priv", "proxies_priv", "roles_mapping", "tables_priv"]
    every_global = [p for p in MARIADB_ACCESS_BITS if p != "GRANT OPTION"]
    if server_version < (11, 3):
        every_global.remove("SHOW CREATE ROUTINE")
    rows = [
        account("wf_collector", "%", privileges=[priv("SELECT", "table", "mysql", obj=t) for t in mysql_tables]),
        account("wf_role_base", "", "role", privileges=[priv("SELECT", "database", "wf_app")]),
        account(
            "wf_role_top",
            "",
            "role",
            privileges=[priv("INSERT", "table", "wf_app", obj="orders", grantable=True)],
            roles=[role("wf_role_base")],
        ),
        account(
            "wf_app_rw",
            "%",
            attributes={"max_questions": 1000, "max_user_connections": 20},
            privileges=[priv(p, "database", "wf_app") for p in ("SELECT", "INSERT", "UPDATE", "DELETE")],
            roles=[role("wf_role_top", admin=True, default=True)],
        ),
        account(
            "wf_col_reader",
            "10.0.%",
            privileges=[
                priv("SELECT", "column", "wf_app", obj="orders", column="select"),
                priv("SELECT", "column", "wf_app", obj="orders", column="id"),
                priv("UPDATE", "column", "wf_app", obj="orders", column="Amount"),
            ],
        ),
        account(
            "wf_granter",
            "localhost",
            attributes={"ssl_type": "ANY"},
            privileges=[priv("SELECT", "database", "wf space db", grantable=True)],
        ),
        account("wf_locked", "%", attributes={"locked": True}),
        account("wf_expired", "%", attributes={"password_expired": True}),
        account("wf_proxy", "%", privileges=[priv("PROXY", "proxy", obj="wf_app_rw", extras={"proxied_host": "%"})]),
        account(
            "wf_exec",
            "%",
            privileges=[
                priv("EXECUTE", "routine", "wf_app", obj="refresh_totals", extras={"routine_type": "PROCEDURE"}),
                priv(
                    "EXECUTE", "routine", "wf_app", obj="double_it", grantable=True, extras={"routine_type": "FUNCTION"}
                ),
                priv(
                    "ALTER ROUTINE",
                    "routine",
                    "wf_app",
                    obj="double_it",
                    grantable=True,
                    extras={"routine_type": "FUNCTION"},
                ),
            ],
        ),
        account("wf_ops", "%", privileges=[priv(p, "global") for p in ("PROCESS", "BINLOG MONITOR", "SLAVE MONITOR")]),
        account(
            "wf_super",
            "localhost",
            attributes={"superuser": True, "can_grant": True},
            privileges=[priv(p, "global", grantable=True) for p in every_global],
        ),
        account('wf o\'brien "q"', "%", privileges=[priv("SELECT", "table", "wf space db", obj="Mixed Table")]),
        account(
            "wf semi;colon", "%", privileges=[priv("INSERT", "column", "wf space db", obj="Mixed Table", column="note")]
        ),
        account("wf_数据库用户", "%", privileges=[priv("SELECT", "database", "wf_app")]),
        account("WF_MixedCase", "%", privileges=[priv("DELETE", "table", "wf_app", obj="orders")]),
        account("PUBLIC", "", "role", {"pseudo": True}, privileges=[priv("SELECT", "database", "wf space db")]),
    ]
    return {(row["name"], row["host"]): row for row in rows}


def execute(server, statements):
    server.execute(statements)


@pytest.fixture(scope="module")
def mariadb_fixture(mariadb):
    execute(mariadb, COLLECTOR_GRANTS + FIXTURE)
    connection = mariadb.connect()
    with connection.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        version = tuple(int(part) for part in re.match(r"(\d+)\.(\d+)", cursor.fetchone()[0]).groups())
    connection.close()
    return mariadb, version


@pytest.fixture
def registered(app_context, mariadb_fixture):
    server, version = mariadb_fixture
    register("mariadb", "mysql", server.port, *COLLECTOR)
    return server, version


def test_full_inventory_through_the_least_privileged_collector(registered):
    _server, version = registered
    session, records = sync("mariadb")
    record = records["mariadb"]
    assert (session.status, record.status, record.error) == ("succeeded", "succeeded", None)

    inventory = exported("mariadb")
    expected = expected_accounts(version)
    assert {key: inventory.get(key) for key in expected} == expected
    others = {name for name, _host in inventory.keys() - expected.keys()}
    assert others <= {"root", "mariadb.sys"} | {name for name, _ in _mutation_accounts()}
    assert record.found == len(inventory) and record.created == len(inventory)
    # Bulk reads: a fixed number of queries whatever the number of accounts.
    assert record.queries == 10


def test_unchanged_resync_writes_nothing(registered):
    sync("mariadb")
    session, records = sync("mariadb")
    record = records["mariadb"]
    assert (record.status, record.created, record.updated, record.deleted, record.changes) == ("succeeded", 0, 0, 0, 0)
    assert record.unchanged == record.found
    assert changes(session.id) == []


def test_export_is_byte_identical_for_the_same_state(registered, cli):
    sync("mariadb")
    first = cli.invoke(args=["accounts", "export", "--instance", "mariadb", "--format", "json"]).output
    sync("mariadb")
    second = cli.invoke(args=["accounts", "export", "--instance", "mariadb", "--format", "json"]).output
    assert first == second and '"name": "wf_数据库用户"' in first
    csv_first = cli.invoke(args=["accounts", "export", "--format", "csv"]).output
    assert csv_first == cli.invoke(args=["accounts", "export", "--format", "csv"]).output
    assert csv_first.splitlines()[0].startswith("instance,engine,name,host,kind,status,record,privilege,level")


def _mutation_accounts():
    return [("wf_chg_user", "%"), ("wf_chg_gone", "%"), ("wf_chg_role", ""), ("wf_chg_new", "%")]


def test_every_change_is_logged_exactly(registered):
    server, _ = registered
    execute(
        server,
        [
            "CREATE ROLE wf_chg_role",
            "CREATE USER 'wf_chg_user'@'%' IDENTIFIED BY 'pw-chg-1'",
            "GRANT SELECT ON wf_app.* TO 'wf_chg_user'@'%'",
            "CREATE USER 'wf_chg_gone'@'%' IDENTIFIED BY 'pw-chg-2'",
        ],
    )
    try:
        sync("mariadb")
        execute(
            server,
            [
                "GRANT UPDATE (`select`) ON wf_app.orders TO 'wf_chg_user'@'%'",
                "REVOKE SELECT ON wf_app.* FROM 'wf_chg_user'@'%'",
                "GRANT wf_chg_role TO 'wf_chg_user'@'%'",
                "ALTER USER 'wf_chg_user'@'%' ACCOUNT LOCK",
                "DROP USER 'wf_chg_gone'@'%'",
                "CREATE USER 'wf_chg_new'@'%' IDENTIFIED BY 'pw-chg-3'",
            ],
        )
        session, records = sync("mariadb")
        assert records["mariadb"].status == "succeeded"
        ours = [c for c in changes(session.id) if c[1].startswith("wf_chg_")]
        assert ours == [
            ("account_deleted", "wf_chg_gone", "%", {}),
            ("account_created", "wf_chg_new", "%", {"privileges": 0, "roles": []}),
            ("attribute_changed", "wf_chg_user", "%", {"attribute": "locked", "old": False, "new": True}),
            (
                "privilege_granted",
                "wf_chg_user",
                "%",
                priv("UPDATE", "column", "wf_app", obj="orders", column="select"),
            ),
            ("privilege_revoked", "wf_chg_user", "%", priv("SELECT", "database", "wf_app")),
            ("role_granted", "wf_chg_user", "%", role("wf_chg_role")),
        ]
        # The role's own row changed too: root (its creator) holds it with admin option, which is not ours to judge.
        execute(server, ["REVOKE wf_chg_role FROM 'wf_chg_user'@'%'", "CREATE USER 'wf_chg_gone'@'%'"])
        session, _ = sync("mariadb")
        ours = [c for c in changes(session.id) if c[1].startswith("wf_chg_")]
        assert ours == [
            ("account_restored", "wf_chg_gone", "%", {}),
            ("role_revoked", "wf_chg_user", "%", role("wf_chg_role")),
        ]
        inventory = exported("mariadb")
        assert inventory[("wf_chg_gone", "%")]["status"] == "active"
    finally:
        execute(
            server,
            [
                "DROP USER IF EXISTS 'wf_chg_user'@'%', 'wf_chg_gone'@'%', 'wf_chg_new'@'%'",
                "DROP ROLE IF EXISTS wf_chg_role",
            ],
        )


def test_each_global_privilege_is_decoded_to_its_own_name(app_context, mariadb_fixture):
    """One user per privilege, one sync: checks the access-bit table against the server itself."""
    server, version = mariadb_fixture
    names = [p for p in MARIADB_ACCESS_BITS if p != "GRANT OPTION"]
    if version < (11, 3):
        names.remove("SHOW CREATE ROUTINE")
    users = {f"wf_bit_{index}": name for index, name in enumerate(names)}
    execute(server, [f"CREATE USER '{user}'@'%'" for user in users])
    try:
        execute(server, [f"GRANT {name} ON *.* TO '{user}'@'%'" for user, name in users.items()])
        register("bits", "mysql", server.port, *COLLECTOR)
        sync("bits")
        inventory = exported("bits")
        decoded = {user: [p["privilege"] for p in inventory[(user, "%")]["privileges"]] for user in users}
        assert decoded == {user: [name] for user, name in users.items()}
    finally:
        execute(server, [f"DROP USER IF EXISTS '{user}'@'%'" for user in users])


def test_faults_fail_precisely_while_others_succeed_and_nothing_is_lost(registered):
    server, _ = registered
    listener = SilentListener()
    closed_port = free_port()
    try:
        register("wrong-pw", "mysql", server.port, COLLECTOR[0], "not-the-password")
        register("closed", "mysql", closed_port, *COLLECTOR)
        register("hangs", "mysql", listener.port, *COLLECTOR)
        sync("mariadb")
        before = exported("mariadb")

        session, records = sync()
    finally:
        listener.close()
    assert session.status == "partial"
    assert records["mariadb"].status == "succeeded"
    assert records["wrong-pw"].status == "failed"
    assert records["wrong-pw"].error.startswith(
        f"MySQL at 127.0.0.1:{server.port}: access denied: Access denied for user"
    )
    assert records["closed"].status == "failed"
    assert records["closed"].error.startswith(f"MySQL at 127.0.0.1:{closed_port} is unreachable:")
    assert "Connection refused" in records["closed"].error
    assert records["hangs"].status == "failed"
    assert records["hangs"].error.startswith(f"MySQL at 127.0.0.1:{listener.port}: timed out after 3s")
    assert exported("mariadb") == before
    assert exported("wrong-pw") == {}


def test_a_failed_read_keeps_the_stored_state_untouched(registered, app_context):
    """Sync once, then break the credential: the failed sync must neither delete nor revoke anything."""
    from whalefall.core.extensions import db
    from whalefall.services.credentials import cipher
    from whalefall.services.instances import get_instance

    sync("mariadb")
    before = exported("mariadb")
    instance = get_instance("mariadb")
    instance.credential.password_encrypted = cipher().encrypt("wrong-now")
    db.session.commit()
    session, records = sync("mariadb")
    assert (session.status, records["mariadb"].status) == ("failed", "failed")
    assert exported("mariadb") == before
    assert changes(session.id) == []
