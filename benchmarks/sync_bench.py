"""Account-sync benchmark: WhaleFall against pt-show-grants (MariaDB) and pg_dumpall --roles-only (PostgreSQL).

Run: ``make bench-sync`` (or ``.venv/bin/python benchmarks/sync_bench.py [--accounts 2000] [--rounds 5]``).
It starts throwaway MariaDB and PostgreSQL 15 servers (as the tests do), creates N accounts with mixed grants on
each, then measures in the same run, N rounds each, medians:

- WhaleFall full sync (read, normalise, store an instance seen for the first time) and unchanged re-sync (must
  write 0 rows), each in a child process that also reports its peak RSS and the queries it issued. The full sync
  is timed twice: as the first sync of a fresh process (driver imports and TLS context included), and as the
  first sync of a second instance in a process that has synced before — the steady state of a running WhaleFall;
- ``pt-show-grants`` against the same MariaDB, ``pg_dumpall --roles-only`` against the same PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import MariaDBServer, PostgresServer, debian_postgres_bin  # noqa: E402

CHILD = r"""
import json, resource, sys, time
from cryptography.fernet import Fernet
from whalefall.app import create_app
from whalefall.core.config import Settings
from flask_migrate import upgrade
engine, port, user, password, data_dir, rounds = sys.argv[1:7]
key = Fernet.generate_key().decode()
env = {"WHALEFALL_DATA_DIR": data_dir, "SECRET_KEY": "bench", "WHALEFALL_CREDENTIAL_KEY": key,
       "WHALEFALL_LOG_LEVEL": "WARNING"}
app = create_app(Settings.from_env(env), console_log_level="ERROR")
with app.app_context():
    upgrade()
    from whalefall.services.instances import InstanceInput, add_instance
    from whalefall.services.account_sync import AccountSyncCoordinator
    from whalefall.tasks.accounts_sync import sync_accounts
    from whalefall.core.extensions import db
    from whalefall.models import SyncRecord
    first = add_instance(InstanceInput("first", engine, "127.0.0.1", int(port), user, password))
    started = time.perf_counter()
    sync_accounts(instance_ids=[first.id], trigger="cli")
    cold_seconds = time.perf_counter() - started
    # The same server registered again: its first sync is a full sync, in a process that has synced before
    # (drivers imported, TLS context built), as when a running WhaleFall gets a new instance.
    instance = add_instance(InstanceInput("bench", engine, "127.0.0.1", int(port), user, password))
    started = time.perf_counter()
    full = sync_accounts(instance_ids=[instance.id], trigger="cli")
    full_seconds = time.perf_counter() - started
    record = db.session.query(SyncRecord).filter_by(session_id=full["sync_session_id"]).one()
    resyncs, written = [], []
    for _ in range(int(rounds)):
        started = time.perf_counter()
        outcome = sync_accounts(instance_ids=[instance.id], trigger="cli")
        resyncs.append(time.perf_counter() - started)
        again = db.session.query(SyncRecord).filter_by(session_id=outcome["sync_session_id"]).one()
        written.append(again.created + again.updated + again.deleted + again.changes)
    reads = []
    for _ in range(int(rounds)):
        coordinator = AccountSyncCoordinator(db.session.get(type(instance), instance.id), time.monotonic() + 600)
        started = time.perf_counter()
        coordinator.collect()
        reads.append(time.perf_counter() - started)
    print(json.dumps({"full": full_seconds, "cold": cold_seconds, "resync": resyncs, "read_only": reads,
                      "status": record.status, "found": record.found, "queries": record.queries,
                      "written_on_resync": written,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def create_mariadb_accounts(server: MariaDBServer, count: int) -> None:
    connection = server.connect()
    with connection.cursor() as cursor:
        for db_index in range(10):
            cursor.execute(f"CREATE DATABASE bench_{db_index}")
            cursor.execute(f"CREATE TABLE bench_{db_index}.t (id INT, amount INT, note TEXT)")
        for role_index in range(20):
            cursor.execute(f"CREATE ROLE bench_role_{role_index}")
            cursor.execute(f"GRANT SELECT ON bench_{role_index % 10}.* TO bench_role_{role_index}")
        for i in range(count):
            account = f"'bench_user_{i}'@'10.{i % 250}.%'"
            cursor.execute(f"CREATE USER {account} IDENTIFIED BY 'pw-{i}'")
            cursor.execute(f"GRANT SELECT, INSERT ON bench_{i % 10}.* TO {account}")
            if i % 3 == 0:
                cursor.execute(f"GRANT UPDATE, DELETE ON bench_{(i + 1) % 10}.t TO {account} WITH GRANT OPTION")
            if i % 5 == 0:
                cursor.execute(f"GRANT SELECT (amount), UPDATE (note) ON bench_{(i + 2) % 10}.t TO {account}")
            if i % 7 == 0:
                cursor.execute(f"GRANT PROCESS ON *.* TO {account}")
            if i % 4 == 0:
                cursor.execute(f"GRANT bench_role_{i % 20} TO {account}")
    connection.close()


def create_postgres_roles(server: PostgresServer, count: int) -> None:
    with server.connect() as connection:
        connection.execute("CREATE DATABASE bench")
    with server.connect() as connection:
        for role_index in range(20):
            connection.execute(f"CREATE ROLE bench_group_{role_index}")
        for i in range(count):
            connection.execute(f"CREATE ROLE bench_user_{i} LOGIN PASSWORD 'pw-{i}' CONNECTION LIMIT {i % 50}")
            if i % 2 == 0:
                connection.execute(f"GRANT bench_group_{i % 20} TO bench_user_{i}")
    with server.connect("bench") as connection:
        for schema_index in range(10):
            connection.execute(f"CREATE SCHEMA s{schema_index}")
            connection.execute(f"CREATE TABLE s{schema_index}.t (id int, amount int, note text)")
        for i in range(count):
            schema = f"s{i % 10}"
            connection.execute(f"GRANT USAGE ON SCHEMA {schema} TO bench_user_{i}")
            connection.execute(f"GRANT SELECT, INSERT ON {schema}.t TO bench_user_{i}")
            if i % 5 == 0:
                connection.execute(f"GRANT UPDATE (note) ON {schema}.t TO bench_user_{i}")


def time_command(argv: list[str], rounds: int, env: dict[str, str] | None = None, ok=(0,)) -> list[float]:
    """Wall time of a reference tool. pt-show-grants 3.2.1 exits 1 on MariaDB roles after printing every grant it
    can, so its runs are accepted with ``ok=(0, 1)`` as long as they printed grants."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, env=env)
        if done.returncode not in ok or ("GRANT" not in done.stdout.upper() and "ROLE" not in done.stdout.upper()):
            sys.exit(f"{argv[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
        times.append(time.perf_counter() - started)
    return times


def whalefall_sync(engine: str, port: int, user: str, password: str, rounds: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="wf-bench-") as data_dir:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, engine, str(port), user, password, data_dir, str(rounds)],
            capture_output=True,
            text=True,
        )
    if out.returncode != 0:
        sys.exit(f"WhaleFall sync of {engine} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not shutil.which("pt-show-grants"):
        sys.exit("pt-show-grants is missing: run `make system-deps` (Debian package percona-toolkit)")

    mariadb = MariaDBServer().start()
    postgres = PostgresServer("15", debian_postgres_bin(15)).start()
    try:
        print(f"creating {args.accounts} MariaDB accounts and {args.accounts} PostgreSQL roles...", file=sys.stderr)
        create_mariadb_accounts(mariadb, args.accounts)
        create_postgres_roles(postgres, args.accounts)

        runs = [
            whalefall_sync("mysql", mariadb.port, "root", mariadb.password, args.rounds) for _ in range(args.rounds)
        ]
        pt = time_command(
            ["pt-show-grants", "--host", "127.0.0.1", "--port", str(mariadb.port), "--user", "root",
             "--password", mariadb.password],
            args.rounds,
            ok=(0, 1),
        )  # fmt: skip
        pg_runs = [whalefall_sync("postgresql", postgres.port, "postgres", postgres.password, args.rounds)
                   for _ in range(args.rounds)]  # fmt: skip
        dumpall = time_command(
            [str(debian_postgres_bin(15) / "pg_dumpall"), "--roles-only", "-h", "127.0.0.1", "-p", str(postgres.port),
             "-U", "postgres"],
            args.rounds,
            env={**os.environ, "PGPASSWORD": postgres.password},
        )  # fmt: skip
    finally:
        mariadb.stop()
        postgres.stop()

    report(args, runs, pt, pg_runs, dumpall)


def report(args, runs, pt, pg_runs, dumpall) -> None:
    def med(values):
        return statistics.median(values)

    for name, results in (("MariaDB", runs), ("PostgreSQL", pg_runs)):
        for run in results:
            assert run["status"] == "succeeded", run
            assert all(count == 0 for count in run["written_on_resync"]), f"{name} re-sync wrote rows: {run}"

    maria_full = med([r["full"] for r in runs])
    maria_cold = med([r["cold"] for r in runs])
    pg_cold = med([r["cold"] for r in pg_runs])
    maria_resync = med([t for r in runs for t in r["resync"]])
    maria_read = med([t for r in runs for t in r["read_only"]])
    pg_full = med([r["full"] for r in pg_runs])
    pg_resync = med([t for r in pg_runs for t in r["resync"]])
    pt_median, dumpall_median = med(pt), med(dumpall)

    print(f"\naccounts: {args.accounts} per server, rounds: {args.rounds} (medians)\n")
    print(f"| {'measure':<46} | {'seconds':>8} | {'ratio':>22} |")
    print(f"|{'-' * 48}|{'-' * 10}|{'-' * 24}|")
    rows = [
        ("pt-show-grants (MariaDB)", pt_median, "1.00 (reference)"),
        ("WhaleFall full sync, MariaDB", maria_full, f"{maria_full / pt_median:.2f}x pt-show-grants"),
        ("  same, first sync of a fresh process", maria_cold, f"{maria_cold / pt_median:.2f}x pt-show-grants"),
        ("WhaleFall unchanged re-sync, MariaDB", maria_resync, f"{maria_resync / pt_median:.2f}x pt-show-grants"),
        ("WhaleFall catalog read only, MariaDB", maria_read, f"{maria_read / pt_median:.2f}x pt-show-grants"),
        ("pg_dumpall --roles-only (PostgreSQL 15)", dumpall_median, "1.00 (reference)"),
        ("WhaleFall full sync, PostgreSQL", pg_full, f"{pg_full / dumpall_median:.2f}x pg_dumpall"),
        ("  same, first sync of a fresh process", pg_cold, f"{pg_cold / dumpall_median:.2f}x pg_dumpall"),
        ("WhaleFall unchanged re-sync, PostgreSQL", pg_resync, f"{pg_resync / dumpall_median:.2f}x pg_dumpall"),
    ]
    for name, seconds, ratio in rows:
        print(f"| {name:<46} | {seconds:>8.3f} | {ratio:>22} |")
    print()
    print(f"| {'server':<12} | {'accounts found':>14} | {'queries/instance':>16} | {'rows written on re-sync':>23} | "
          f"{'peak RSS MB':>11} |")  # fmt: skip
    print(f"|{'-' * 14}|{'-' * 16}|{'-' * 18}|{'-' * 25}|{'-' * 13}|")
    for name, results in (("MariaDB", runs), ("PostgreSQL", pg_runs)):
        run = results[0]
        peak = max(r["peak_rss_mb"] for r in results)
        print(f"| {name:<12} | {run['found']:>14} | {run['queries']:>16} | {0:>23} | {peak:>11.0f} |")


if __name__ == "__main__":
    main()
