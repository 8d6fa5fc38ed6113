"""The accounts explorer page: filters, pagination, CSV export of the current filter, one account's page."""

from __future__ import annotations

import pytest

from tests.test_api_inventory import stored  # noqa: F401 - the same stored inventory
from tests.test_pages_auth import csrf_token


@pytest.fixture
def logged_in(client, stored):  # noqa: F811
    client.post("/login", data={"username": "vera", "password": "vera-password", "csrf_token": csrf_token(client)})
    return client


def test_explorer_filters_by_column_privilege(logged_in):
    page = logged_in.get("/accounts?privilege=UPDATE&level=column&column=total").get_data(as_text=True)
    assert "1 account" in page and ">app_rw</a>" in page and "readers" not in page


def test_explorer_lists_and_links_each_account(logged_in):
    page = logged_in.get("/accounts").get_data(as_text=True)
    assert "5 accounts" in page and "app_rw@%" in page and "locked_one@10.%" in page
    assert "/accounts/" in page


def test_csv_export_of_the_current_filter(logged_in):
    response = logged_in.get("/accounts.csv?engine=mysql")
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("id,instance,engine,name,host")
    assert [line.split(",")[3] for line in lines[1:]] == ["app_rw", "locked_one"]


def test_account_page_groups_privileges_and_shows_the_timeline(logged_in):
    page = logged_in.get("/accounts?instance=pg1&name=app_rw").get_data(as_text=True)
    href = page.split('href="/accounts/')[1].split('"')[0]
    detail = logged_in.get(f"/accounts/{href}").get_data(as_text=True)
    assert "<h3>table</h3>" in detail and "<h3>column</h3>" in detail and "account_created" in detail
    assert logged_in.get("/accounts/999999").status_code == 404


def test_explorer_needs_a_login(client):
    # No app context is pushed around these requests, as in production: nothing can leak between them.
    assert client.get("/accounts").status_code == 302
    assert client.get("/accounts.csv").status_code == 302
    assert client.get("/accounts/1").status_code == 302


def test_explorer_refuses_bad_input(logged_in):
    assert logged_in.get("/accounts?sort=password").status_code == 400
    assert logged_in.get("/accounts?page=x").status_code == 400
