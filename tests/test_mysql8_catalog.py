"""MySQL 8.0/8.4 specifics, on grant-table rows shaped exactly as MySQL 8 returns them through PyMySQL.

No MySQL 8 server runs on this project's machines (see README): these rows were written from MySQL 8's
``mysql.user``, ``mysql.global_grants``, ``mysql.role_edges`` and ``mysql.default_roles`` definitions.
"""

from __future__ import annotations

import datetime as dt

from tests.fake_dbapi import FakeConnection
from whalefall.engines.base import ConnectionSettings
from whalefall.engines.mysql import MySQLAdapter, read_grant_tables
from whalefall.engines.mysql_grants import PRIVILEGE_COLUMNS, build_accounts

STATIC_COLUMNS = [c for c in PRIVILEGE_COLUMNS if c not in ("Delete_history_priv", "Show_create_routine_priv")]


def user_row(user, host, privileges=(), grant=False, **overrides):
    """A mysql.user row of MySQL 8.0: every *_priv column 'Y'/'N', the account columns as PyMySQL returns them."""
    row = {"Host": host, "User": user}
    for column in STATIC_COLUMNS:
        row[column] = "Y" if PRIVILEGE_COLUMNS[column] in privileges else "N"
    row["Grant_priv"] = "Y" if grant else "N"
    row.update(
        {
            "ssl_type": "",
            "ssl_cipher": b"",
            "x509_issuer": b"",
            "x509_subject": b"",
            "max_questions": 0,
            "max_updates": 0,
            "max_connections": 0,
            "max_user_connections": 0,
            "plugin": "caching_sha2_password",
            "authentication_string": "$A$005$secret-hash-never-kept",
            "password_expired": "N",
            "password_last_changed": dt.datetime(2025, 3, 4, 5, 6, 7),
            "password_lifetime": None,
            "account_locked": "N",
            "Password_reuse_history": None,
            "Password_reuse_time": None,
            "Password_require_current": None,
            "User_attributes": None,
        }
    )
    row.update(overrides)
    return row


DB_COLUMNS = ["Select_priv", "Insert_priv", "Update_priv", "Delete_priv", "Create_priv", "Drop_priv", "Grant_priv",
              "References_priv", "Index_priv", "Alter_priv", "Create_tmp_table_priv", "Lock_tables_priv",
              "Create_view_priv", "Show_view_priv", "Create_routine_priv", "Alter_routine_priv", "Execute_priv",
              "Event_priv", "Trigger_priv"]  # fmt: skip


def db_row(user, host, database, granted):
    """A mysql.db row of MySQL 8.0 (its 19 privilege columns, 'Y'/'N')."""
    return {"Host": host, "Db": database, "User": user} | {c: "Y" if c in granted else "N" for c in DB_COLUMNS}


ROWS = {
    "SELECT VERSION()": [{"VERSION()": "8.0.36"}],
    "SELECT * FROM mysql.user": [
        user_row("root", "localhost", set(PRIVILEGE_COLUMNS.values()), grant=True),
        user_row("app", "%", {"PROCESS"}, max_user_connections=5, ssl_type="X509"),
        user_row(
            "dba",
            "10.%",
            {"SELECT", "INSERT"},
            User_attributes='{"Restrictions": [{"Database": "mysql", "Privileges": ["SELECT", "INSERT"]}]}',
        ),
        user_row("r_read", "%", account_locked="Y", password_expired="Y", plugin="caching_sha2_password"),
        user_row("r_admin", "%", account_locked="Y", password_expired="Y"),
        user_row("gone", "%", account_locked="Y", password_expired="N", password_lifetime=90),
    ],
    "SELECT USER, HOST, PRIV, WITH_GRANT_OPTION FROM mysql.global_grants": [
        {"USER": "root", "HOST": "localhost", "PRIV": "SYSTEM_USER", "WITH_GRANT_OPTION": "Y"},
        {"USER": "dba", "HOST": "10.%", "PRIV": "BACKUP_ADMIN", "WITH_GRANT_OPTION": "N"},
        {"USER": "dba", "HOST": "10.%", "PRIV": "ROLE_ADMIN", "WITH_GRANT_OPTION": "Y"},
    ],
    "SELECT FROM_HOST, FROM_USER, TO_HOST, TO_USER, WITH_ADMIN_OPTION FROM mysql.role_edges": [
        {"FROM_HOST": "%", "FROM_USER": "r_read", "TO_HOST": "%", "TO_USER": "app", "WITH_ADMIN_OPTION": "N"},
        {"FROM_HOST": "%", "FROM_USER": "r_read", "TO_HOST": "%", "TO_USER": "r_admin", "WITH_ADMIN_OPTION": "N"},
        {"FROM_HOST": "%", "FROM_USER": "r_admin", "TO_HOST": "10.%", "TO_USER": "dba", "WITH_ADMIN_OPTION": "Y"},
    ],
    "SELECT HOST, USER, DEFAULT_ROLE_HOST, DEFAULT_ROLE_USER FROM mysql.default_roles": [
        {"HOST": "%", "USER": "app", "DEFAULT_ROLE_HOST": "%", "DEFAULT_ROLE_USER": "r_read"},
    ],
    "SELECT * FROM mysql.db": [db_row("r_read", "%", "shop\\_prod", {"Select_priv"})],
    "SELECT Host, Db, User, Table_name, Table_priv FROM mysql.tables_priv": [
        {"Host": "%", "Db": "shop", "User": "app", "Table_name": "Orders", "Table_priv": "Select,Insert,Grant"},
    ],
    "SELECT Host, Db, User, Table_name, Column_name, Column_priv FROM mysql.columns_priv": [
        {
            "Host": "%",
            "Db": "shop",
            "User": "app",
            "Table_name": "Orders",
            "Column_name": "Total",
            "Column_priv": "Update",
        },
    ],
    "SELECT Host, Db, User, Routine_name, Routine_type, Proc_priv FROM mysql.procs_priv": [
        {
            "Host": "%",
            "Db": "shop",
            "User": "app",
            "Routine_name": "close_day",
            "Routine_type": "PROCEDURE",
            "Proc_priv": "Execute",
        },
    ],
    "SELECT Host, User, Proxied_host, Proxied_user, With_grant FROM mysql.proxies_priv": [
        {"Host": "localhost", "User": "root", "Proxied_host": "", "Proxied_user": "", "With_grant": 1},
    ],
}


class FakeReader:
    """Answers the adapter's catalog queries with the rows above and records what was asked."""

    def __init__(self):
        self.asked = []
        self.queries = 0

    def rows(self, sql, params=None):
        self.asked.append(sql)
        self.queries += 1
        return [dict(row) for row in ROWS.get(sql, [])]

    def scalar(self, sql):
        return next(iter(self.rows(sql)[0].values()))


def read():
    reader = FakeReader()
    tables = read_grant_tables(reader, "8.0.36")
    return reader, {(a.name, a.host): a for a in build_accounts(tables)}


def test_mysql8_reads_each_grant_table_once_in_one_snapshot():
    reader, _ = read()
    assert reader.asked[0] == "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"
    assert reader.asked[-1] == "ROLLBACK"
    assert len(reader.asked) == 11 and len(set(reader.asked)) == 11
    assert "SELECT USER, HOST, PRIV, WITH_GRANT_OPTION FROM mysql.global_grants" in reader.asked
    assert not any("global_priv" in sql or "roles_mapping" in sql for sql in reader.asked)


def test_mysql57_does_not_ask_for_tables_it_lacks():
    reader = FakeReader()
    read_grant_tables(reader, "5.7.44-log")
    assert not any("global_grants" in sql or "role_edges" in sql or "default_roles" in sql for sql in reader.asked)


def test_password_hashes_are_dropped_on_read():
    reader = FakeReader()
    tables = read_grant_tables(reader, "8.0.36")
    assert all("authentication_string" not in row for row in tables.accounts)


def test_dynamic_privileges_each_with_their_own_grant_option():
    _, accounts = read()
    dba = accounts[("dba", "10.%")]
    globals_ = {(p.privilege, p.grantable, p.state) for p in dba.privileges if p.level == "global"}
    assert globals_ == {("SELECT", False, "GRANT"), ("INSERT", False, "GRANT"), ("BACKUP_ADMIN", False, "GRANT"),
                        ("ROLE_ADMIN", True, "GRANT")}  # fmt: skip


def test_partial_revokes_are_deny_rows_at_database_level():
    _, accounts = read()
    denied = {(p.privilege, p.level, p.database) for p in accounts[("dba", "10.%")].privileges if p.state == "DENY"}
    assert denied == {("SELECT", "database", "mysql"), ("INSERT", "database", "mysql")}


def test_roles_from_role_edges_with_admin_option_and_default_roles():
    _, accounts = read()
    assert accounts[("r_read", "%")].kind == "role"
    assert accounts[("r_admin", "%")].kind == "role"
    assert accounts[("gone", "%")].kind == "user"  # locked, never granted as a role: still a user
    [app_role] = accounts[("app", "%")].memberships
    assert (app_role.role, app_role.role_host, app_role.admin_option, app_role.default) == ("r_read", "%", False, True)
    [dba_role] = accounts[("dba", "10.%")].memberships
    assert (dba_role.role, dba_role.role_host, dba_role.admin_option, dba_role.default) == ("r_admin", "%", True, False)
    [nested] = accounts[("r_admin", "%")].memberships
    assert nested.role == "r_read"


def test_attributes_of_mysql8_accounts():
    _, accounts = read()
    app = accounts[("app", "%")].attribute_map
    assert app["ssl_type"] == "X509" and app["max_user_connections"] == 5
    assert app["auth_plugin"] == "caching_sha2_password"
    assert app["password_last_changed"] == "2025-03-04T05:06:07+00:00"
    role = accounts[("r_read", "%")].attribute_map
    assert (role["can_login"], role["locked"], role["password_expired"]) == (False, True, True)
    assert accounts[("gone", "%")].attribute_map["password_lifetime_days"] == 90
    root = accounts[("root", "localhost")].attribute_map
    assert (root["superuser"], root["can_grant"]) == (True, True)


def test_object_level_rows_keep_identifiers_raw():
    _, accounts = read()
    app = {
        (p.privilege, p.level, p.database, p.object, p.column, p.grantable) for p in accounts[("app", "%")].privileges
    }
    assert ("SELECT", "table", "shop", "Orders", None, True) in app
    assert ("INSERT", "table", "shop", "Orders", None, True) in app
    assert ("UPDATE", "column", "shop", "Orders", "Total", True) in app
    assert ("EXECUTE", "routine", "shop", "close_day", None, False) in app
    r_read = {(p.privilege, p.level, p.database) for p in accounts[("r_read", "%")].privileges}
    assert r_read == {("SELECT", "database", "shop\\_prod")}  # the escaped wildcard is what the server stores


def test_mysql_adapter_reads_through_a_dbapi_connection(monkeypatch):
    """read_inventory wires connect, reader and builder together (connection faked at the DB-API boundary)."""
    connection = FakeConnection(ROWS, silent=("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", "ROLLBACK"))
    adapter = MySQLAdapter()
    monkeypatch.setattr(adapter, "connect", lambda settings: connection)
    inventory = adapter.read_inventory(ConnectionSettings("db", 3306, "u", "p"))
    assert inventory.server_version == "8.0.36"
    assert inventory.queries == 12
    assert {a.name for a in inventory.accounts} == {"root", "app", "dba", "r_read", "r_admin", "gone"}
