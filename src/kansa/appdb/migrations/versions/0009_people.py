"""People's addresses: each user's e-mail, webhook and language, for notifications and pages.

Revision ID: 0009_people
Revises: 0008_websec
Create Date: 2026-11-30

They were kept in ``[notify.people]`` of kansa.toml; an account now holds its own (set with
``kansa users set`` or the admin page), and kansa.toml stays a fallback for names without one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_people"
down_revision = "0008_websec"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
        batch.add_column(sa.Column("webhook", sa.String(500), nullable=True))
        batch.add_column(sa.Column("language", sa.String(2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
        batch.drop_column("webhook")
        batch.drop_column("email")
