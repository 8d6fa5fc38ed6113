"""/api/v1 read side: accounts with filters, sort and pagination; one account; the change log; instances; audit."""

from __future__ import annotations

import pytest

from tests.test_api_jobs_sync import basic
from whalefall.core.extensions import db
from whalefall.engines.inventory import Inventory, Privilege, RoleMembership, make_account
from whalefall.models import Instance
from whalefall.services.account_store import store_inventory
from whalefall.services.instances import InstanceInput, add_instance
from whalefall.services.users import create_user

BASE = {"can_login": True, "superuser": False, "locked": False, "password_expired": False}


@pytest.fixture
def stored(app_context):
    create_user("vera", "vera-password", "viewer")
    create_user("ada", "ada-password", "admin")
    pg = add_instance(InstanceInput("pg1", "postgresql", "db1", 5432, "u", "p", tags=("prod",)))
    my = add_instance(InstanceInput("my1", "mysql", "db2", 3306, "u", "p"))
    store_inventory(pg, Inventory("postgresql", "16", [
        make_account("app_rw", "user", BASE, [Privilege("SELECT", "table", "shop", "public", "orders"),
                                              Privilege("UPDATE", "column", "shop", "public", "orders", "total")],
                     [RoleMembership("readers")]),
        make_account("readers", "role", {**BASE, "can_login": False}, [Privilege("USAGE", "schema", "shop", "public")]),
        make_account("postgres", "user", {**BASE, "superuser": True}),
    ]), None)  # fmt: skip
    store_inventory(my, Inventory("mysql", "10.11", [
        make_account("app_rw", "user", BASE, [Privilege("SELECT", "database", "shop")], host="%"),
        make_account("locked_one", "user", {**BASE, "locked": True}, host="10.%"),
    ]), None)  # fmt: skip
    db.session.commit()
    return basic("vera", "vera-password")


def names(body):
    return [(item["instance"], item["name"]) for item in body["items"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [("pg1", "app_rw"), ("my1", "app_rw"), ("my1", "locked_one"), ("pg1", "postgres"), ("pg1", "readers")]),
        ("?instance=pg1&kind=role", [("pg1", "readers")]),
        ("?engine=mysql", [("my1", "app_rw"), ("my1", "locked_one")]),
        ("?name=APP", [("pg1", "app_rw"), ("my1", "app_rw")]),
        ("?name=%25", []),  # a literal %, not a wildcard
        ("?privilege=update&level=column&column=total", [("pg1", "app_rw")]),
        ("?privilege=SELECT&database=shop", [("pg1", "app_rw"), ("my1", "app_rw")]),
        ("?role=readers", [("pg1", "app_rw")]),
        ("?superuser=true", [("pg1", "postgres")]),
        ("?locked=true", [("my1", "locked_one")]),
        ("?sort=-name&per_page=2", [("pg1", "readers"), ("pg1", "postgres")]),
        ("?sort=name&per_page=2&page=3", [("pg1", "readers")]),
    ],
)
def test_account_filters(client, stored, query, expected):
    response = client.get(f"/api/v1/accounts{query}", headers=stored)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert names(body) == expected
    if "per_page=2" in query:
        assert body["total"] == 5


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("?per_page=500", 422, "Validation error"),
        ("?page=184467440737095518", 422, "Validation error"),
        ("?kind=wizard", 422, "Validation error"),
        ("?sort=password", 400, "sort 'password' is not one of"),
        ("?superuser=perhaps", 422, "Validation error"),
    ],
)
def test_bad_account_queries(client, stored, query, status, message):
    response = client.get(f"/api/v1/accounts{query}", headers=stored)
    assert response.status_code == status
    assert message in response.get_json()["error"]["message"]


def test_one_account_with_privileges_by_level_roles_and_history(client, stored):
    [item] = client.get("/api/v1/accounts?instance=pg1&name=app_rw", headers=stored).get_json()["items"]
    detail = client.get(f"/api/v1/accounts/{item['id']}", headers=stored).get_json()
    assert [group["level"] for group in detail["privileges"]] == ["table", "column"]
    assert detail["privileges"][1]["privileges"][0]["column"] == "total"
    assert detail["roles"] == [{"role": "readers", "role_host": None, "admin_option": False, "default": False,
                                "extras": None}]  # fmt: skip
    assert [h["change_type"] for h in detail["history"]] == ["account_created"]
    assert client.get("/api/v1/accounts/999999", headers=stored).status_code == 404


def test_change_log_filters(client, stored):
    body = client.get("/api/v1/changes?instance=my1", headers=stored).get_json()
    assert body["total"] == 2 and {c["account"] for c in body["items"]} == {"app_rw", "locked_one"}
    body = client.get("/api/v1/changes?change_type=account_created&account=postgres", headers=stored).get_json()
    assert [c["instance"] for c in body["items"]] == ["pg1"]
    assert client.get("/api/v1/changes?since=2999-01-01T00:00:00Z", headers=stored).get_json()["total"] == 0
    assert client.get("/api/v1/changes?change_type=nope", headers=stored).status_code == 422


def test_instances_never_show_credentials(client, stored):
    body = client.get("/api/v1/instances", headers=stored).get_json()
    assert [i["name"] for i in body["items"]] == ["my1", "pg1"]
    assert "password" not in str(body).lower() and body["items"][0]["username"] == "u"
    assert db.session.query(Instance).count() == 2


def test_audit_log_is_for_admins(client, stored):
    assert client.get("/api/v1/audit", headers=stored).status_code == 403
    body = client.get("/api/v1/audit?action=instance", headers=basic("ada", "ada-password")).get_json()
    assert [e["target"] for e in body["items"]] == ["my1", "pg1"]


def test_openapi_document_and_offline_docs_behind_login(client, stored):
    assert client.get("/api/v1/openapi.json").status_code == 401
    spec = client.get("/api/v1/openapi.json", headers=stored).get_json()
    assert spec["openapi"].startswith("3.") and spec["info"]["title"] == "WhaleFall API"
    assert {"/api/v1/accounts", "/api/v1/accounts/{account_id}", "/api/v1/changes", "/api/v1/jobs",
            "/api/v1/sync", "/api/v1/sync/sessions/{session_id}"} <= set(spec["paths"])  # fmt: skip
    assert {"BearerAuth", "BasicAuth"} <= set(spec["components"]["securitySchemes"])
    assert client.get("/api/v1/docs").status_code == 401
    page = client.get("/api/v1/docs", headers=stored)
    assert page.status_code == 200 and b"/api/v1/docs/assets/swagger-ui-bundle.js" in page.data
    assert b"cdn." not in page.data and b"http://" not in page.data.replace(b"http://www.w3.org", b"")
    assert client.get("/api/v1/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404
