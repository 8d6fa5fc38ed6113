"""Logs: JSON lines in the file with request ids, and no secret ever written anywhere."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from tests.servers import free_port
from whalefall.core.logging import get_logger, redact_text, register_secret

if TYPE_CHECKING:
    from pathlib import Path

PLANTED = "Planted-Pa55word-x9"


def _all_logs(app) -> str:
    log_dir: Path = app.config["WHALEFALL_SETTINGS"].log_dir
    for handler in logging.getLogger().handlers:
        handler.flush()
    return "".join(path.read_text(errors="replace") for path in log_dir.glob("*.log*"))


def test_a_planted_password_never_reaches_a_log(app, cli, capsys):
    added = cli.invoke(
        args=["instance", "add", "leaky", "--engine", "mysql", "--host", "127.0.0.1", "--port", str(free_port()),
              "--username", "wf", "--password-stdin"],
        input=PLANTED + "\n",
    )  # fmt: skip
    assert added.exit_code == 0
    assert cli.invoke(args=["instance", "test", "leaky"]).exit_code == 1
    log = get_logger("test")
    log.warning("careless_caller", password=PLANTED, dsn=f"mysql://wf:{PLANTED}@db/x", note=f"pw was {PLANTED}")
    try:
        raise RuntimeError(f"driver said: password={PLANTED}")
    except RuntimeError:
        log.exception("driver_failure")
    logging.getLogger("foreign.library").error("connect string host=db password=%s", PLANTED)

    written = _all_logs(app) + capsys.readouterr().err
    assert "careless_caller" in written and "driver_failure" in written and "foreign.library" in written
    assert PLANTED not in written


def test_file_lines_are_json_with_request_id(app, client):
    response = client.get("/readyz", headers={"X-Request-ID": "req-abc-123"})
    assert response.headers["X-Request-ID"] == "req-abc-123"
    get_logger("test").info("marker_event", value=1)
    lines = [json.loads(line) for line in _all_logs(app).splitlines() if line.startswith("{")]
    marker = [line for line in lines if line["event"] == "marker_event"]
    assert marker and {"timestamp", "level", "logger"} <= marker[0].keys()


def test_request_id_is_bound_into_log_lines_of_the_request(app, client):
    @app.get("/_log_something")
    def _log_something():
        get_logger("test").info("inside_request")
        return "ok"

    client.get("/_log_something", headers={"X-Request-ID": "trace-42"})
    lines = [json.loads(line) for line in _all_logs(app).splitlines() if line.startswith("{")]
    [line] = [line for line in lines if line["event"] == "inside_request"]
    assert line["request_id"] == "trace-42"


def test_redact_text_masks_urls_and_key_values():
    register_secret("registered-secret-value")
    text = "postgresql://u:p%40ss@h/db password='a b' pwd=xyz registered-secret-value"
    assert redact_text(text) == "postgresql://u:***@h/db password=*** pwd=*** ***"
