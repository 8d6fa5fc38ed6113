"""SQL Server adapter on catalog rows shaped exactly as SQL Server 2016+ returns them through pymssql.

No SQL Server runs on this project's machines (see README): the rows follow the documented columns of
sys.server_principals, sys.sql_logins, LOGINPROPERTY, sys.server_permissions, sys.database_principals,
sys.database_role_members and sys.database_permissions, with pymssql's Python types (bit → bool,
varbinary → bytes, datetime → naive datetime).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fake_dbapi import FakeConnection
from whalefall.engines import sqlserver as ss
from whalefall.engines.base import ConnectionSettings, ServerUnreachable

SA_SID, APP_SID, WIN_SID, OPS_SID, ORPHAN_SID = b"\x01", b"\x8a\x11", b"\x01\x05\x00\x00", b"\x8b\x22", b"\x8c\x33"


def login(pid, name, type_, type_desc, sid, disabled=False, locked=0, expired=0, must_change=0, policy=True):
    sql_login = type_ == "S"
    return {
        "principal_id": pid,
        "name": name,
        "type": type_,
        "type_desc": type_desc,
        "is_disabled": disabled,
        "sid": sid,
        "default_database_name": "master" if type_ != "R" else None,
        "is_policy_checked": policy if sql_login else None,
        "is_expiration_checked": False if sql_login else None,
        "is_locked": locked if sql_login else None,
        "is_expired": expired if sql_login else None,
        "is_must_change": must_change if sql_login else None,
        "password_last_set": dt.datetime(2024, 1, 2, 3, 4, 5) if sql_login else None,
    }


BANNER = "Microsoft SQL Server 2019 (RTM-CU25) (KB5033688) - 15.0\n\tCopyright (C) 2019 Microsoft Corporation"
SERVER = {
    ss.VERSION_SQL: [{"version": "15.0.4355.3", "banner": BANNER}],
    ss.SERVER_PRINCIPALS_SQL: [
        login(1, "sa", "S", "SQL_LOGIN", SA_SID),
        login(3, "sysadmin", "R", "SERVER_ROLE", b"\x03"),
        login(4, "securityadmin", "R", "SERVER_ROLE", b"\x04"),
        login(259, "app_login", "S", "SQL_LOGIN", APP_SID, locked=1, must_change=1),
        login(260, "CORP\\dba-team", "G", "WINDOWS_GROUP", WIN_SID),
        login(261, "ops_login", "S", "SQL_LOGIN", OPS_SID, disabled=True, expired=1),
        login(262, "auditors", "R", "SERVER_ROLE", b"\x99"),
    ],
    ss.SERVER_ROLE_MEMBERS_SQL: [
        {"role_principal_id": 3, "member_principal_id": 1},
        {"role_principal_id": 3, "member_principal_id": 260},
        {"role_principal_id": 262, "member_principal_id": 261},
    ],
    ss.SERVER_PERMISSIONS_SQL: [
        {"grantee_principal_id": 259, "permission_name": "CONNECT SQL", "state": "G", "class_desc": "SERVER",
         "securable_name": None},
        {"grantee_principal_id": 259, "permission_name": "VIEW SERVER STATE", "state": "W", "class_desc": "SERVER",
         "securable_name": None},
        {"grantee_principal_id": 261, "permission_name": "CONNECT SQL", "state": "D", "class_desc": "SERVER",
         "securable_name": None},
        {"grantee_principal_id": 262, "permission_name": "IMPERSONATE", "state": "G", "class_desc": "SERVER_PRINCIPAL",
         "securable_name": "app_login"},
    ],
    ss.DATABASES_SQL: [
        {"name": "master", "state_desc": "ONLINE", "user_access_desc": "MULTI_USER"},
        {"name": "Sales DB", "state_desc": "ONLINE", "user_access_desc": "MULTI_USER"},
        {"name": "Archive", "state_desc": "OFFLINE", "user_access_desc": "MULTI_USER"},
        {"name": "Replica", "state_desc": "ONLINE", "user_access_desc": "MULTI_USER"},
    ],
}  # fmt: skip


def db_user(pid, name, type_, type_desc, sid, auth):
    return {"principal_id": pid, "name": name, "type": type_, "type_desc": type_desc, "sid": sid,
            "authentication_type_desc": auth, "default_schema_name": "dbo" if type_ != "R" else None}  # fmt: skip


def permission(grantee, name, state, class_desc, schema=None, obj=None, obj_type=None, column=None, target=None,
               securable=None):  # fmt: skip
    return {"grantee_principal_id": grantee, "permission_name": name, "state": state, "class_desc": class_desc,
            "schema_name": schema, "object_name": obj, "object_type": obj_type, "column_name": column,
            "schema_target": target, "securable_name": securable}  # fmt: skip


SALES = {
    ss.DATABASE_PRINCIPALS_SQL: [
        db_user(1, "dbo", "S", "SQL_USER", SA_SID, "INSTANCE"),
        db_user(2, "guest", "S", "SQL_USER", b"\x00", "NONE"),
        db_user(5, "app_user", "S", "SQL_USER", APP_SID, "INSTANCE"),
        db_user(6, "report_contained", "S", "SQL_USER", b"\x01\x06", "DATABASE"),
        db_user(7, "left_behind", "S", "SQL_USER", ORPHAN_SID, "INSTANCE"),
        db_user(8, "CORP\\dba-team", "G", "WINDOWS_GROUP", WIN_SID, "WINDOWS"),
        db_user(16384, "db_owner", "R", "DATABASE_ROLE", b"\x01\x05", "NONE"),
        db_user(16390, "db_datareader", "R", "DATABASE_ROLE", b"\x01\x05", "NONE"),
        db_user(16391, "db_datawriter", "R", "DATABASE_ROLE", b"\x01\x05", "NONE"),
        db_user(16400, "app_reader", "R", "DATABASE_ROLE", b"\x01\x07", "NONE"),
    ],
    ss.DATABASE_ROLE_MEMBERS_SQL: [
        {"role_principal_id": 16384, "member_principal_id": 1},
        {"role_principal_id": 16400, "member_principal_id": 5},
        {"role_principal_id": 16390, "member_principal_id": 16400},
    ],
    ss.DATABASE_PERMISSIONS_SQL: [
        permission(5, "CONNECT", "G", "DATABASE"),
        permission(6, "CONNECT", "G", "DATABASE"),
        permission(7, "CONNECT", "G", "DATABASE"),
        permission(5, "SELECT", "W", "OBJECT_OR_COLUMN", "sales", "Orders", "USER_TABLE"),
        permission(5, "UPDATE", "G", "OBJECT_OR_COLUMN", "sales", "Orders", "USER_TABLE", column="Total Amount"),
        permission(5, "DELETE", "D", "OBJECT_OR_COLUMN", "sales", "Orders", "USER_TABLE"),
        permission(5, "EXECUTE", "G", "OBJECT_OR_COLUMN", "sales", "close_day", "SQL_STORED_PROCEDURE"),
        permission(16400, "SELECT", "G", "SCHEMA", target="sales"),
        permission(16400, "VIEW DEFINITION", "D", "SCHEMA", target="hr"),
        permission(6, "SELECT", "G", "OBJECT_OR_COLUMN", "sales", "v_summary", "VIEW"),
        permission(8, "IMPERSONATE", "G", "DATABASE_PRINCIPAL", securable="app_user"),
    ],
}

MASTER = {
    ss.DATABASE_PRINCIPALS_SQL: [db_user(1, "dbo", "S", "SQL_USER", SA_SID, "INSTANCE")],
    ss.DATABASE_ROLE_MEMBERS_SQL: [],
    ss.DATABASE_PERMISSIONS_SQL: [],
}


@pytest.fixture
def inventory(monkeypatch):
    connections = []

    def connect(settings, database=None):
        if database == "Replica":
            raise ServerUnreachable(
                "SQL Server at db:1433: The target database, 'Replica', is participating in an availability "
                "group and is currently not accessible for queries."
            )
        answers = {None: SERVER, "master": MASTER, "Sales DB": SALES}[database]
        connection = FakeConnection(answers)
        connections.append((database, connection))
        return connection

    adapter = ss.SQLServerAdapter()
    monkeypatch.setattr(adapter, "connect", connect)
    result = adapter.read_inventory(ConnectionSettings("db", 1433, "whalefall", "pw"))
    return result, connections


def accounts_of(result):
    return {account.name: account for account in result.accounts}


def rows(account):
    return {(p.privilege, p.level, p.database, p.schema, p.object, p.column, p.grantable, p.state)
            for p in account.privileges}  # fmt: skip


def test_bulk_reads_four_server_queries_and_three_per_database(inventory):
    result, connections = inventory
    assert result.queries == 5 + 3 * 2
    assert all(connection.closed for _, connection in connections)
    assert result.server_version == "15.0.4355.3 (Microsoft SQL Server 2019 (RTM-CU25) (KB5033688) - 15.0)"


def test_offline_and_secondary_databases_are_named_not_holes(inventory):
    result, _ = inventory
    unreadable = {part.database: part.error for part in result.unreadable}
    assert unreadable == {
        "Archive": "database is OFFLINE",
        "Replica": "SQL Server at db:1433: The target database, 'Replica', is participating in an availability "
        "group and is currently not accessible for queries.",
    }
    assert all("table" in part.levels and "database" in part.levels for part in result.unreadable)


def test_logins_and_their_states(inventory):
    accounts = accounts_of(inventory[0])
    app = accounts["app_login"].attribute_map
    assert (app["can_login"], app["locked"], app["must_change_password"], app["disabled"]) == (True, True, True, False)
    assert app["password_last_changed"] == "2024-01-02T03:04:05+00:00"
    ops = accounts["ops_login"].attribute_map
    assert (ops["can_login"], ops["disabled"], ops["password_expired"]) == (False, True, True)
    group = accounts["CORP\\dba-team"]
    assert (group.kind, group.attribute_map["login_type"], group.attribute_map["superuser"]) == (
        "user", "WINDOWS_GROUP", True,
    )  # fmt: skip
    assert accounts["sysadmin"].kind == "role" and accounts["sa"].attribute_map["superuser"] is True
    assert accounts["app_login"].attribute_map["superuser"] is False


def test_server_permissions_grant_deny_and_grant_option(inventory):
    accounts = accounts_of(inventory[0])
    assert rows(accounts["app_login"]) >= {
        ("CONNECT SQL", "server", None, None, None, None, False, "GRANT"),
        ("VIEW SERVER STATE", "server", None, None, None, None, True, "GRANT"),
    }
    assert rows(accounts["ops_login"]) == {("CONNECT SQL", "server", None, None, None, None, False, "DENY")}
    [impersonate] = accounts["auditors"].privileges
    assert (impersonate.privilege, impersonate.object, dict(impersonate.extras)) == (
        "IMPERSONATE", "app_login", {"securable_class": "SERVER_PRINCIPAL"},
    )  # fmt: skip
    assert [m.role for m in accounts["ops_login"].memberships] == ["auditors"]


def test_database_permissions_land_on_the_mapped_login(inventory):
    app = accounts_of(inventory[0])["app_login"]
    assert rows(app) >= {
        ("CONNECT", "database", "Sales DB", None, None, None, False, "GRANT"),
        ("SELECT", "table", "Sales DB", "sales", "Orders", None, True, "GRANT"),
        ("UPDATE", "column", "Sales DB", "sales", "Orders", "Total Amount", False, "GRANT"),
        ("DELETE", "table", "Sales DB", "sales", "Orders", None, False, "DENY"),
        ("EXECUTE", "routine", "Sales DB", "sales", "close_day", None, False, "GRANT"),
    }
    [membership] = app.memberships
    assert (membership.role, dict(membership.extras)) == ("Sales DB:app_reader", {"database": "Sales DB"})


def test_database_scoped_principals_are_accounts_of_their_own(inventory):
    accounts = accounts_of(inventory[0])
    reader = accounts["Sales DB:app_reader"]
    assert reader.kind == "role"
    assert rows(reader) == {
        ("SELECT", "schema", "Sales DB", "sales", None, None, False, "GRANT"),
        ("VIEW DEFINITION", "schema", "Sales DB", "hr", None, None, False, "DENY"),
    }
    assert [m.role for m in reader.memberships] == ["Sales DB:db_datareader"]
    contained = accounts["Sales DB:report_contained"]
    assert (contained.kind, contained.attribute_map["can_login"]) == ("user", True)
    [view] = [p for p in contained.privileges if p.privilege == "SELECT"]
    assert (view.level, view.object, dict(view.extras)) == ("table", "v_summary", {"object_type": "VIEW"})
    orphan = accounts["Sales DB:left_behind"].attribute_map
    assert (orphan["orphaned"], orphan["can_login"]) == (True, False)
    # dbo maps to sa; fixed roles without members or permissions grant nothing and are left out.
    assert [m.role for m in accounts["sa"].memberships] == ["Sales DB:db_owner", "sysadmin"]
    assert "Sales DB:db_datawriter" not in accounts
    assert "Sales DB:db_owner" in accounts and "Sales DB:db_datareader" in accounts
    group = accounts["CORP\\dba-team"]
    assert ("IMPERSONATE", "database", "Sales DB", None, "app_user", None, False, "GRANT") in rows(group)
