"""Coverage statuses: not_tested and incomplete results, their reason and missing days.

Revision ID: 0003_coverage
Revises: 0002_web_access
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_coverage"
down_revision = "0002_web_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("control_results") as batch:
        batch.alter_column(
            "status", existing_type=sa.String(8), type_=sa.String(16), existing_nullable=False
        )
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("coverage", sa.JSON(), nullable=True))
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("not_tested", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("incomplete", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("incomplete")
        batch.drop_column("not_tested")
    with op.batch_alter_table("control_results") as batch:
        batch.drop_column("coverage")
        batch.drop_column("reason")
        batch.alter_column(
            "status", existing_type=sa.String(16), type_=sa.String(8), existing_nullable=False
        )
