"""Per-run summaries for the web overview: verdicts per area and owner, each control's newest run.

``latest_results`` is filled from the results already recorded (the newest run of each control
per workspace). ``run_area_summaries`` cannot be: areas and owners come from the catalog at run
time, which the old rows did not keep; the overview counts those runs from their results.

Revision ID: 0006_run_summary
Revises: 0005_requests
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kansa.appdb.types import UTCDateTime

revision = "0006_run_summary"
down_revision = "0005_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_area_summaries",
        sa.Column(
            "run_id", sa.String(64), sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("area", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(200), primary_key=True),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("errored", sa.Integer(), nullable=False),
        sa.Column("other", sa.Integer(), nullable=False),
    )
    op.create_table(
        "latest_results",
        sa.Column("workspace", sa.String(200), primary_key=True),
        sa.Column("control_id", sa.String(32), primary_key=True),
        sa.Column(
            "run_id", sa.String(64), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("started_at", UTCDateTime(), nullable=False),
    )
    op.execute(
        """
        INSERT INTO latest_results (workspace, control_id, run_id, started_at)
        SELECT workspace, control_id, run_id, started_at FROM (
            SELECT r.workspace, c.control_id, c.run_id, r.started_at,
                   ROW_NUMBER() OVER (PARTITION BY r.workspace, c.control_id
                                      ORDER BY r.started_at DESC, r.id DESC) AS n
            FROM control_results c JOIN runs r ON r.id = c.run_id
        ) ranked WHERE n = 1
        """
    )


def downgrade() -> None:
    op.drop_table("latest_results")
    op.drop_table("run_area_summaries")
