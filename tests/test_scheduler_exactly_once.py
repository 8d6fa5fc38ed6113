"""Exactly once, for real: schedulers on two "hosts" sharing one PostgreSQL database, and Gunicorn's four workers
next to a scheduler process, each fire every trigger once; a standby takes over within 30 s of a SIGKILL.

Every run is a job-run row with its owner (host:pid); runs are counted over a window with a 2-second interval.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import make_env
from tests.servers import free_port
from tests.waiting import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.servers]
ROOT = Path(__file__).resolve().parent.parent
INTERVAL = 2
JOBS = f"jobs:\n  - {{id: tick, task: prune_history, trigger: {{interval: {{seconds: {INTERVAL}}}}}}}\n"


@pytest.fixture
def shared_env(tmp_path, postgres15):
    database = postgres15.create_database(f"wf_once_{tmp_path.name[-10:].replace('-', '_')}")
    jobs = tmp_path / "jobs.yaml"
    jobs.write_text(JOBS)
    env = {
        **os.environ,
        **make_env(tmp_path / "shared", DATABASE_URL=postgres15.url(database), WHALEFALL_JOBS_FILE=str(jobs)),
    }
    subprocess.run([sys.executable, "-c", "from whalefall.app import main; main()", "db", "upgrade"], env=env,
                   check=True, capture_output=True)  # fmt: skip
    return env, postgres15, database


def scheduler_process(env, host_dir: Path) -> subprocess.Popen:
    """One `whalefall scheduler`, with its own data directory as a second host would have."""
    return subprocess.Popen(
        [sys.executable, "-c", "from whalefall.app import main; main()", "scheduler"],
        env={**env, "WHALEFALL_DATA_DIR": str(host_dir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def runs(server, database) -> list[tuple[str, float]]:
    with server.connect(database) as connection:
        rows = connection.execute(
            "SELECT owner, extract(epoch FROM started_at) FROM job_runs WHERE job_id = 'tick' ORDER BY started_at"
        ).fetchall()
    return [(owner, float(started)) for owner, started in rows]


def assert_exactly_once(window: list[tuple[str, float]], seconds: float) -> None:
    gaps = [b - a for (_, a), (_, b) in itertools.pairwise(window)]
    assert all(gap > INTERVAL * 0.5 for gap in gaps), f"two runs fired together: gaps {gaps}"
    expected = seconds / INTERVAL
    assert expected - 2 <= len(window) <= expected + 1, f"{len(window)} runs in {seconds:.0f}s"


def stop(processes):
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_two_hosts_fire_each_trigger_once_and_a_standby_takes_over(shared_env, tmp_path):
    env, server, database = shared_env
    first = scheduler_process(env, tmp_path / "host-a")
    second = scheduler_process(env, tmp_path / "host-b")
    try:
        assert wait_for(lambda: runs(server, database), 40, 0.25, fresh_session=False), "no scheduler ever led"
        window_start = time.time()
        time.sleep(14)
        window = [run for run in runs(server, database) if run[1] >= window_start]
        assert_exactly_once(window, time.time() - window_start)
        owners = Counter(owner for owner, _ in window)
        assert len(owners) == 1, f"more than one leader: {owners}"

        leader_pid = int(next(iter(owners)).rpartition(":")[2])
        leader, standby = (first, second) if first.pid == leader_pid else (second, first)
        leader.send_signal(signal.SIGKILL)
        killed_at = time.time()
        leader.wait(timeout=10)
        taken_over = wait_for(
            lambda: [r for r in runs(server, database) if r[0].endswith(f":{standby.pid}")],
            40,
            0.25,
            fresh_session=False,
        )
        assert taken_over, "the standby never took over"
        failover = taken_over[0][1] - killed_at
        print(f"\nfailover after SIGKILL: {failover:.1f}s; runs in the {len(window)}-run window: {dict(owners)}")
        assert failover < 30

        after_start = time.time()
        time.sleep(8)
        after = [run for run in runs(server, database) if run[1] >= after_start]
        assert {owner for owner, _ in after} == {taken_over[0][0]}
        assert_exactly_once(after, time.time() - after_start)
    finally:
        stop([first, second])


def test_gunicorn_workers_and_a_scheduler_process_fire_each_trigger_once(shared_env, tmp_path):
    env, server, database = shared_env
    port = free_port()
    web_env = {**env, "WHALEFALL_DATA_DIR": str(tmp_path / "web"), "WHALEFALL_SCHEDULER": "1",
               "WHALEFALL_BIND": f"127.0.0.1:{port}", "WHALEFALL_WEB_WORKERS": "4"}  # fmt: skip
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
        env=web_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    scheduler = scheduler_process(env, tmp_path / "scheduler-host")
    try:
        assert wait_for(lambda: runs(server, database), 60, 0.25, fresh_session=False), "no scheduler ever led"
        window_start = time.time()
        time.sleep(14)
        window = [run for run in runs(server, database) if run[1] >= window_start]
        owners = Counter(owner for owner, _ in window)
        print(f"\n5 contenders (4 Gunicorn workers + 1 scheduler), runs in 14s window: {dict(owners)}")
        assert len(owners) == 1
        assert_exactly_once(window, time.time() - window_start)
    finally:
        stop([web, scheduler])
