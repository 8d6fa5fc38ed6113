"""The console's screens: every page renders, each role sees and does only what the matrix allows, every form is
CSRF-checked and validated, and a refused form changes nothing.

Requests run without a pushed app context (as in production), so nothing leaks between users through ``g``.
"""

from __future__ import annotations

import re
import socket

import pytest
from sqlalchemy import select

from tests.waiting import wait_for
from whalefall.core.extensions import db
from whalefall.engines.inventory import Inventory, Privilege, make_account
from whalefall.models import ApiToken, AuditEvent, Instance, ScheduledJob, SyncSession, User
from whalefall.services.account_store import store_inventory
from whalefall.services.instances import InstanceInput, add_instance
from whalefall.services.users import create_user
from whalefall.web.pages.formatting import change_text

ROLES = {"ada": "admin", "otto": "operator", "vera": "viewer"}


@pytest.fixture
def console(app):
    with app.app_context():
        for name, role in ROLES.items():
            create_user(name, f"{name}-password", role)
        add_instance(InstanceInput("pg1", "postgresql", "db1.example", 5432, "collector", "s3cret-pw", tags=("prod",)))
    return app


def login(app, username: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    credentials = {"username": username, "password": f"{username}-password", "csrf_token": token}
    response = client.post("/login", data=credentials)
    assert response.status_code == 302
    return client


def token_of(client, url: str = "/") -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def instance_id(app, name: str = "pg1") -> int:
    with app.app_context():
        return db.session.scalars(select(Instance.id).where(Instance.name == name)).one()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_every_page_renders_for_an_admin(console):
    ada = login(console, "ada")
    pid = instance_id(console)
    user_id = 1
    for url in ("/", "/instances", "/instances?tag=prod", "/instances/new", f"/instances/{pid}",
                f"/instances/{pid}/edit", "/accounts", "/changes", "/changes?since=2026-01-01&until=2026-12-31",
                "/sync", "/jobs", "/users", f"/users/{user_id}", "/tokens", "/audit?action=login"):  # fmt: skip
        response = ada.get(url)
        assert response.status_code == 200, url
        assert b"Skip to content" in response.data and b'id="main"' in response.data
    # The console's "API" link: the interactive docs open with the same login session.
    assert ada.get("/api/v1/docs").status_code == 200 and ada.get("/api/v1/openapi.json").status_code == 200


def test_the_stylesheet_and_scripts_are_served(console):
    page = login(console, "vera").get("/").get_data(as_text=True)
    for asset in [*re.findall(r'(?:href|src)="(/assets/[^"]+)"', page), "/assets/sync.js"]:
        response = console.test_client().get(asset)
        assert response.status_code == 200 and len(response.data) > 100, asset


def test_pages_need_a_login(console):
    anonymous = console.test_client()
    for url in ("/instances", "/changes", "/sync", "/jobs", "/users", "/tokens", "/audit"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url


@pytest.mark.parametrize(
    ("user", "allowed"),
    [("vera", set()), ("otto", {"operator"}), ("ada", {"operator", "admin"})],
)
def test_the_permission_matrix_on_pages(console, user, allowed):
    client = login(console, user)
    pid = instance_id(console)
    token = token_of(client)
    gets = {"operator": ["/instances/new", f"/instances/{pid}/edit"], "admin": ["/users", "/audit", "/users/1"]}
    for role, urls in gets.items():
        for url in urls:
            assert (client.get(url).status_code == 200) == (role in allowed), (user, url)
    posts = {
        "operator": [(f"/instances/{pid}/edit", {"host": "db1.example", "port": "5432", "description": "edited"})],
        "admin": [
            ("/jobs/prune_history/pause", {}),
            (f"/instances/{pid}/credential", {"username": "other", "password": "new-password"}),
            ("/users", {"username": "newbie", "password": "newbie-password", "role": "viewer"}),
        ],
    }
    for role, requests in posts.items():
        for url, data in requests:
            status = client.post(url, data={**data, "csrf_token": token}).status_code
            assert (status == 403) == (role not in allowed), (user, url, status)
    with console.app_context():
        instance = db.session.get(Instance, pid)
        assert (instance.description == "edited") == ("operator" in allowed)
        assert (instance.credential.username == "other") == ("admin" in allowed)
        paused = db.session.scalar(select(ScheduledJob.paused).where(ScheduledJob.job_id == "prune_history"))
        assert (paused is True) == ("admin" in allowed)
        assert (db.session.scalars(select(User).where(User.username == "newbie")).first() is not None) == (
            "admin" in allowed
        )


def test_navigation_shows_only_what_a_role_may_open(console):
    vera = login(console, "vera").get("/").get_data(as_text=True)
    assert ">Instances</a>" in vera and ">Users</a>" not in vera and ">Audit</a>" not in vera
    instance_page = login(console, "vera").get(f"/instances/{instance_id(console)}").get_data(as_text=True)
    assert "Sync now" not in instance_page and "Replace credential" not in instance_page
    ada = login(console, "ada").get(f"/instances/{instance_id(console)}").get_data(as_text=True)
    assert "Sync now" in ada and "Replace credential" in ada


def test_a_page_form_without_its_csrf_token_is_refused_and_changes_nothing(console):
    ada = login(console, "ada")
    pid = instance_id(console)
    assert ada.post(f"/instances/{pid}/remove").status_code == 400
    assert ada.post(f"/instances/{pid}/edit", data={"host": "x.example", "port": "1"}).status_code == 400
    with console.app_context():
        instance = db.session.get(Instance, pid)
        assert instance.deleted_at is None and instance.host == "db1.example"


def test_adding_an_instance_validates_tests_and_saves(console):
    otto = login(console, "otto")
    token = token_of(otto, "/instances/new")
    form = {"name": "my1", "engine": "mysql", "host": "127.0.0.1", "port": str(closed_port()), "username": "collector",
            "password": "top-secret-pw", "tags": "prod, eu", "csrf_token": token}  # fmt: skip

    bad = otto.post("/instances/new", data={**form, "port": "70000"})
    assert bad.status_code == 400 and "Number must be between 1 and 65535" in bad.get_data(as_text=True)
    bad_name = otto.post("/instances/new", data={**form, "name": "no spaces"})
    assert bad_name.status_code == 400 and "instance name &#39;no spaces&#39; is invalid" in bad_name.get_data(
        as_text=True
    )
    tested = otto.post("/instances/new", data={**form, "action": "test"})
    text = tested.get_data(as_text=True)
    assert tested.status_code == 400 and "Connection failed (unreachable)" in text
    with console.app_context():
        assert db.session.scalars(select(Instance).where(Instance.name == "my1")).first() is None

    saved = otto.post("/instances/new", data={**form, "action": "save"})
    assert saved.status_code == 302
    page = otto.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Instance my1 registered." in page and "top-secret-pw" not in page
    assert 'href="/instances?tag=eu"' in page
    duplicate = otto.post("/instances/new", data={**form, "action": "save"})
    assert duplicate.status_code == 400 and "already exists" in duplicate.get_data(as_text=True)


def test_editing_an_instance_then_testing_it(console):
    otto = login(console, "otto")
    pid = instance_id(console)
    data = {"host": "127.0.0.1", "port": str(closed_port()), "tags": "staging", "description": "moved",
            "active": "y", "action": "test", "csrf_token": token_of(otto)}  # fmt: skip
    # An operator may not aim the stored credential at another address; an admin may.
    refused = otto.post(f"/instances/{pid}/edit", data=data)
    assert refused.status_code == 400 and "needs the admin role" in refused.get_data(as_text=True)
    ada = login(console, "ada")
    response = ada.post(f"/instances/{pid}/edit", data={**data, "csrf_token": token_of(ada)}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Instance pg1 saved." in text and "Connection failed" in text and ">staging</a>" in text
    with console.app_context():
        instance = db.session.get(Instance, pid)
        assert (instance.host, instance.last_connection_ok) == ("127.0.0.1", False)


def test_a_sync_started_from_a_page_is_followed_on_its_session_page(console):
    ada = login(console, "ada")
    pid = instance_id(console)
    ada.post(f"/instances/{pid}/edit", data={"host": "127.0.0.1", "port": str(closed_port()), "active": "y",
                                             "csrf_token": token_of(ada)})  # fmt: skip
    otto = login(console, "otto")
    token = token_of(otto)
    started = otto.post(f"/instances/{pid}/sync", data={"csrf_token": token})
    assert started.status_code == 302 and started.headers["Location"].startswith("/sync/")
    session_id = int(started.headers["Location"].rsplit("/", 1)[1])
    page = otto.get(f"/sync/{session_id}").get_data(as_text=True)
    assert f'data-session-url="/api/v1/sync/sessions/{session_id}"' in page and ">pg1</a>" in page

    with console.app_context():
        done = wait_for(lambda: (s := db.session.get(SyncSession, session_id)) and s.status != "running" and s)
        assert done is not None and done.status == "failed"
    # The page's script reads the API with the same login session, no token needed.
    body = otto.get(f"/api/v1/sync/sessions/{session_id}").get_json()
    assert body["records"][0]["status"] == "failed" and "refused" in body["records"][0]["error"]
    assert f"#{session_id}" in otto.get("/sync").get_data(as_text=True)
    vera = login(console, "vera")
    assert vera.post("/sync", data={"csrf_token": token_of(vera)}).status_code == 403


def test_job_forms_pause_resume_and_edit_the_trigger(console):
    ada = login(console, "ada")
    token = token_of(ada, "/jobs")
    assert ada.post("/jobs/prune_history/pause", data={"csrf_token": token}).status_code == 302
    assert "Job prune_history paused." in ada.get("/jobs").get_data(as_text=True)
    bad = ada.post("/jobs/sync_accounts/trigger", data={"kind": "cron", "value": "0 24 * * *", "csrf_token": token},
                   follow_redirects=True)  # fmt: skip
    assert "trigger.cron.hour = &#39;24&#39;" in bad.get_data(as_text=True)
    assert 'value="0 1 * * *"' in ada.get("/jobs").get_data(as_text=True)  # the form starts from what is set
    for wrong in ("6x", "1h 2h", ""):
        form = {"kind": "interval", "value": wrong, "csrf_token": token}
        refused = ada.post("/jobs/sync_accounts/trigger", data=form, follow_redirects=True)
        assert "is not understood" in refused.get_data(as_text=True), wrong
    huge = {"kind": "interval", "value": "99999999999d", "csrf_token": token}  # would stop the scheduler
    assert "out of range" in ada.post("/jobs/sync_accounts/trigger", data=huge, follow_redirects=True).get_data(
        as_text=True
    )
    edited = ada.post("/jobs/sync_accounts/trigger", data={"kind": "interval", "value": "1h 30m", "csrf_token": token},
                      follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "every 1h 30m (edited here)" in edited and 'value="1h 30m"' in edited
    with console.app_context():
        states = {s.job_id: s for s in db.session.scalars(select(ScheduledJob))}
        assert states["prune_history"].paused and states["sync_accounts"].trigger_override == {
            "interval": {"hours": 1, "minutes": 30}
        }
    assert ada.post("/jobs/sync_accounts/trigger", data={"kind": "file", "csrf_token": token}).status_code == 302
    assert ada.post("/jobs/prune_history/resume", data={"csrf_token": token}).status_code == 302
    with console.app_context():
        states = {s.job_id: s for s in db.session.scalars(select(ScheduledJob))}
        assert not states["prune_history"].paused and states["sync_accounts"].trigger_override is None
    assert ada.post("/jobs/nope/pause", data={"csrf_token": token}).status_code == 404


def test_users_are_created_and_edited_and_an_admin_cannot_demote_themselves(console):
    ada = login(console, "ada")
    token = token_of(ada, "/users")
    short = ada.post("/users", data={"username": "newbie", "password": "x", "role": "viewer", "csrf_token": token})
    assert short.status_code == 400 and "at least" in short.get_data(as_text=True)
    assert ada.post("/users", data={"username": "newbie", "password": "newbie-password", "role": "viewer",
                                    "csrf_token": token}).status_code == 302  # fmt: skip
    with console.app_context():
        ada_id = db.session.scalars(select(User.id).where(User.username == "ada")).one()
        newbie_id = db.session.scalars(select(User.id).where(User.username == "newbie")).one()
    assert ada.post(f"/users/{newbie_id}", data={"role": "operator", "enabled": "y", "csrf_token": token}).status_code
    demote = ada.post(f"/users/{ada_id}", data={"role": "viewer", "enabled": "y", "csrf_token": token})
    assert demote.status_code == 400 and "your own admin role" in demote.get_data(as_text=True)
    with console.app_context():
        roles = dict(db.session.execute(select(User.username, User.role)).all())
        assert roles["newbie"] == "operator" and roles["ada"] == "admin"
    assert ada.get("/users/999999").status_code == 404


def test_a_token_is_shown_once_and_can_be_revoked(console):
    vera = login(console, "vera")
    token = token_of(vera, "/tokens")
    created = vera.post("/tokens", data={"name": "ci-export", "csrf_token": token}).get_data(as_text=True)
    plaintext = re.search(r'id="token-value" value="([^"]+)"', created).group(1)
    assert vera.get("/api/v1/accounts", headers={"Authorization": f"Bearer {plaintext}"}).status_code == 200
    assert "no-store" in vera.get("/tokens").headers["Cache-Control"]  # the page that showed a secret is not cached
    listing = vera.get("/tokens").get_data(as_text=True)
    assert "ci-export" in listing and plaintext not in listing
    with console.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    otto = login(console, "otto")
    assert otto.post(f"/tokens/{token_id}/revoke", data={"csrf_token": token_of(otto)}).status_code == 404
    assert vera.post(f"/tokens/{token_id}/revoke", data={"csrf_token": token}).status_code == 302
    fresh = console.test_client()
    assert fresh.get("/api/v1/accounts", headers={"Authorization": f"Bearer {plaintext}"}).status_code == 401


def test_audit_and_change_pages_filter_and_refuse_bad_input(console):
    ada = login(console, "ada")
    audit = ada.get("/audit?action=login").get_data(as_text=True)
    assert "login.succeeded" in audit and "instance.created" not in audit
    assert "instance.created" in ada.get("/audit?action=instance").get_data(as_text=True)
    bad_date = ada.get("/changes?since=yesterday")
    assert bad_date.status_code == 400 and "since &#39;yesterday&#39; is not a date" in bad_date.get_data(as_text=True)
    assert ada.get("/changes?change_type=nope").status_code == 400
    assert ada.get("/audit?page=0").status_code == 400
    assert ada.get("/sync/999999").status_code == 404


def test_cookie_authenticated_api_writes_need_the_csrf_token(console):
    otto = login(console, "otto")
    pid = instance_id(console)
    assert otto.get("/api/v1/instances").status_code == 200
    refused = otto.patch(f"/api/v1/instances/{pid}", json={"description": "via cookie"})
    assert refused.status_code == 400 and "CSRF" in refused.get_json()["error"]["message"]
    accepted = otto.patch(f"/api/v1/instances/{pid}", json={"description": "via cookie"},
                          headers={"X-CSRFToken": token_of(otto)})  # fmt: skip
    assert accepted.status_code == 200 and accepted.get_json()["description"] == "via cookie"
    vera = login(console, "vera")
    assert vera.patch(f"/api/v1/instances/{pid}", json={"description": "x"},
                      headers={"X-CSRFToken": token_of(vera)}).status_code == 403  # fmt: skip
    with console.app_context():
        assert db.session.get(Instance, pid).description == "via cookie"
        updates = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "instance.updated"))
        assert {event.actor for event in updates} == {"otto"}


@pytest.mark.parametrize(
    ("change_type", "detail", "text"),
    [
        ("privilege_granted", {"privilege": "UPDATE", "level": "column", "database": "shop", "object": "orders",
                               "column": "total", "grantable": True, "state": "GRANT"},
         "UPDATE (total) on shop.orders with grant option"),
        ("privilege_revoked", {"privilege": "CREATE", "level": "global", "state": "GRANT"}, "CREATE on global"),
        ("privilege_granted", {"privilege": "SELECT", "level": "table", "database": "db", "schema": "s",
                               "object": "t", "state": "DENY"}, "DENY SELECT on db.s.t"),
        ("role_granted", {"role": "readers", "role_host": "%", "admin_option": True}, "readers@% with admin option"),
        ("attribute_changed", {"attribute": "locked", "old": False, "new": True}, "locked: False → True"),
        ("account_created", {"privileges": 2, "roles": []}, "privileges: 2, roles: none"),
        ("account_deleted", None, ""),
    ],
)  # fmt: skip
def test_a_change_reads_as_a_sentence(change_type, detail, text):
    assert change_text(detail, change_type) == text


def test_hostile_names_from_a_monitored_server_stay_text(console):
    """A table or account name is chosen by whoever administers the monitored server, not by WhaleFall."""
    hostile = 'x" onmouseover="alert(1)'
    with console.app_context():
        instance = db.session.get(Instance, instance_id(console))
        attributes = {"can_login": True, "superuser": False, "locked": False, "password_expired": False}
        account = make_account('=HYPERLINK("http://evil")', "user", attributes,
                               [Privilege("SELECT", "table", "db", "s", hostile)])  # fmt: skip
        store_inventory(instance, Inventory("postgresql", "16", [account]), None)
        db.session.commit()
    vera = login(console, "vera")
    for url in ("/", "/changes"):
        page = vera.get(url).get_data(as_text=True)
        assert 'onmouseover="alert(1)' not in page and "&#34;" in page, url
    csv_text = vera.get("/accounts.csv").get_data(as_text=True)
    assert ',"\'=HYPERLINK(""http://evil"")",' in csv_text, csv_text  # neutralised for spreadsheets
    headers = vera.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"] and headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "url",
    [
        "/accounts?endpoint=x", "/accounts?_external=1&_scheme=javascript", "/accounts?_method=POST",
        "/changes?endpoint=x&page=2", "/audit?_anchor=x", "/sync?endpoint=x",
    ],
)  # fmt: skip
def test_query_arguments_never_reach_url_building(console, url):
    response = login(console, "ada").get(url)
    assert response.status_code == 200 and "javascript:" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/accounts?name=a%00b", None),
        ("get", "/changes?instance=%00", None),
        ("get", "/audit?actor=%00", None),
        ("get", "/accounts.csv?role=%00", None),
        ("get", "/api/v1/accounts?name=%00", None),
        ("get", "/changes?until=9999-12-31", None),
        ("get", "/audit?since=0001-01-01T00:00%2B01:00", None),
        ("post", "/users", {"username": "nul\x00user", "password": "long-enough-pw", "role": "viewer"}),
        ("patch", "/api/v1/instances/1", '{"description": "a\\u0000b"}'),
    ],
)
def test_malformed_input_gets_a_400_not_a_500(console, method, url, data):
    ada = login(console, "ada")
    token = token_of(ada)
    if method == "get":
        response = ada.get(url)
    elif method == "patch":
        response = ada.patch(url, data=data, content_type="application/json", headers={"X-CSRFToken": token})
    else:
        response = ada.post(url, data={**data, "csrf_token": token})
    assert response.status_code == 400, (url, response.status_code)


@pytest.mark.parametrize("target", ["//evil.example", "/\t/evil.example", "/\\evil.example",
                                    "https://evil.example", "/\x7f/evil"])  # fmt: skip
def test_login_never_redirects_off_site(console, target):
    client = console.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", query_string={"next": target},
                           data={"username": "vera", "password": "vera-password", "csrf_token": token})  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"] == "/", target
