"""scheduled jobs

Revision ID: 0002_scheduled_jobs
Revises: 0001_initial
Create Date: 2026-12-04 16:38:16.482528
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
revision = "0002_scheduled_jobs"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "scheduled_jobs",
        sa.Column("job_id", sa.String(length=128), nullable=False),
        sa.Column("trigger_override", JSON_TYPE, nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_scheduled_jobs")),
    )
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=255), nullable=True))


def downgrade():

    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_column("owner")

    op.drop_table("scheduled_jobs")
