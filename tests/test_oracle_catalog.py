"""Oracle adapter on data-dictionary rows shaped exactly as Oracle 19c returns them through python-oracledb.

No Oracle database runs on this project's machines (see README): rows follow the documented columns of
dba_users, dba_roles, dba_role_privs, dba_sys_privs, dba_tab_privs and dba_col_privs; python-oracledb reports
unquoted column names in upper case, VARCHAR2 as str and DATE as naive datetime.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fake_dbapi import FakeConnection
from whalefall.engines.base import ConnectionSettings
from whalefall.engines.oracle import DICTIONARY_READS, OracleAdapter


def user(name, status="OPEN", lock=None, expiry=None, maintained="N", profile="DEFAULT"):
    return {"USERNAME": name, "ACCOUNT_STATUS": status, "LOCK_DATE": lock, "EXPIRY_DATE": expiry, "PROFILE": profile,
            "AUTHENTICATION_TYPE": "PASSWORD", "COMMON": "NO", "ORACLE_MAINTAINED": maintained}  # fmt: skip


def tab(grantee, owner, table, privilege, grantable="NO", type_="TABLE"):
    return {"GRANTEE": grantee, "OWNER": owner, "TABLE_NAME": table, "PRIVILEGE": privilege, "GRANTABLE": grantable,
            "TYPE": type_}  # fmt: skip


# fmt: off
ANSWERS = {
    DICTIONARY_READS["users"]: [
        user("SYS", maintained="Y"),
        user("APP_OWNER"),
        user("REPORTER", status="EXPIRED & LOCKED", lock=dt.datetime(2025, 5, 1, 10, 0),
             expiry=dt.datetime(2025, 4, 1)),
        user("Mixed Case User", status="EXPIRED(GRACE)"),
        user("OPS", status="LOCKED(TIMED)"),
    ],
    DICTIONARY_READS["roles"]: [
        {"ROLE": "DBA", "AUTHENTICATION_TYPE": "NONE", "COMMON": "YES", "ORACLE_MAINTAINED": "Y"},
        {"ROLE": "APP_READ", "AUTHENTICATION_TYPE": "NONE", "COMMON": "NO", "ORACLE_MAINTAINED": "N"},
        {"ROLE": "APP_WRITE", "AUTHENTICATION_TYPE": "NONE", "COMMON": "NO", "ORACLE_MAINTAINED": "N"},
    ],
    DICTIONARY_READS["role_privs"]: [
        {"GRANTEE": "SYS", "GRANTED_ROLE": "DBA", "ADMIN_OPTION": "YES", "DEFAULT_ROLE": "YES"},
        {"GRANTEE": "APP_WRITE", "GRANTED_ROLE": "APP_READ", "ADMIN_OPTION": "NO", "DEFAULT_ROLE": "YES"},
        {"GRANTEE": "REPORTER", "GRANTED_ROLE": "APP_WRITE", "ADMIN_OPTION": "YES", "DEFAULT_ROLE": "NO"},
        {"GRANTEE": "OPS", "GRANTED_ROLE": "DBA", "ADMIN_OPTION": "NO", "DEFAULT_ROLE": "YES"},
    ],
    DICTIONARY_READS["sys_privs"]: [
        {"GRANTEE": "APP_OWNER", "PRIVILEGE": "CREATE SESSION", "ADMIN_OPTION": "NO"},
        {"GRANTEE": "APP_OWNER", "PRIVILEGE": "CREATE TABLE", "ADMIN_OPTION": "YES"},
        {"GRANTEE": "APP_READ", "PRIVILEGE": "CREATE SESSION", "ADMIN_OPTION": "NO"},
    ],
    DICTIONARY_READS["tab_privs"]: [
        tab("APP_READ", "APP_OWNER", "ORDERS", "SELECT"),
        tab("APP_WRITE", "APP_OWNER", "ORDERS", "INSERT", grantable="YES"),
        tab("APP_READ", "APP_OWNER", "V_TOTALS", "READ", type_="VIEW"),
        tab("REPORTER", "APP_OWNER", "PKG_REPORTS", "EXECUTE", type_="PACKAGE"),
        tab("REPORTER", "APP_OWNER", "INVOICE_SEQ", "SELECT", type_="SEQUENCE"),
        tab("PUBLIC", "SYS", "DUAL", "SELECT"),
        tab("Mixed Case User", "SYS", "DATA_PUMP_DIR", "READ", type_="DIRECTORY"),
        tab("GHOST", "APP_OWNER", "ORDERS", "SELECT"),
    ],
    DICTIONARY_READS["col_privs"]: [
        {"GRANTEE": "REPORTER", "OWNER": "APP_OWNER", "TABLE_NAME": "ORDERS", "COLUMN_NAME": "Total Amount",
         "PRIVILEGE": "UPDATE", "GRANTABLE": "NO"},
    ],
}
# fmt: on


@pytest.fixture
def accounts(monkeypatch):
    connection = FakeConnection(ANSWERS)
    connection.version = "19.22.0.0.0"
    adapter = OracleAdapter()
    monkeypatch.setattr(adapter, "connect", lambda settings: connection)
    inventory = adapter.read_inventory(ConnectionSettings("ora", 1521, "WHALEFALL", "pw", database="PDB1"))
    assert (inventory.server_version, inventory.queries) == ("19.22.0.0.0", 6)
    assert connection.closed
    return {account.name: account for account in inventory.accounts}


def rows(account):
    return {(p.privilege, p.level, p.schema, p.object, p.column, p.grantable, dict(p.extras).get("object_type"))
            for p in account.privileges}  # fmt: skip


def test_account_status_maps_to_locked_and_expired(accounts):
    reporter = accounts["REPORTER"].attribute_map
    assert (reporter["locked"], reporter["password_expired"], reporter["in_grace_period"]) == (True, True, False)
    assert reporter["lock_date"] == "2025-05-01T10:00:00+00:00"
    mixed = accounts["Mixed Case User"].attribute_map
    assert (mixed["locked"], mixed["password_expired"], mixed["in_grace_period"]) == (False, False, True)
    assert accounts["OPS"].attribute_map["locked"] is True


def test_superusers_by_dba_role_or_as_sys(accounts):
    assert accounts["SYS"].attribute_map["superuser"] is True
    assert accounts["OPS"].attribute_map["superuser"] is True
    assert accounts["APP_OWNER"].attribute_map["superuser"] is False


def test_system_and_object_privileges(accounts):
    assert rows(accounts["APP_OWNER"]) == {
        ("CREATE SESSION", "global", None, None, None, False, None),
        ("CREATE TABLE", "global", None, None, None, True, None),
    }
    assert rows(accounts["REPORTER"]) == {
        ("EXECUTE", "routine", "APP_OWNER", "PKG_REPORTS", None, False, "PACKAGE"),
        ("SELECT", "sequence", "APP_OWNER", "INVOICE_SEQ", None, False, None),
        ("UPDATE", "column", "APP_OWNER", "ORDERS", "Total Amount", False, None),
    }
    assert ("READ", "table", "APP_OWNER", "V_TOTALS", None, False, "VIEW") in rows(accounts["APP_READ"])
    assert rows(accounts["Mixed Case User"]) == {("READ", "database", "SYS", "DATA_PUMP_DIR", None, False, "DIRECTORY")}


def test_nested_roles_admin_and_default(accounts):
    [reporter_role] = accounts["REPORTER"].memberships
    assert (reporter_role.role, reporter_role.admin_option, reporter_role.default) == ("APP_WRITE", True, False)
    [nested] = accounts["APP_WRITE"].memberships
    assert (nested.role, nested.default) == ("APP_READ", True)
    assert accounts["APP_WRITE"].kind == "role"


def test_public_and_unknown_grantees_are_reported(accounts):
    public = accounts["PUBLIC"]
    assert public.attribute_map["pseudo"] is True
    assert rows(public) == {("SELECT", "table", "SYS", "DUAL", None, False, None)}
    assert accounts["GHOST"].attribute_map["orphaned"] is True
