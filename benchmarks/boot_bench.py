"""Boot-time benchmark: import of the app module, ``create_app()``, and Gunicorn with 4 workers until all serve.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/boot_bench.py [--rounds N]``). Prints medians of N rounds,
each in a fresh interpreter, next to a bare Flask app built in the same run as the reference.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEASURE_CREATE_APP = """
import json, time
t0 = time.perf_counter()
from whalefall.app import create_app
t1 = time.perf_counter()
create_app()
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "create_app": t2 - t1}))
"""

MEASURE_BARE_FLASK = """
import json, time
t0 = time.perf_counter()
from flask import Flask
t1 = time.perf_counter()
Flask("bare")
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "create_app": t2 - t1}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_json(code: str, env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _gunicorn_boot(env: dict[str, str], workers: int) -> float:
    port = _free_port()
    env = {**env, "WHALEFALL_BIND": f"127.0.0.1:{port}", "WHALEFALL_WEB_WORKERS": str(workers)}
    error_log = Path(env["WHALEFALL_DATA_DIR"]) / "logs" / "gunicorn_error.log"
    error_log.unlink(missing_ok=True)
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        seen: set[str] = set()
        while len(seen) < workers:
            # Fresh connections land on different workers; each worker answers with its pid in the log line.
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    response.read()
            except OSError:
                time.sleep(0.01)
                continue
            text = error_log.read_text() if error_log.exists() else ""
            seen = {line.split("pid: ")[1] for line in text.splitlines() if "Booting worker with pid" in line}
        # All workers have booted; wait until the last one answers too (app built).
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline:
            answers = 0
            for _ in range(workers * 3):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    answers += response.status == 200
            if answers == workers * 3:
                break
        return time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="wf-bench-") as data_dir:
        env = {**os.environ, "WHALEFALL_DATA_DIR": data_dir}
        upgrade = [sys.executable, "-c", "from whalefall.app import main; main()", "db", "upgrade"]
        subprocess.run(upgrade, env=env, check=True, capture_output=True)
        ours = [_run_json(MEASURE_CREATE_APP, env) for _ in range(args.rounds)]
        bare = [_run_json(MEASURE_BARE_FLASK, env) for _ in range(args.rounds)]
        boots = [_gunicorn_boot(env, args.workers) for _ in range(max(3, args.rounds // 2))]

    def median_ms(rows, key):
        return statistics.median(row[key] for row in rows) * 1000

    rows = [
        ("import whalefall.app", median_ms(ours, "import"), median_ms(bare, "import")),
        ("create_app()", median_ms(ours, "create_app"), median_ms(bare, "create_app")),
    ]
    print(f"{'measure (median, fresh interpreter)':<38}{'WhaleFall ms':>14}{'bare Flask ms':>15}{'ratio':>8}")
    for name, mine, reference in rows:
        print(f"{name:<38}{mine:>14.1f}{reference:>15.1f}{mine / reference:>8.1f}")
    print(f"{f'Gunicorn {args.workers} workers, spawn to all serving':<38}{statistics.median(boots) * 1000:>14.0f}")


if __name__ == "__main__":
    main()
