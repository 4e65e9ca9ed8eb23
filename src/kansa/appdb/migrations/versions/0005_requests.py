"""Evidence requests (an auditor asks a control owner for a dataset or a document by a date)
and notifications (each notice to each person: sent, or failed and retried).

Revision ID: 0005_requests
Revises: 0004_workflow
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kansa.appdb.types import UTCDateTime

revision = "0005_requests"
down_revision = "0004_workflow"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_requests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(200), nullable=False),
        sa.Column("contract", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("assignee", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("fulfilled_by", sa.String(200), nullable=False),
        sa.Column("fulfilled_at", UTCDateTime(), nullable=True),
        sa.Column("delivered", sa.JSON(), nullable=False),
        sa.Column("ledger_seq", sa.Integer(), nullable=False),
    )
    op.create_index("ix_evidence_requests_workspace", "evidence_requests", ["workspace"])
    op.create_index("ix_evidence_requests_state", "evidence_requests", ["state"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("first_at", UTCDateTime(), nullable=False),
        sa.Column("last_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_notifications_workspace", "notifications", ["workspace"])
    op.create_index("ix_notifications_key", "notifications", ["key"])


def downgrade() -> None:
    op.drop_table("notifications")
    op.drop_table("evidence_requests")
