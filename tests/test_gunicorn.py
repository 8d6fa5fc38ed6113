"""Gunicorn boots four workers on a fresh database, serves, stops cleanly, and its error log stays clean."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
BAD_SIGNS = ("Traceback", "ImportError", "Worker failed to boot", "partially initialized module")


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.slow
def test_gunicorn_four_workers_boot_serve_and_stop_cleanly(env, tmp_path):
    env = {**os.environ, **env}
    subprocess.run(
        [sys.executable, "-c", "from whalefall.app import main; main()", "db", "upgrade"], env=env, check=True
    )
    port = free_port()
    env.update(WHALEFALL_BIND=f"127.0.0.1:{port}", WHALEFALL_WEB_WORKERS="4", WHALEFALL_WEB_THREADS="2")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    error_log = Path(env["WHALEFALL_DATA_DIR"]) / "logs" / "gunicorn_error.log"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            booted = error_log.read_text().count("Booting worker") if error_log.exists() else 0
            if booted >= 4:
                try:
                    if _get(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                        break
                except OSError:
                    pass
            assert server.poll() is None, error_log.read_text() if error_log.exists() else "gunicorn exited"
            time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not become healthy within 60 s")

        answers = [_get(f"http://127.0.0.1:{port}/healthz") for _ in range(25)]
        assert answers == [(200, b'{"status":"ok"}\n')] * 25
        assert _get(f"http://127.0.0.1:{port}/readyz")[0] == 200
    finally:
        server.send_signal(signal.SIGTERM)
        exit_code = server.wait(timeout=60)

    assert exit_code == 0
    log = error_log.read_text()
    assert log.count("Booting worker") == 4
    assert "Shutting down: Master" in log
    assert [sign for sign in BAD_SIGNS if sign in log] == []
    access_log = (Path(env["WHALEFALL_DATA_DIR"]) / "logs" / "gunicorn_access.log").read_text()
    assert access_log.count('"GET /healthz HTTP/1.1" 200') >= 25


@pytest.mark.slow
def test_a_sync_cut_short_by_a_stopping_worker_ends_failed_not_running(env, tmp_path):
    """A manual sync is running in a Gunicorn worker when the server is told to stop: the session must end
    failed (interrupted), never stay 'running'."""
    import base64
    import json
    import sqlite3
    import urllib.request

    from tests.servers import SilentListener

    env = {**os.environ, **env, "WHALEFALL_CONNECT_TIMEOUT": "120", "WHALEFALL_INSTANCE_TIMEOUT": "300"}
    cli = [sys.executable, "-c", "from whalefall.app import main; main()"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "user", "create", "otto", "--role", "operator", "--password-stdin"], env=env,
                   input="otto-password\n", text=True, check=True, capture_output=True)  # fmt: skip
    listener = SilentListener()
    subprocess.run([*cli, "instance", "add", "hangs", "--engine", "mysql", "--host", "127.0.0.1", "--port",
                    str(listener.port), "--username", "u", "--password-stdin"], env=env, input="pw\n", text=True,
                   check=True, capture_output=True)  # fmt: skip
    port = free_port()
    env.update(WHALEFALL_BIND=f"127.0.0.1:{port}", WHALEFALL_WEB_WORKERS="2")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")], cwd=tmp_path,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if _get(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/sync", data=b"{}", method="POST",
            headers={"Content-Type": "application/json",
                     "Authorization": "Basic " + base64.b64encode(b"otto:otto-password").decode()},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 202
            session_id = json.loads(response.read())["session_id"]
        time.sleep(1.5)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=90)
        listener.close()

    database = sqlite3.connect(Path(env["WHALEFALL_DATA_DIR"]) / "whalefall.db")
    status, error = database.execute("SELECT status, error FROM sync_sessions WHERE id = ?", (session_id,)).fetchone()
    records = database.execute("SELECT status FROM sync_records WHERE session_id = ?", (session_id,)).fetchall()
    assert status == "failed"
    assert error == "interrupted: the web worker running it stopped before it finished"
    assert records == [("failed",)]
