"""``whalefall sync`` (a sync session from the terminal) and ``whalefall accounts export``."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from whalefall.cli.errors import FAILED, CommandError, reports_errors
from whalefall.cli.identity import who_is_running
from whalefall.cli.output import echo_table
from whalefall.services.export import export_accounts, to_csv, to_json
from whalefall.services.instances import get_instance
from whalefall.services.sync_sessions import session_report


@click.command("sync")
@click.option("--instance", "names", multiple=True, help="Sync only this instance; repeat for several.")
@with_appcontext
@reports_errors
def sync_command(names: tuple[str, ...]) -> None:
    """Run a sync session now and print what happened per instance (exit 1 unless every instance succeeded)."""
    from whalefall.tasks.accounts_sync import sync_accounts  # imported when launched, never at import time

    instance_ids = [get_instance(name).id for name in names] if names else None
    outcome = sync_accounts(instance_ids=instance_ids, trigger="cli", created_by=who_is_running())
    session, records = session_report(outcome["sync_session_id"])
    click.echo(f"sync session {session.id}: {session.status}")
    columns = ["instance", "status", "found", "created", "updated", "deleted", "unchanged", "changes", "duration"]
    echo_table(
        [*columns, "error"],
        [
            [*(row[c] for c in columns[:-1]), f"{(row['duration_ms'] or 0) / 1000:.2f}s", row["error"] or ""]
            for row in records
        ],
    )
    if any(row["status"] != "succeeded" for row in records):
        raise CommandError(f"not every instance synced cleanly (session {session.id})", exit_code=FAILED)


@click.group("accounts")
def accounts_group() -> None:
    """The synced account inventory."""


@accounts_group.command("export")
@click.option("--instance", "names", multiple=True, help="Only this instance; repeat for several.")
@click.option("--format", "output_format", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write here instead of stdout.")
@with_appcontext
@reports_errors
def export_command(names: tuple[str, ...], output_format: str, output: str | None) -> None:
    """Export accounts, privileges and role memberships (format: docs/export-format.md)."""
    for name in names:
        get_instance(name)
    accounts = export_accounts(list(names) or None)
    text = to_json(accounts) if output_format == "json" else to_csv(accounts)
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
