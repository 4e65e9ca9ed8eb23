"""Runs, control results, findings and finding events.

Revision ID: 0001
Revises:
Create Date: 2026-05-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kansa.appdb.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("workspace", sa.String(200), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=False),
        sa.Column("engine", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("controls_total", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("errored", sa.Integer(), nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("ledger_seq", sa.Integer(), nullable=True),
        sa.Column("ledger_hash", sa.String(64), nullable=True),
    )
    op.create_index("ix_runs_workspace", "runs", ["workspace"])
    op.create_table(
        "control_results",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "run_id", sa.String(64), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("control_id", sa.String(32), nullable=False),
        sa.Column("control_version", sa.Integer(), nullable=False),
        sa.Column("version_hash", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("snapshots", sa.JSON(), nullable=False),
        sa.Column("engine", sa.String(64), nullable=False),
        sa.Column("population_count", sa.BigInteger(), nullable=True),
        sa.Column("exception_count", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("exceptions_file", sa.String(300), nullable=True),
        sa.Column("exceptions_sha256", sa.String(64), nullable=True),
        sa.UniqueConstraint("run_id", "control_id", name="uq_control_results_run"),
    )
    op.create_index("ix_control_results_run_id", "control_results", ["run_id"])
    op.create_index("ix_control_results_control_id", "control_results", ["control_id"])
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(200), nullable=False),
        sa.Column("control_id", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(500), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("rating", sa.String(32), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("repeat", sa.Boolean(), nullable=False),
        sa.Column("previous_id", sa.Integer(), sa.ForeignKey("findings.id"), nullable=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("first_seen_run_id", sa.String(64), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("last_seen_run_id", sa.String(64), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_run_id", sa.String(64), sa.ForeignKey("runs.id"), nullable=True),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("exception_count", sa.BigInteger(), nullable=False),
        sa.Column("population_count", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_findings_workspace", "findings", ["workspace"])
    op.create_index("ix_findings_control_id", "findings", ["control_id"])
    op.create_index("ix_findings_status", "findings", ["status"])
    op.create_index(
        "uq_findings_open_scope",
        "findings",
        ["workspace", "control_id", "scope"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "finding_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "finding_id",
            sa.Integer(),
            sa.ForeignKey("findings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("rating", sa.String(32), nullable=True),
        sa.Column("exception_count", sa.BigInteger(), nullable=True),
        sa.Column("population_count", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_index("ix_finding_events_finding_id", "finding_events", ["finding_id"])
    op.create_index("ix_finding_events_run_id", "finding_events", ["run_id"])


def downgrade() -> None:
    op.drop_table("finding_events")
    op.drop_table("findings")
    op.drop_table("control_results")
    op.drop_table("runs")
