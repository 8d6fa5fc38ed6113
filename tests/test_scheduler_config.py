"""The jobs file: validation with precise messages (job and field named), and the CLI that controls jobs."""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

from whalefall.scheduler import registry
from whalefall.scheduler.config import JobConfigError, load_jobs


def write(tmp_path, text):
    path = tmp_path / "jobs.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def test_the_shipped_file_is_valid_and_imports_no_task():
    jobs = {job.id: job for job in load_jobs()}
    assert jobs["sync_accounts"].trigger.describe() == "cron 0 1 * * *"
    assert jobs["prune_history"].task == "prune_history"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("jobs: [\n  - id: a\n    task: [", "malformed YAML at line"),
        ("jobs: {}", "expected a mapping with a list under 'jobs'"),
        ("jobs:\n  - task: sync_accounts\n    trigger: {cron: '* * * * *'}", "job #1: 'id' is required"),
        ("jobs:\n  - id: off\n    task: sync_accounts\n    trigger: {cron: '* * * * *'}",
         "job #1: 'id' must be a string, got False (quote it"),
        ("jobs:\n  - id: a\n    task: nope\n    trigger: {cron: '* * * * *'}",
         "job 'a': unknown task 'nope' (known tasks: prune_history, sync_accounts)"),
        ("jobs:\n  - id: a\n    task: sync_accounts\n    trigger: {cron: '0 25 * * *'}",
         "job 'a': trigger.cron.hour = '25': Error validating expression '25'"),
        ("jobs:\n  - id: a\n    task: sync_accounts\n    trigger: {cron: '0 1 * *'}",
         "job 'a': trigger.cron '0 1 * *': expected 5 fields (minute hour day month day_of_week), got 4"),
        ("jobs:\n  - id: a\n    task: sync_accounts\n    trigger: {cron: {hours: 1}}",
         "job 'a': trigger.cron.hours: unknown field"),
        ("jobs:\n  - id: a\n    task: sync_accounts\n    trigger: {interval: {minutes: 0}}",
         "job 'a': trigger.interval.minutes = 0: must be a positive number"),
        ("jobs:\n  - id: a\n    task: sync_accounts\n    trigger: {every: 5}",
         "job 'a': 'trigger' must be {cron: ...} or {interval: ...}"),
        ("jobs:\n  - id: a\n    task: sync_accounts\n    trigger: {cron: '* * * * *'}\n    enabled: maybe",
         "job 'a': 'enabled' must be true or false"),
        ("jobs:\n  - id: a\n    task: sync_accounts\n    trigger: {cron: '* * * * *'}\n    retries: 3",
         "job 'a': unknown key(s) retries"),
        ("jobs:\n  - {id: a, task: sync_accounts, trigger: {cron: '* * * * *'}}\n"
         "  - {id: a, task: prune_history, trigger: {cron: '* * * * *'}}", "job 'a' is defined twice"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_with_a_precise_message(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(JobConfigError) as caught:
        load_jobs(path)
    assert str(caught.value).startswith(f"jobs file {path}")
    assert message in str(caught.value)


def test_an_unresolvable_target_is_found_without_importing(tmp_path, monkeypatch):
    monkeypatch.setitem(registry.TASK_FUNCTIONS, "ghost", "whalefall.tasks.retention:no_such_function")
    monkeypatch.setitem(registry.TASK_FUNCTIONS, "lost", "whalefall.tasks.no_such_module:run")
    monkeypatch.delitem(sys.modules, "whalefall.tasks.retention", raising=False)
    for task, message in (("ghost", "but the module defines no no_such_function()"),
                          ("lost", "whose module cannot be found")):  # fmt: skip
        path = write(tmp_path, f"jobs:\n  - {{id: j, task: {task}, trigger: {{interval: {{hours: 1}}}}}}")
        with pytest.raises(JobConfigError, match=message):
            load_jobs(path)
    assert "whalefall.tasks.retention" not in sys.modules


def test_a_malformed_jobs_file_stops_the_scheduler_command_with_exit_2(env, tmp_path):
    from tests.test_cli import whalefall

    path = write(tmp_path, "jobs:\n  - id: a\n    task: nope\n    trigger: {cron: '* * * * *'}")
    assert whalefall(env, "db", "upgrade").returncode == 0
    result = whalefall({**env, "WHALEFALL_JOBS_FILE": str(path)}, "jobs", "list")
    assert result.returncode == 2
    assert result.stderr.strip().endswith("job 'a': unknown task 'nope' (known tasks: prune_history, sync_accounts)")


def test_jobs_commands(cli, app_context):
    listed = json.loads(cli.invoke(args=["jobs", "list", "--format", "json"]).output)
    assert [job["id"] for job in listed] == ["sync_accounts", "prune_history"]
    assert listed[0]["trigger"] == {"cron": {"minute": "0", "hour": "1", "day": "*", "month": "*", "day_of_week": "*"}}

    assert cli.invoke(args=["jobs", "pause", "prune_history"]).exit_code == 0
    edited = cli.invoke(args=["jobs", "edit", "sync_accounts", "--interval", "15m"])
    assert edited.output.strip() == "job 'sync_accounts': every 15m"
    ran = cli.invoke(args=["jobs", "run", "prune_history"])  # a paused job can still be run by hand
    assert ran.exit_code == 0 and ran.output.startswith("job 'prune_history': run 1 succeeded")

    listed = {job["id"]: job for job in json.loads(cli.invoke(args=["jobs", "list", "--format", "json"]).output)}
    assert listed["prune_history"]["paused"] is True
    assert listed["prune_history"]["last_run"]["status"] == "succeeded"
    assert listed["prune_history"]["last_run"]["trigger_kind"] == "manual"
    assert (listed["sync_accounts"]["trigger"], listed["sync_accounts"]["trigger_overridden"]) == (
        {"interval": {"minutes": 15}}, True,
    )  # fmt: skip

    assert cli.invoke(args=["jobs", "resume", "prune_history"]).exit_code == 0
    assert cli.invoke(args=["jobs", "edit", "sync_accounts", "--reset"]).exit_code == 0
    listed = {job["id"]: job for job in json.loads(cli.invoke(args=["jobs", "list", "--format", "json"]).output)}
    assert listed["prune_history"]["paused"] is False
    assert listed["sync_accounts"]["trigger_overridden"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["jobs", "pause", "nope"], "no scheduled job 'nope' (jobs: sync_accounts, prune_history)"),
        (["jobs", "run", "nope"], "no scheduled job 'nope'"),
        (["jobs", "edit", "sync_accounts", "--cron", "61 * * * *"], "trigger.cron.minute = '61'"),
        (["jobs", "edit", "sync_accounts", "--interval", "soon"], "interval 'soon' is not understood"),
        (["jobs", "edit", "sync_accounts"], "give exactly one of --cron, --interval or --reset"),
    ],
)
def test_bad_job_commands_exit_2_and_change_nothing(cli, app_context, args, message):
    before = cli.invoke(args=["jobs", "list", "--format", "json"]).output
    result = cli.invoke(args=args)
    assert result.exit_code == 2 and message in result.output
    assert cli.invoke(args=["jobs", "list", "--format", "json"]).output == before


def test_run_now_of_a_disabled_job_is_refused(cli, app_context, tmp_path, monkeypatch):
    path = write(tmp_path, "jobs:\n  - {id: 'off', task: prune_history, trigger: {cron: '0 4 * * *'}, enabled: false}")
    monkeypatch.setenv("WHALEFALL_JOBS_FILE", str(path))
    result = cli.invoke(args=["jobs", "run", "off"])
    assert result.exit_code == 2
    assert "job 'off' is disabled in the jobs file" in result.output
