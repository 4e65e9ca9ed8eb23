"""Change counters: how many times each table the web app's overview summarises was written.

Revision ID: 0010_webperf_changes
Revises: 0009_people
Create Date: 2026-11-30

A trigger on each watched table adds one to its row of ``change_counters`` on every insert,
update and delete, whoever writes (``kansa run``, the findings workflow, another server
process, a hand-typed SQL statement). The web app keeps what it computed from those tables
until a counter moves (:mod:`kansa.appdb.changes`), so a new run or a finding's change shows
on the next request. SQLite: one trigger per table and statement kind, per row
(https://www.sqlite.org/lang_createtrigger.html). PostgreSQL: one statement-level trigger per
table calling one function (https://www.postgresql.org/docs/current/sql-createtrigger.html).

A later migration that rebuilds one of these tables (SQLite's batch mode copies it to a new
table) drops its triggers and must create them again: tests/appdb/test_appdb_changes.py checks
that every watched table still counts its changes at the newest revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_webperf_changes"
down_revision = "0009_people"
branch_labels = None
depends_on = None

# the same list as kansa.appdb.changes.WATCHED, frozen here as a migration must be
WATCHED = ("runs", "control_results", "latest_results", "run_area_summaries", "findings")
KINDS = ("INSERT", "UPDATE", "DELETE")
PG_FUNCTION = "kansa_count_change"


def upgrade() -> None:
    table = op.create_table(
        "change_counters",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(table, [{"name": name, "value": 0} for name in WATCHED])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "UPDATE change_counters SET value = value + 1 WHERE name = TG_TABLE_NAME; "
            "RETURN NULL; END $$"
        )
        for name in WATCHED:
            op.execute(
                f"CREATE TRIGGER count_change_{name} AFTER INSERT OR UPDATE OR DELETE ON {name} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
            )
        return
    for name in WATCHED:
        for kind in KINDS:
            op.execute(
                f"CREATE TRIGGER count_change_{name}_{kind.lower()} AFTER {kind} ON {name} "
                f"BEGIN UPDATE change_counters SET value = value + 1 WHERE name = '{name}'; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in WATCHED:
            op.execute(f"DROP TRIGGER count_change_{name} ON {name}")
        op.execute(f"DROP FUNCTION {PG_FUNCTION}()")
    else:
        for name in WATCHED:
            for kind in KINDS:
                op.execute(f"DROP TRIGGER count_change_{name}_{kind.lower()}")
    op.drop_table("change_counters")
