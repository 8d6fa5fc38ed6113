"""The console's login: session cookie, CSRF on the form, rate-limited attempts, a dashboard behind it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from whalefall.core.extensions import db
from whalefall.models import AuditEvent
from whalefall.services.users import create_user


def csrf_token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.fixture
def user(app_context):
    create_user("ada", "ada-password", "admin")
    return "ada"


def test_a_fresh_install_says_how_to_create_the_first_user(client):
    assert "whalefall user create admin --role admin" in client.get("/login").get_data(as_text=True)


def test_pages_need_a_login(client, user):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "No user exists yet" not in client.get("/login").get_data(as_text=True)


def test_login_then_dashboard_then_logout(client, user):
    token = csrf_token(client)
    response = client.post("/login?next=/", data={"username": "ada", "password": "ada-password", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200 and b"Dashboard" in page.data and b"superusers" in page.data
    events = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert events[-1] == "login.succeeded"
    logout_token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
    assert client.post("/logout", data={"csrf_token": logout_token}).status_code == 302
    assert client.get("/").status_code == 302


def test_a_form_without_its_csrf_token_is_refused(client, user):
    response = client.post("/login", data={"username": "ada", "password": "ada-password"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_and_audited(client, user):
    response = client.post("/login", data={"username": "ada", "password": "nope", "csrf_token": csrf_token(client)})
    assert response.status_code == 401 and b"Wrong user name or password." in response.data
    failed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")).one()
    assert (failed.actor, failed.detail) == ("ada", {"method": "form"})


def test_login_attempts_are_rate_limited(client, user):
    token = csrf_token(client)
    statuses = [
        client.post("/login", data={"username": "ada", "password": "nope", "csrf_token": token}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429


def test_an_offsite_next_is_ignored(client, user):
    token = csrf_token(client)
    response = client.post("/login?next=//evil.example/x",
                           data={"username": "ada", "password": "ada-password", "csrf_token": token})  # fmt: skip
    assert response.headers["Location"] == "/"
