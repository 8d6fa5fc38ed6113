"""API latency benchmark: 100,000 accounts across 200 instances on PostgreSQL; p50/p95 of the accounts list
(filtered, page of 50) and of one account's detail. Target: p95 under 100 ms for both.

Run: ``make bench-api`` (or ``.venv/bin/python benchmarks/api_bench.py [--accounts 100000] [--requests 300]``).
It starts a throwaway PostgreSQL 15, migrates WhaleFall's schema into it, loads the data with COPY, and times
requests through the WSGI app in-process (authenticated with an API token), so the figures are the app's and the
database's, not a network's. Pages are page numbers (OFFSET): the first hundred pages are timed; a page deep in an
unfiltered list costs a walk of the index up to it (about 75 ms at page 1,500 here). The console's explorer and
account pages are timed too, through a client logged in with the login form: the same queries plus the HTML.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import PostgresServer, debian_postgres_bin  # noqa: E402

PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "USAGE", "EXECUTE", "CONNECT"]
LEVELS = ["database", "schema", "table", "column", "routine"]


def load(server: PostgresServer, database: str, instances: int, accounts: int) -> None:
    """Instances, accounts, ~6 privileges and ~1 membership per account, and a change each, via COPY."""
    now = datetime.now(UTC).isoformat()
    rng = random.Random(7)
    with server.connect(database) as connection, connection.cursor() as cursor:
        with cursor.copy("COPY instances (id, name, engine, host, port, is_active, created_at, updated_at) "
                         "FROM STDIN") as copy:  # fmt: skip
            for i in range(1, instances + 1):
                copy.write_row((i, f"inst-{i:03d}", "postgresql" if i % 2 else "mysql", f"db{i}", 5432, True, now, now))
        per_instance = accounts // instances
        account_id = 0
        with cursor.copy(
            "COPY accounts (id, instance_id, name, host, kind, status, attributes, can_login, is_superuser, "
            "is_locked, fingerprint, first_seen_at, last_seen_at, changed_at) FROM STDIN"
        ) as copy:
            for i in range(1, instances + 1):
                for a in range(per_instance):
                    account_id += 1
                    superuser = a == 0
                    attributes = json.dumps({"can_login": True, "superuser": superuser, "locked": a % 97 == 0,
                                             "password_expired": False})  # fmt: skip
                    copy.write_row((account_id, i, f"user_{a:04d}", "%" if i % 2 == 0 else "", "user" if a % 10 else
                                    "role", "active", attributes, True, superuser, a % 97 == 0, "x" * 64, now, now,
                                    now))  # fmt: skip
        with cursor.copy(
            "COPY account_privileges (account_id, privilege, level, database_name, schema_name, object_name, "
            "column_name, grantable, state) FROM STDIN"
        ) as copy:
            for aid in range(1, account_id + 1):
                for n in range(6):
                    level = LEVELS[(aid + n) % len(LEVELS)]
                    copy.write_row((aid, PRIVILEGES[(aid * 3 + n) % len(PRIVILEGES)], level, f"db{aid % 20}",
                                    "public" if level != "database" else None,
                                    f"t{rng.randrange(500)}" if level in ("table", "column", "routine") else None,
                                    f"c{rng.randrange(30)}" if level == "column" else None, n == 0,
                                    "GRANT"))  # fmt: skip
        with cursor.copy(
            "COPY account_role_memberships (account_id, role, admin_option, is_default) FROM STDIN"
        ) as copy:
            for aid in range(1, account_id + 1):
                copy.write_row((aid, f"role_{aid % 10}", False, False))
        with cursor.copy("COPY account_changes (instance_id, account_id, change_type, account_name, account_host, "
                         "account_kind, detail, detected_at) FROM STDIN") as copy:  # fmt: skip
            for aid in range(1, account_id + 1):
                copy.write_row(((aid - 1) // per_instance + 1, aid, "account_created", "user", "", "user", "{}", now))
        for table in ("instances", "accounts"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute("ANALYZE")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def logged_in_console(app):
    """A browser-like client logged in through the console's form (CSRF token and all)."""
    console = app.test_client()
    form = console.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    reply = console.post("/login", data={"username": "bench", "password": "bench-password", "csrf_token": token})
    assert reply.status_code == 302, reply.status_code
    return console


def timed_page(console, url: str) -> float:
    started = time.perf_counter()
    response = console.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and b"<table" in response.data, url
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--instances", type=int, default=200)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    server = PostgresServer("15", debian_postgres_bin(15)).start()
    try:
        database = server.create_database("whalefall_bench")
        from cryptography.fernet import Fernet
        from flask_migrate import upgrade

        from whalefall.app import create_app
        from whalefall.core.config import Settings

        env = {"WHALEFALL_DATA_DIR": tempfile.mkdtemp(prefix="wf-api-bench-"), "SECRET_KEY": "bench",
               "WHALEFALL_CREDENTIAL_KEY": Fernet.generate_key().decode(), "DATABASE_URL": server.url(database),
               "WHALEFALL_LOG_LEVEL": "WARNING"}  # fmt: skip
        app = create_app(Settings.from_env(env), console_log_level="ERROR")
        with app.app_context():
            upgrade()
            from whalefall.services.tokens import create_token
            from whalefall.services.users import create_user

            create_user("bench", "bench-password", "viewer")
            _, token = create_token("bench", "bench", None)
        started = time.perf_counter()
        load(server, database, args.instances, args.accounts)
        print(f"loaded {args.accounts} accounts in {time.perf_counter() - started:.1f}s", file=sys.stderr)

        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        console = logged_in_console(app)
        rng = random.Random(11)
        list_queries = {
            "privilege=SELECT&level=column": lambda: (
                f"/api/v1/accounts?privilege=SELECT&level=column&per_page=50&page={rng.randint(1, 20)}"
            ),
            "instance=…&kind=user": lambda: (
                f"/api/v1/accounts?instance=inst-{rng.randint(1, args.instances):03d}&kind=user&per_page=50"
            ),
            "name=user_0NN (substring)": lambda: f"/api/v1/accounts?name=user_0{rng.randint(10, 99)}&per_page=50",
            "superuser=true&engine=mysql": lambda: "/api/v1/accounts?superuser=true&engine=mysql&per_page=50",
            "role=…&sort=-changed_at": lambda: (
                f"/api/v1/accounts?role=role_{rng.randint(0, 9)}&sort=-changed_at&per_page=50"
            ),
            "no filter, page 1-100": lambda: f"/api/v1/accounts?per_page=50&page={rng.randint(1, 100)}",
        }
        for url in (q() for q in list_queries.values()):  # warm up caches and compiled statements
            assert client.get(url, headers=headers).status_code == 200, url
        timings = {"list": [], "detail": [], "page_list": [], "page_detail": []}
        by_filter: dict[str, list[float]] = {name: [] for name in list_queries}
        names = list(list_queries)
        for n in range(args.requests):
            name = names[n % len(names)]
            url = list_queries[name]()
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            timings["list"].append(time.perf_counter() - started)
            by_filter[name].append(timings["list"][-1])
            assert response.status_code == 200 and len(response.get_json()["items"]) <= 50
            started = time.perf_counter()
            response = client.get(f"/api/v1/accounts/{rng.randint(1, args.accounts)}", headers=headers)
            timings["detail"].append(time.perf_counter() - started)
            assert response.status_code == 200
            # The console's pages for the same questions: the same queries plus rendering the HTML.
            timings["page_list"].append(timed_page(console, url.replace("/api/v1/accounts", "/accounts")))
            timings["page_detail"].append(timed_page(console, f"/accounts/{rng.randint(1, args.accounts)}"))
    finally:
        server.stop()

    print(f"\n{args.accounts} accounts, {args.instances} instances, PostgreSQL 15, {args.requests} requests each\n")
    print(f"| {'request':<46} | {'p50 ms':>7} | {'p95 ms':>7} | {'target p95':>10} |")
    print(f"|{'-' * 48}|{'-' * 9}|{'-' * 9}|{'-' * 12}|")
    for name, key in (("accounts list (filtered, page of 50)", "list"), ("one account's detail", "detail"),
                      ("console: accounts explorer page (same filters)", "page_list"),
                      ("console: account page", "page_detail")):  # fmt: skip
        p50, p95 = percentiles(timings[key])
        print(f"| {name:<46} | {p50:>7.1f} | {p95:>7.1f} | {'< 100 ms':>10} |")
    print(f"\n| {'accounts list, by filter':<46} | {'p50 ms':>7} | {'p95 ms':>7} |")
    print(f"|{'-' * 48}|{'-' * 9}|{'-' * 9}|")
    for name, samples in by_filter.items():
        p50, p95 = percentiles(samples)
        print(f"| {name:<46} | {p50:>7.1f} | {p95:>7.1f} |")


if __name__ == "__main__":
    main()
