"""initial schema

Revision ID: 0001_initial
Revises:
Create Date: 2026-12-04 15:49:35.005928
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=256), nullable=False),
        sa.Column("password_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
        sa.UniqueConstraint("name", name=op.f("uq_credentials_name")),
    )
    op.create_table(
        "sync_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("total_instances", sa.Integer(), nullable=False),
        sa.Column("succeeded_instances", sa.Integer(), nullable=False),
        sa.Column("failed_instances", sa.Integer(), nullable=False),
        sa.Column("partial_instances", sa.Integer(), nullable=False),
        sa.Column("skipped_instances", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(length=255), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_sessions")),
    )
    with op.batch_alter_table("sync_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_sessions_started_at"), ["started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sync_sessions_status"), ["status"], unique=False)

    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "instances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("database_name", sa.String(length=128), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("credential_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("server_version", sa.String(length=255), nullable=True),
        sa.Column("last_connection_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_connection_ok", sa.Boolean(), nullable=True),
        sa.Column("last_connection_message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_instances_credential_id_credentials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instances")),
    )
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instances_engine"), ["engine"], unique=False)
        batch_op.create_index(
            "uq_instances_name_live",
            ["name"],
            unique=True,
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=128), nullable=False),
        sa.Column("task", sa.String(length=128), nullable=False),
        sa.Column("trigger_kind", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("sync_session_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sync_session_id"],
            ["sync_sessions.id"],
            name=op.f("fk_job_runs_sync_session_id_sync_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
    )
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_runs_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_runs_started_at"), ["started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_runs_status"), ["status"], unique=False)

    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attributes", JSON_TYPE, nullable=False),
        sa.Column("can_login", sa.Boolean(), nullable=False),
        sa.Column("is_superuser", sa.Boolean(), nullable=False),
        sa.Column("is_locked", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_accounts_instance_id_instances"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("instance_id", "name", "host", name=op.f("uq_accounts_instance_id_name_host")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_accounts_is_superuser"), ["is_superuser"], unique=False)
        batch_op.create_index(batch_op.f("ix_accounts_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_accounts_status"), ["status"], unique=False)

    op.create_table(
        "instance_tags",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_instance_tags_instance_id_instances"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name=op.f("fk_instance_tags_tag_id_tags"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("instance_id", "tag_id", name=op.f("pk_instance_tags")),
    )
    op.create_table(
        "sync_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("queries", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("unreadable", JSON_TYPE, nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_sync_records_instance_id_instances"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sync_sessions.id"],
            name=op.f("fk_sync_records_session_id_sync_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_records")),
    )
    with op.batch_alter_table("sync_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_records_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sync_records_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sync_records_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_sync_records_instance_running",
            ["instance_id"],
            unique=True,
            postgresql_where=sa.text("status = 'running'"),
            sqlite_where=sa.text("status = 'running'"),
        )

    op.create_table(
        "account_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("change_type", sa.String(length=32), nullable=False),
        sa.Column("account_name", sa.String(length=255), nullable=False),
        sa.Column("account_host", sa.String(length=255), nullable=False),
        sa.Column("account_kind", sa.String(length=8), nullable=False),
        sa.Column("detail", JSON_TYPE, nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_account_changes_account_id_accounts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_account_changes_instance_id_instances"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sync_sessions.id"],
            name=op.f("fk_account_changes_session_id_sync_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_changes")),
    )
    with op.batch_alter_table("account_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_changes_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_changes_change_type"), ["change_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_changes_detected_at"), ["detected_at"], unique=False)
        batch_op.create_index("ix_account_changes_instance_detected", ["instance_id", "detected_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_changes_session_id"), ["session_id"], unique=False)

    op.create_table(
        "account_privileges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("privilege", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("database_name", sa.String(length=255), nullable=True),
        sa.Column("schema_name", sa.String(length=255), nullable=True),
        sa.Column("object_name", sa.String(length=255), nullable=True),
        sa.Column("column_name", sa.String(length=255), nullable=True),
        sa.Column("grantable", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=5), nullable=False),
        sa.Column("extras", JSON_TYPE, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_account_privileges_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_privileges")),
    )
    with op.batch_alter_table("account_privileges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_privileges_account_id"), ["account_id"], unique=False)
        batch_op.create_index("ix_account_privileges_privilege_level", ["privilege", "level"], unique=False)

    op.create_table(
        "account_role_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=255), nullable=False),
        sa.Column("role_host", sa.String(length=255), nullable=True),
        sa.Column("admin_option", sa.Boolean(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("extras", JSON_TYPE, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_role_memberships_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_role_memberships")),
    )
    with op.batch_alter_table("account_role_memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_role_memberships_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_role_memberships_role"), ["role"], unique=False)


def downgrade():

    with op.batch_alter_table("account_role_memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_role_memberships_role"))
        batch_op.drop_index(batch_op.f("ix_account_role_memberships_account_id"))

    op.drop_table("account_role_memberships")
    with op.batch_alter_table("account_privileges", schema=None) as batch_op:
        batch_op.drop_index("ix_account_privileges_privilege_level")
        batch_op.drop_index(batch_op.f("ix_account_privileges_account_id"))

    op.drop_table("account_privileges")
    with op.batch_alter_table("account_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_changes_session_id"))
        batch_op.drop_index("ix_account_changes_instance_detected")
        batch_op.drop_index(batch_op.f("ix_account_changes_detected_at"))
        batch_op.drop_index(batch_op.f("ix_account_changes_change_type"))
        batch_op.drop_index(batch_op.f("ix_account_changes_account_id"))

    op.drop_table("account_changes")
    with op.batch_alter_table("sync_records", schema=None) as batch_op:
        batch_op.drop_index("uq_sync_records_instance_running")
        batch_op.drop_index(batch_op.f("ix_sync_records_status"))
        batch_op.drop_index(batch_op.f("ix_sync_records_session_id"))
        batch_op.drop_index(batch_op.f("ix_sync_records_instance_id"))

    op.drop_table("sync_records")
    op.drop_table("instance_tags")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_status"))
        batch_op.drop_index(batch_op.f("ix_accounts_name"))
        batch_op.drop_index(batch_op.f("ix_accounts_is_superuser"))
        batch_op.drop_index(batch_op.f("ix_accounts_instance_id"))

    op.drop_table("accounts")
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_runs_status"))
        batch_op.drop_index(batch_op.f("ix_job_runs_started_at"))
        batch_op.drop_index(batch_op.f("ix_job_runs_job_id"))

    op.drop_table("job_runs")
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_instances_name_live",
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_instances_engine"))

    op.drop_table("instances")
    op.drop_table("users")
    op.drop_table("tags")
    with op.batch_alter_table("sync_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_sessions_status"))
        batch_op.drop_index(batch_op.f("ix_sync_sessions_started_at"))

    op.drop_table("sync_sessions")
    op.drop_table("credentials")
