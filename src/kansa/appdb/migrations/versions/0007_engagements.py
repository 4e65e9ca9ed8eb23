"""The audit plan: audit universe, engagements and their items, maturity self-assessment.

Revision ID: 0007_engagements
Revises: 0006_run_summary
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kansa.appdb.types import UTCDateTime

revision = "0007_engagements"
down_revision = "0006_run_summary"
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "audit_entities",
        _id(),
        sa.Column("workspace", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("likelihood", sa.Integer(), nullable=False),
        sa.Column("datasets", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.Integer(), nullable=False),
        sa.UniqueConstraint("workspace", "kind", "name", name="uq_audit_entities"),
    )
    op.create_index("ix_audit_entities_workspace", "audit_entities", ["workspace"])
    op.create_table(
        "engagements",
        _id(),
        sa.Column("workspace", sa.String(200), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("lead", sa.String(200), nullable=False),
        sa.Column("team", sa.JSON(), nullable=False),
        sa.Column("controls", sa.JSON(), nullable=False),
        sa.Column("analytics", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("hours_budget", sa.Float(), nullable=False),
        sa.Column("hours_actual", sa.Float(), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("risk_score", sa.Float(), nullable=True),
        sa.Column("rolled_from_id", sa.Integer(), sa.ForeignKey("engagements.id"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.Integer(), nullable=False),
        sa.UniqueConstraint("workspace", "code", name="uq_engagements_code"),
    )
    op.create_index("ix_engagements_workspace", "engagements", ["workspace"])
    op.create_table(
        "engagement_items",
        _id(),
        sa.Column(
            "engagement_id",
            sa.Integer(),
            sa.ForeignKey("engagements.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("item_seq", sa.Integer(), nullable=False),
        sa.Column("item_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.Integer(), nullable=False),
        sa.UniqueConstraint("engagement_id", "item_seq", name="uq_engagement_items"),
    )
    op.create_index("ix_engagement_items_engagement_id", "engagement_items", ["engagement_id"])
    op.create_table(
        "maturity_claims",
        _id(),
        sa.Column("workspace", sa.String(200), nullable=False),
        sa.Column("criterion", sa.String(64), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("assessed_by", sa.String(200), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.Integer(), nullable=False),
        sa.UniqueConstraint("workspace", "criterion", name="uq_maturity_claims"),
    )
    op.create_index("ix_maturity_claims_workspace", "maturity_claims", ["workspace"])


def downgrade() -> None:
    for table in ("maturity_claims", "engagement_items", "engagements", "audit_entities"):
        op.drop_table(table)
