"""End to end in a real browser (Debian's headless Chromium driven by Playwright) against the real MariaDB.

A DBA logs in with the keyboard, registers the server through the add-instance form (testing the connection
first), syncs it from the instance page and watches the live progress, finds an account by a column-level
privilege in the explorer, a grant changes on the server, a second sync, and the change is on the account's
timeline. A screenshot of every page goes to build/e2e-screenshots/ (or $WHALEFALL_SCREENSHOTS).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.servers import unavailable
from whalefall.services.users import create_user

pytestmark = [pytest.mark.servers, pytest.mark.slow]

CHROMIUM = os.environ.get("WHALEFALL_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("WHALEFALL_SCREENSHOTS", Path(__file__).resolve().parent.parent / "build/e2e-screenshots"))
# Flags for a sandboxed, offline machine: no background calls home that the closed network would refuse.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]
COLLECTOR = ("e2e_collector", "E2e-Coll3ctor!")
SERVER_SETUP = [
    f"CREATE USER '{COLLECTOR[0]}'@'%' IDENTIFIED BY '{COLLECTOR[1]}'",
    *(f"GRANT SELECT ON mysql.{table} TO '{COLLECTOR[0]}'@'%'"
      for table in ("global_priv", "db", "tables_priv", "columns_priv", "procs_priv", "proxies_priv", "roles_mapping")),
    "CREATE DATABASE e2e_shop",
    "CREATE TABLE e2e_shop.customers (id INT PRIMARY KEY, email TEXT, phone TEXT)",
    "CREATE USER 'e2e_reporter'@'%' IDENTIFIED BY 'Rep0rter-pw'",
    "GRANT SELECT (id, email) ON e2e_shop.customers TO 'e2e_reporter'@'%'",
    "CREATE USER 'e2e_app'@'%' IDENTIFIED BY 'App-pw-123'",
    "GRANT SELECT, INSERT ON e2e_shop.* TO 'e2e_app'@'%'",
]  # fmt: skip
SERVER_TEARDOWN = [
    "DROP USER IF EXISTS 'e2e_reporter'@'%'",
    "DROP USER IF EXISTS 'e2e_app'@'%'",
    f"DROP USER IF EXISTS '{COLLECTOR[0]}'@'%'",
    "DROP DATABASE IF EXISTS e2e_shop",
]


@pytest.fixture
def mariadb_accounts(mariadb):
    """Accounts on the real server, removed afterwards so the other MariaDB tests see the server unchanged."""
    mariadb.execute(SERVER_TEARDOWN + SERVER_SETUP)
    yield mariadb
    mariadb.execute(SERVER_TEARDOWN)


@pytest.fixture
def live_url(app):
    """The app served over real HTTP on a free port, in threads of this process (its syncs run here too)."""
    with app.app_context():
        create_user("dba", "dba-password-1", "admin")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-http", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def browser_page():
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium is not installed at {CHROMIUM} (Debian package chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("dialog", lambda dialog: dialog.accept())
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "response", lambda response: response.status >= 400 and errors.append(f"{response.status} {response.url}")
        )
        yield page, sync_api.expect
        browser.close()
    assert errors == [], f"JavaScript errors or failed loads on the pages: {errors}"


def test_a_dba_finds_a_column_grant_and_sees_it_change(live_url, mariadb_accounts, browser_page):
    page, expect = browser_page
    shots = iter(range(1, 100))

    def shot(name: str) -> None:
        page.screenshot(path=str(SHOTS / f"{next(shots):02d}-{name}.png"), full_page=True)

    # Log in with the keyboard alone.
    page.goto(f"{live_url}/instances")
    expect(page).to_have_url(f"{live_url}/login?next=%2Finstances")
    shot("login")
    expect(page.get_by_label("User")).to_be_focused()  # the form takes the keyboard on arrival
    page.keyboard.type("dba")
    page.keyboard.press("Tab")
    page.keyboard.type("dba-password-1")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Instances")).to_be_visible()
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    shot("dashboard-empty")

    # Register the real MariaDB through the form: test the connection first, then save.
    page.get_by_role("link", name="Instances").click()
    page.get_by_role("link", name="Add instance").click()
    page.get_by_label("Name").fill("mariadb-e2e")
    page.get_by_label("Engine").select_option("mysql")
    page.get_by_label("Host").fill("127.0.0.1")
    page.get_by_label("Port").fill(str(mariadb_accounts.port))
    page.get_by_label("Collector user").fill(COLLECTOR[0])
    page.get_by_label("Password").fill(COLLECTOR[1])
    page.get_by_label("Tags").fill("e2e, lab")
    page.get_by_role("button", name="Test connection").click()
    expect(page.get_by_role("status")).to_contain_text("Connected to 127.0.0.1")
    shot("add-instance-tested")
    page.get_by_role("button", name="Save instance").click()
    saved = ["Instance mariadb-e2e registered.", re.compile(r"^Connected: 10\.")]  # then tested: its version
    expect(page.get_by_role("status")).to_have_text(saved)
    shot("instance")

    # Sync from the instance page; the session page follows the progress live until it ends.
    sync_and_wait(page, expect)
    shot("sync-session-1")

    # Find the account by a column-level privilege in the explorer ("/" jumps to the first filter).
    page.get_by_role("link", name="Accounts").click()
    page.wait_for_load_state()
    page.keyboard.press("/")
    expect(page.get_by_role("textbox", name="Name")).to_be_focused()
    page.keyboard.type("e2e_")
    filters = page.get_by_role("form", name="Filter accounts")
    filters.get_by_role("textbox", name="Privilege").fill("SELECT")
    filters.locator("select[name=level]").select_option("column")
    filters.get_by_role("textbox", name="Column").fill("email")
    filters.get_by_role("textbox", name="Column").press("Enter")
    expect(page.get_by_text("1 account", exact=True)).to_be_visible()
    expect(page.get_by_role("textbox", name="Name")).to_have_value("e2e_")  # the filters stay as typed
    shot("accounts-column-filter")
    page.get_by_role("link", name="e2e_reporter@%").click()
    expect(page.get_by_role("heading", name="column", exact=True)).to_be_visible()
    account_url = page.url
    shot("account-before")

    # The grant changes on the server; a second sync records it on the account's timeline.
    mariadb_accounts.execute(["GRANT UPDATE (phone) ON e2e_shop.customers TO 'e2e_reporter'@'%'"])
    page.get_by_role("link", name="Instances").click()
    page.get_by_role("link", name="mariadb-e2e").click()
    sync_and_wait(page, expect)
    shot("sync-session-2")
    page.goto(account_url)
    timeline = page.get_by_role("table", name="Timeline")
    granted = timeline.get_by_role("row").filter(has_text="privilege_granted")
    expect(granted).to_have_count(1)
    expect(granted).to_contain_text("UPDATE (phone) on e2e_shop.customers")
    shot("account-timeline")

    # Every other screen renders.
    for link, heading in (("Changes", "Privilege changes"), ("Syncs", "Sync sessions"), ("Jobs", "Scheduled jobs"),
                          ("Tokens", "API tokens"), ("Users", "Users"), ("Audit", "Audit log"),
                          ("Dashboard", "Dashboard")):  # fmt: skip
        page.get_by_role("navigation", name="Main").get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        shot(link.lower())
    expect(page.get_by_role("main")).to_contain_text("UPDATE (phone) on e2e_shop.customers")
    page.goto(f"{live_url}/changes?change_type=privilege_granted&instance=mariadb-e2e")
    expect(page.get_by_role("main")).to_contain_text("e2e_reporter@%")
    shot("changes-filtered")


def sync_and_wait(page, expect) -> None:
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_role("heading", name="Sync #")).to_be_visible()
    status = page.locator("strong[data-field=status]")
    expect(status).not_to_have_text("running", timeout=60_000)  # updated in place by the page's script
    expect(status).to_have_text("succeeded")
    expect(page.locator("tr[data-instance] [data-field=status]")).to_have_text("succeeded")
