"""explorer indexes

Revision ID: 0004_explorer_indexes
Revises: 0003_api_tokens_audit
Create Date: 2026-12-04 17:29:54.142112
"""

import logging

import sqlalchemy as sa
from alembic import op

log = logging.getLogger(__name__)

revision = "0004_explorer_indexes"
down_revision = "0003_api_tokens_audit"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("account_privileges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_privileges_privilege_level"))
        batch_op.create_index("ix_account_privileges_lookup", ["privilege", "level", "account_id"], unique=False)

    with op.batch_alter_table("account_role_memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_role_memberships_role"))
        batch_op.create_index("ix_account_role_memberships_role_account", ["role", "account_id"], unique=False)

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index("ix_accounts_name_order", ["name", "instance_id", "host", "id"], unique=False)

    _create_trigram_index()


def _create_trigram_index():
    """PostgreSQL only, and only where pg_trgm may be installed: substring search on account names by index."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if not bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).scalar():
        log.warning("pg_trgm is not available: account name search will scan instead of using an index")
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            bind.execute(sa.text("CREATE INDEX ix_accounts_name_trgm ON accounts USING gin (name gin_trgm_ops)"))
    except sa.exc.DBAPIError as exc:
        log.warning("pg_trgm could not be used (%s): account name search will scan", exc.orig)


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_accounts_name_trgm")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_name_order")

    with op.batch_alter_table("account_role_memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_account_role_memberships_role_account")
        batch_op.create_index(batch_op.f("ix_account_role_memberships_role"), ["role"], unique=False)

    with op.batch_alter_table("account_privileges", schema=None) as batch_op:
        batch_op.drop_index("ix_account_privileges_lookup")
        batch_op.create_index(batch_op.f("ix_account_privileges_privilege_level"), ["privilege", "level"], unique=False)
