"""Alembic environment, run by Flask-Migrate inside the app context. Logging stays WhaleFall's (no fileConfig)."""

from alembic import context
from flask import current_app

config = context.config
target_db = current_app.extensions["migrate"].db


def target_metadata():
    import whalefall.models  # noqa: F401 - registers every table on the metadata

    return target_db.metadata


def include_object(*args):
    from whalefall.models import include_in_autogenerate

    return include_in_autogenerate(*args)


def run_migrations_offline() -> None:
    context.configure(
        url=current_app.config["SQLALCHEMY_DATABASE_URI"],
        target_metadata=target_metadata(),
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    conf_args = dict(current_app.extensions["migrate"].configure_args)

    def skip_empty(_context, _revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []

    conf_args.setdefault("process_revision_directives", skip_empty)
    conf_args.setdefault("include_object", include_object)
    with target_db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata(), **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
