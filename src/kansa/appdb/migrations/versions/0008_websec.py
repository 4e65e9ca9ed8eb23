"""Web security: WebAuthn credentials, a ceremony's challenge, room for encrypted TOTP
secrets, and units that can be deactivated.

Revision ID: 0008_websec
Revises: 0007_engagements
Create Date: 2026-11-30

The TOTP secrets already stored in clear are encrypted by the app itself when it opens the
database with its key (:func:`kansa.web.secret_box.encrypt_clear_secrets`): the key never
reaches the database, so a migration cannot do it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kansa.appdb.types import UTCDateTime

revision = "0008_websec"
down_revision = "0007_engagements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.alter_column("totp_secret", type_=sa.String(255), existing_nullable=True)
    with op.batch_alter_table("units") as batch:
        batch.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("web_sessions") as batch:
        batch.add_column(sa.Column("challenge", sa.String(128), nullable=True))
    op.create_table(
        "webauthn_credentials",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("credential_id", sa.String(1400), nullable=False, unique=True),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_webauthn_credentials_user_id", "webauthn_credentials", ["user_id"])


def downgrade() -> None:
    op.drop_table("webauthn_credentials")
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("challenge")
    with op.batch_alter_table("units") as batch:
        batch.drop_column("active")
    with op.batch_alter_table("users") as batch:
        batch.alter_column("totp_secret", type_=sa.String(64), existing_nullable=True)
