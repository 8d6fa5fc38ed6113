"""The incident's lesson, proven: every module imports alone, and building the app imports no task.

import-linter checks the static graph; these tests cover what static analysis cannot see (importlib by name,
import-time side effects), each in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import whalefall.app  # noqa: F401 - the package must be importable for walk_packages

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "whalefall"


def all_modules() -> list[str]:
    names = ["whalefall"]
    for info in pkgutil.walk_packages([str(PACKAGE_DIR)], prefix="whalefall."):
        names.append(info.name)
    return sorted(names)


def test_the_module_list_is_complete():
    modules = all_modules()
    assert {"whalefall.app", "whalefall.wsgi", "whalefall.core.extensions", "whalefall.tasks.retention"} <= set(modules)
    assert len(modules) > 30


def _import_alone(module: str, env: dict[str, str]) -> tuple[str, int, str]:
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], env=env, capture_output=True, text=True, timeout=120
    )
    return module, result.returncode, result.stderr


def test_every_module_imports_alone_in_a_fresh_interpreter(tmp_path):
    env = {**os.environ, "WHALEFALL_DATA_DIR": str(tmp_path)}  # whalefall.wsgi builds an app on import
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda module: _import_alone(module, env), all_modules()))
    failures = {module: stderr.strip().splitlines()[-1] for module, code, stderr in results if code != 0}
    assert failures == {}


SCRIPT = """
import json, sys
from whalefall.app import create_app
app = create_app(start_scheduler_now=True)
scheduler = app.extensions["whalefall.scheduler"]
leading = scheduler.wait_until_leading(30)
jobs = [job.id for job in scheduler.get_jobs()]
loaded = sorted(name for name in sys.modules if name.startswith("whalefall.tasks."))
scheduler.stop()
print(json.dumps({"leading": leading, "jobs": jobs, "loaded": loaded}))
"""


def test_create_app_with_scheduler_started_imports_no_task_module(tmp_path):
    env = {**os.environ, "WHALEFALL_DATA_DIR": str(tmp_path)}
    upgrade = [sys.executable, "-c", "from whalefall.app import main; main()", "db", "upgrade"]
    subprocess.run(upgrade, env=env, check=True, capture_output=True, timeout=120)
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["leading"] and report["jobs"] == ["sync_accounts", "prune_history"], report
    assert report["loaded"] == []


@pytest.mark.parametrize("module", ["whalefall", "whalefall.tasks"])
def test_package_roots_have_no_import_side_effects(module):
    source = (PACKAGE_DIR.parent / module.replace(".", "/") / "__init__.py").read_text()
    code_lines = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert code_lines == []
