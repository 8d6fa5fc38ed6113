"""``whalefall instance ...``: register, list, remove and test database instances."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from whalefall.cli.errors import FAILED, CommandError, reports_errors
from whalefall.cli.identity import who_is_running
from whalefall.cli.output import echo_table
from whalefall.cli.secrets_input import password_from
from whalefall.engines.base import EngineError
from whalefall.engines.registry import engine_names
from whalefall.services.instances import (
    InstanceInput,
    add_instance,
    check_connection,
    instance_summary,
    list_instances,
    remove_instance,
)


@click.group("instance")
def instance_group() -> None:
    """Manage the database instances WhaleFall inventories."""


@instance_group.command("add")
@click.argument("name")
@click.option("--engine", required=True, type=click.Choice(engine_names()))
@click.option("--host", required=True)
@click.option("--port", type=click.IntRange(1, 65535), help="Defaults to the engine's standard port.")
@click.option("--username", required=True, help="The read-only collector account (docs/collector-accounts.md).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.option("--password-env", metavar="VAR", help="Read the password from environment variable VAR.")
@click.option("--database", help="Default database (PostgreSQL: where to connect first; Oracle: service name).")
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for several.")
@click.option("--description")
@with_appcontext
@reports_errors
def add_command(name, engine, host, port, username, password_stdin, password_env, database, tags, description) -> None:
    """Register instance NAME. The password is stored encrypted and never shown again."""
    password = password_from(password_stdin, password_env)
    instance = add_instance(
        InstanceInput(
            name=name,
            engine=engine,
            host=host,
            port=port,
            username=username,
            password=password,
            database=database,
            tags=tuple(tags),
            description=description,
        ),
        actor=who_is_running(),
    )
    click.echo(
        f"instance {instance.name!r} added: {instance.engine} at {instance.host}:{instance.port} (id {instance.id})"
    )


@instance_group.command("list")
@click.option("--all", "include_deleted", is_flag=True, help="Include removed instances.")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True)
@with_appcontext
def list_command(include_deleted: bool, output_format: str) -> None:
    """List registered instances (credentials are never shown)."""
    instances = list_instances(include_deleted=include_deleted)
    if output_format == "json":
        click.echo(json.dumps([instance_summary(instance) for instance in instances], indent=2))
        return
    echo_table(
        ["name", "engine", "address", "database", "tags", "status", "last check"],
        [
            [
                i.name,
                i.engine,
                f"{i.host}:{i.port}",
                i.database_name,
                ",".join(tag.name for tag in i.tags),
                "removed" if i.is_deleted else ("active" if i.is_active else "inactive"),
                _last_check(i),
            ]
            for i in instances
        ],
    )


@instance_group.command("remove")
@click.argument("name")
@with_appcontext
@reports_errors
def remove_command(name: str) -> None:
    """Remove instance NAME: it is no longer synced; its accounts and change history are kept."""
    remove_instance(name, actor=who_is_running())
    click.echo(f"instance {name!r} removed (its accounts and history are kept)")


@instance_group.command("test")
@click.argument("name")
@with_appcontext
@reports_errors
def test_command(name: str) -> None:
    """Connect to instance NAME and report its server version, or the precise connection error (exit 1)."""
    try:
        info = check_connection(name)
    except EngineError as exc:
        raise CommandError(exc.message, exit_code=FAILED) from exc
    click.echo(f"ok: {name} answered in {info.elapsed_ms} ms: {info.version}")


def _last_check(instance) -> str:
    if instance.last_connection_at is None:
        return "never"
    outcome = "ok" if instance.last_connection_ok else "FAILED"
    return f"{outcome} {instance.last_connection_at:%Y-%m-%d %H:%M}"
