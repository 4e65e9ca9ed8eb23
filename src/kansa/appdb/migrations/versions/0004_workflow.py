"""The audit workflow: finding owners, answers, re-ratings, risk acceptance, sign-offs, notes.

Revision ID: 0004_workflow
Revises: 0003_coverage
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kansa.appdb.types import UTCDateTime

revision = "0004_workflow"
down_revision = "0003_coverage"
branch_labels = None
depends_on = None

_FINDING_COLUMNS = (
    ("state", sa.String(20), "open"),
    ("assignee", sa.String(200), ""),
    ("due_date", sa.Date(), None),
    ("response", sa.Text(), ""),
    ("action_plan", sa.Text(), ""),
    ("rating_override", sa.String(32), None),
    ("proposed_rating", sa.String(32), None),
    ("proposed_reason", sa.Text(), ""),
    ("proposed_by", sa.String(200), ""),
    ("accepted_until", sa.Date(), None),
    ("accepted_by", sa.String(200), ""),
    ("closed_by", sa.String(200), ""),
)


def upgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        for name, type_, default in _FINDING_COLUMNS:
            batch.add_column(
                sa.Column(name, type_, nullable=default is None, server_default=default)
            )
        batch.add_column(sa.Column("retest_run_id", sa.String(64), nullable=True))
        batch.create_foreign_key("fk_findings_retest_run", "runs", ["retest_run_id"], ["id"])
    # findings closed before the workflow existed were closed by a passing run
    op.execute("UPDATE findings SET state = 'closed' WHERE status = 'closed'")
    op.create_table(
        "finding_actions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "finding_id",
            sa.Integer(),
            sa.ForeignKey("findings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("ledger_seq", sa.Integer(), nullable=False),
        sa.Column("ledger_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_finding_actions_finding_id", "finding_actions", ["finding_id"])
    op.create_table(
        "signoffs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(200), nullable=False),
        sa.Column("item_seq", sa.Integer(), nullable=False),
        sa.Column("item_hash", sa.String(64), nullable=False),
        sa.Column("item_kind", sa.String(32), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("covers", sa.JSON(), nullable=False),
        sa.Column("ledger_seq", sa.Integer(), nullable=False),
        sa.Column("ledger_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_signoffs_workspace", "signoffs", ["workspace"])
    op.create_index("ix_signoffs_item_seq", "signoffs", ["item_seq"])
    op.create_table(
        "review_notes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(200), nullable=False),
        sa.Column("item_seq", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("cleared_by", sa.String(200), nullable=True),
        sa.Column("cleared_at", UTCDateTime(), nullable=True),
        sa.Column("ledger_seq", sa.Integer(), nullable=False),
    )
    op.create_index("ix_review_notes_workspace", "review_notes", ["workspace"])
    op.create_index("ix_review_notes_item_seq", "review_notes", ["item_seq"])


def downgrade() -> None:
    op.drop_table("review_notes")
    op.drop_table("signoffs")
    op.drop_table("finding_actions")
    with op.batch_alter_table("findings") as batch:
        batch.drop_constraint("fk_findings_retest_run", type_="foreignkey")
        batch.drop_column("retest_run_id")
        for name, _type, _default in reversed(_FINDING_COLUMNS):
            batch.drop_column(name)
