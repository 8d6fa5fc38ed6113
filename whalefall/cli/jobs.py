"""``whalefall jobs list|pause|resume|run|edit``: control of the scheduled jobs."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from whalefall.cli.errors import FAILED, CommandError, reports_errors
from whalefall.cli.identity import who_is_running
from whalefall.cli.output import echo_table
from whalefall.scheduler import control


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs: list them, pause, resume, run one now, edit a trigger."""


@jobs_group.command("list")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True)
@with_appcontext
@reports_errors
def list_command(output_format: str) -> None:
    """Every job with its trigger, next run, and its last run's status and duration."""
    rows = [status.as_dict() for status in control.list_jobs()]
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    echo_table(
        ["id", "task", "trigger", "state", "next run", "last run", "duration"],
        [
            [
                row["id"],
                row["task"],
                row["trigger_text"] + (" (edited)" if row["trigger_overridden"] else ""),
                "disabled" if not row["enabled"] else ("paused" if row["paused"] else "active"),
                (row["next_run_at"] or "-")[:19],
                row["last_run"]["status"] if row["last_run"] else "never",
                f"{row['last_run']['duration_s']}s"
                if row["last_run"] and row["last_run"]["duration_s"] is not None
                else "",
            ]
            for row in rows
        ],
    )


@jobs_group.command("pause")
@click.argument("job_id")
@with_appcontext
@reports_errors
def pause_command(job_id: str) -> None:
    """Stop scheduling JOB_ID until it is resumed (survives restarts)."""
    control.pause(job_id, who_is_running())
    click.echo(f"job {job_id!r} paused")


@jobs_group.command("resume")
@click.argument("job_id")
@with_appcontext
@reports_errors
def resume_command(job_id: str) -> None:
    """Schedule JOB_ID again."""
    control.resume(job_id, who_is_running())
    click.echo(f"job {job_id!r} resumed")


@jobs_group.command("run")
@click.argument("job_id")
@with_appcontext
@reports_errors
def run_command(job_id: str) -> None:
    """Run JOB_ID now, in this process, as a manual run (exit 1 if it fails)."""
    outcome = control.run_now(job_id, who_is_running())
    click.echo(f"job {job_id!r}: run {outcome.job_run_id} {outcome.status}")
    if outcome.status != "succeeded":
        raise CommandError(outcome.error or "the job failed", exit_code=FAILED)


@jobs_group.command("edit")
@click.argument("job_id")
@click.option("--cron", help='A crontab expression, e.g. "0 2 * * *" (minute hour day month day_of_week).')
@click.option("--interval", help="Every so often: 30s, 15m, 2h, 1d.")
@click.option("--reset", is_flag=True, help="Go back to the trigger of the jobs file.")
@with_appcontext
@reports_errors
def edit_command(job_id: str, cron: str | None, interval: str | None, reset: bool) -> None:
    """Change JOB_ID's trigger (stored; survives restarts and jobs-file reloads)."""
    if sum(bool(option) for option in (cron, interval, reset)) != 1:
        raise CommandError("give exactly one of --cron, --interval or --reset")
    trigger = None if reset else ({"cron": cron} if cron else control.interval_trigger(interval))
    job = control.edit_trigger(job_id, trigger, who_is_running())
    click.echo(f"job {job_id!r}: {job.trigger.describe()}" + (" (from the jobs file)" if reset else ""))
