"""``whalefall run`` (embedded all-in-one server) and ``whalefall scheduler`` (the production scheduler process)."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from whalefall.cli.errors import CommandError
from whalefall.core.logging import get_logger, set_console_level
from whalefall.scheduler.service import start_scheduler, stop_scheduler

log = get_logger(__name__)


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5001, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Web worker threads.")
@click.option("--no-scheduler", is_flag=True, help="Serve the web only; do not run scheduled jobs in this process.")
@with_appcontext
def run_command(host: str, port: int, threads: int, no_scheduler: bool) -> None:
    """Migrate the database, then serve the web app and the scheduler in this one process."""
    import waitress

    set_console_level("INFO")
    app = current_app._get_current_object()
    upgrade()
    if not no_scheduler:
        start_scheduler(app)
    click.echo(f"WhaleFall is serving on http://{host}:{port}/ (Ctrl+C to stop)")
    log.info("web_serving", host=host, port=port, threads=threads, scheduler=not no_scheduler)
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="whalefall", _quiet=True)
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    finally:
        stop_scheduler(app)


serve_command = click.Command("serve", callback=run_command.callback, params=run_command.params, help=run_command.help)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the job scheduler in the foreground (the production scheduler process); stops on SIGTERM or Ctrl+C."""
    set_console_level("INFO")
    app = current_app._get_current_object()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    start_scheduler(app)
    click.echo("WhaleFall scheduler running (SIGTERM or Ctrl+C to stop)")
    stop.wait()
    stop_scheduler(app)
