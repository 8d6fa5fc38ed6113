"""The CLI end to end: commands through the app's CLI, and the console script's exit codes in a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.servers import SilentListener, free_port


def whalefall(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from whalefall.app import main; main()", *args],
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def add_instance(cli, name="pg-main", port="5432", *extra, password="Inst4nce-Pw!"):
    return cli.invoke(
        args=["instance", "add", name, "--engine", "postgresql", "--host", "127.0.0.1", "--port", port,
              "--username", "collector", "--password-stdin", *extra],
        input=password + "\n",
    )  # fmt: skip


def test_instance_lifecycle(cli):
    added = add_instance(cli, "pg-main", "5432", "--tag", "prod", "--tag", "eu", "--database", "app")
    assert added.exit_code == 0, added.output
    assert "instance 'pg-main' added: postgresql at 127.0.0.1:5432" in added.output

    listed = cli.invoke(args=["instance", "list", "--format", "json"])
    [row] = json.loads(listed.output)
    assert (row["name"], row["engine"], row["port"], row["database"], row["tags"]) == (
        "pg-main", "postgresql", 5432, "app", ["eu", "prod"],
    )  # fmt: skip
    assert "password" not in listed.output.lower() and "Inst4nce-Pw!" not in listed.output

    assert cli.invoke(args=["instance", "remove", "pg-main"]).exit_code == 0
    assert json.loads(cli.invoke(args=["instance", "list", "--format", "json"]).output) == []
    assert len(json.loads(cli.invoke(args=["instance", "list", "--all", "--format", "json"]).output)) == 1
    # A removed instance's name can be reused.
    assert add_instance(cli, "pg-main").exit_code == 0


def test_password_from_environment_variable(cli, monkeypatch):
    monkeypatch.setenv("PG_COLLECTOR_PW", "from-the-env-pw")
    result = cli.invoke(
        args=["instance", "add", "db1", "--engine", "mysql", "--host", "db1.example", "--username", "wf",
              "--password-env", "PG_COLLECTOR_PW"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "mysql at db1.example:3306" in result.output  # the engine's default port


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--engine", "postgresql", "--host", "h", "--username", "u"], None, "a password is required"),
        (["--engine", "postgresql", "--host", "h", "--username", "u", "--password-env", "NOPE_UNSET"], None,
         "environment variable NOPE_UNSET is not set"),
        (["--engine", "postgresql", "--host", "bad host;", "--username", "u", "--password-stdin"], "pw\n",
         "host 'bad host;' is not a valid host name"),
        (["--engine", "postgresql", "--host", "h", "--username", "u", "--password-stdin", "--tag", "no spaces"],
         "pw\n", "tag 'no spaces' is invalid"),
    ],
)  # fmt: skip
def test_bad_instance_input_exits_2_and_writes_nothing(cli, args, stdin, message):
    result = cli.invoke(args=["instance", "add", "x1", *args], input=stdin)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert json.loads(cli.invoke(args=["instance", "list", "--format", "json"]).output) == []


def test_duplicate_instance_name_is_refused(cli):
    assert add_instance(cli, "dup").exit_code == 0
    result = add_instance(cli, "dup")
    assert result.exit_code == 2 and "an instance named 'dup' already exists" in result.output


def test_instance_test_reports_the_precise_connection_error(cli):
    port = free_port()  # nothing listens there
    add_instance(cli, "closed", str(port))
    result = cli.invoke(args=["instance", "test", "closed"])
    assert result.exit_code == 1
    assert f"PostgreSQL at 127.0.0.1:{port} is unreachable" in result.output
    assert "Connection refused" in result.output
    listed = json.loads(cli.invoke(args=["instance", "list", "--format", "json"]).output)[0]
    assert listed["last_connection_ok"] is False and "Connection refused" in listed["last_connection_message"]


def test_instance_test_times_out_on_a_server_that_never_answers(cli, app):
    listener = SilentListener()
    try:
        add_instance(cli, "hangs", str(listener.port))
        result = cli.invoke(args=["instance", "test", "hangs"])
    finally:
        listener.close()
    assert result.exit_code == 1
    assert f"PostgreSQL at 127.0.0.1:{listener.port}: timed out after 3s" in result.output


def test_instance_test_against_real_postgres(cli, postgres15):
    add_instance(cli, "real", str(postgres15.port), "--username", "postgres", password=postgres15.password)
    ok = cli.invoke(args=["instance", "test", "real"])
    assert ok.exit_code == 0, ok.output
    assert "ok: real answered in" in ok.output and "PostgreSQL 15" in ok.output

    add_instance(cli, "wrongpw", str(postgres15.port), password="definitely-wrong")
    bad = cli.invoke(args=["instance", "test", "wrongpw"])
    assert bad.exit_code == 1
    assert 'authentication failed: connection to server at "127.0.0.1"' in bad.output
    assert 'password authentication failed for user "collector"' in bad.output


def test_user_create(cli):
    created = cli.invoke(
        args=["user", "create", "alice", "--role", "operator", "--password-stdin"], input="long-enough\n"
    )
    assert created.exit_code == 0 and "user 'alice' created with role operator" in created.output
    again = cli.invoke(args=["user", "create", "alice", "--password-stdin"], input="long-enough\n")
    assert again.exit_code == 2 and "a user named 'alice' already exists" in again.output
    short = cli.invoke(args=["user", "create", "bob", "--password-stdin"], input="short\n")
    assert short.exit_code == 2 and "password must be at least 8 characters" in short.output


def test_console_script_config_errors_are_one_line_exit_2(env):
    result = whalefall({**env, "DATABASE_URL": "::not-a-url:secretpw@"}, "instance", "list")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "whalefall: error: DATABASE_URL is not a valid database URL (expected e.g. "
        "postgresql://user:password@host:5432/whalefall or sqlite:////absolute/path/whalefall.db)"
    ]


def test_console_script_unreachable_database_is_one_line_exit_2(env):
    port = free_port()
    result = whalefall({**env, "DATABASE_URL": f"postgresql://wf:Db-Pass-123@127.0.0.1:{port}/wf"}, "instance", "list")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"whalefall: error: cannot use the database postgresql+psycopg://wf:***@127.0.0.1:{port}/wf")
    assert "Connection refused" in line and "Db-Pass-123" not in line


def test_console_script_unmigrated_database_says_what_to_run(env):
    result = whalefall(env, "instance", "list")
    assert result.returncode == 2
    assert result.stderr.strip().endswith("run: whalefall db upgrade")


def test_console_script_db_upgrade_then_commands(env):
    assert whalefall(env, "db", "upgrade").returncode == 0
    added = whalefall(env, "instance", "add", "m1", "--engine", "mysql", "--host", "h", "--username", "u",
                      "--password-stdin", stdin="pw-123456\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "m1" in whalefall(env, "instance", "list").stdout
    assert whalefall(env, "--version").stdout.startswith("whalefall ")
