"""The read-only guarantees on Spark: no control can write, read outside its snapshot views, or
change the session; the per-control time limit cancels its Spark jobs.

The Spark guard (kansa.engine.spark.guard) is tested on Spark SQL directly (SQLGlot side,
no JVM), on Spark's own parser, and end to end through ``run_controls(engine="spark")`` with
workspace controls that try each thing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kansa.controls import Control, parse_control
from kansa.engine import UnsafeQuery, run_controls
from kansa.engine.spark.guard import check_spark_parser, check_sqlglot
from kansa.workspace import Workspace

REFUSED_SPARK_SQL = {
    "SET spark.sql.runSQLOnFiles = true": "only SELECT queries may run, not SET",
    "ADD JAR /tmp/evil.jar": "only SELECT queries may run, not COMMAND",
    "CREATE TEMPORARY VIEW x AS SELECT 1": "only SELECT queries may run, not CREATE",
    "INSERT INTO customer_balances SELECT * FROM customer_balances": "only SELECT queries may run, not INSERT",
    "CACHE TABLE customer_balances": "only SELECT queries may run, not CACHE",
    "REFRESH TABLE customer_balances": "only SELECT queries may run, not REFRESH",
    "DROP VIEW customer_balances": "only SELECT queries may run, not DROP",
    "USE other": "only SELECT queries may run, not USE",
    "SELECT 1; SELECT 2": "exactly one statement",
    "SELECT * FROM parquet.`/etc/passwd`": "qualified table",
    "SELECT * FROM global_temp.secrets": "qualified table",
    "SELECT reflect('java.lang.System', 'getenv', 'HOME')": "reflect",
    "SELECT java_method('java.lang.System', 'exit', 0)": "java_method",
    "SELECT input_file_name() FROM customer_balances": "input_file_name",
    "SELECT current_database()": "current_database",
}


@pytest.mark.parametrize("sql", sorted(REFUSED_SPARK_SQL))
def test_the_spark_guard_refuses_what_is_not_one_plain_query(sql: str) -> None:
    with pytest.raises(UnsafeQuery, match=REFUSED_SPARK_SQL[sql]):
        check_sqlglot(sql)


def test_the_spark_guard_lets_a_plain_query_through() -> None:
    check_sqlglot("WITH c AS (SELECT * FROM t) SELECT a, count(*) FROM c GROUP BY a")


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
@pytest.mark.parametrize(
    "sql", ["SET spark.sql.runSQLOnFiles=true", "ADD JAR /tmp/x.jar", "CACHE TABLE t"]
)
def test_sparks_own_parser_sees_a_command_and_refuses_it(spark: Any, sql: str) -> None:
    with pytest.raises(UnsafeQuery, match="command"):
        check_spark_parser(spark, sql)


CLEAN = "select customer_id from customer_balances where balance < 0"
ATTEMPTS = {
    "TST-002": "select reflect('java.lang.System', 'getProperty', 'user.home') as customer_id "
    "from customer_balances",
    "TST-003": "select wallet_id as customer_id from wallets",
    "TST-004": "SET spark.sql.runSQLOnFiles = true",
    "TST-005": "select * from parquet.`/etc/passwd`",
    "TST-006": "ADD JAR /tmp/evil.jar",
    "TST-007": "CREATE TEMPORARY VIEW customer_balances AS SELECT 1 AS customer_id",
    "TST-008": "INSERT INTO customer_balances SELECT * FROM customer_balances",
    "TST-009": "select customer_id from read_parquet('/etc/passwd')",
}


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_no_control_can_escape_on_spark(
    spark: Any, spark_ws: Workspace, make_control: Callable[..., Control]
) -> None:
    controls = [make_control("TST-001", CLEAN)]
    controls += [make_control(cid, sql) for cid, sql in ATTEMPTS.items()]
    run = run_controls(spark_ws, controls, progress=False, record=False, engine="spark")
    assert run.engine.startswith("spark ")
    assert run.outcome("TST-001").status == "pass"
    for cid in ATTEMPTS:
        o = run.outcome(cid)
        assert o.status == "error" and o.exceptions_file is None, (cid, o)
    assert "reflect" in str(run.outcome("TST-002").error)
    assert "may not be read" in str(run.outcome("TST-003").error)
    # nothing changed the session, and the run's views are gone from the shared one
    assert spark.conf.get("spark.sql.runSQLOnFiles") == "false"
    assert [t.name for t in spark.catalog.listTables() if t.isTemporary] == []


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_a_spark_controls_time_limit_cancels_its_job_group(spark: Any) -> None:
    """The watchdog's interrupt of a control's job group cancels its running Spark job (the
    query would otherwise count 10^18 rows), and the action fails instead of running on."""
    from kansa.engine.spark.runner import JobGroup
    from kansa.engine.watchdog import Watchdog

    big = spark.range(1_000_000_000)
    group = JobGroup(spark, "kansa-test-runaway")
    group.enter("runaway")
    with Watchdog(5.0).watch(group) as clock, pytest.raises(Exception, match="cancel"):
        big.crossJoin(spark.range(1_000_000_000)).count()
    assert clock.expired
    assert spark.sparkContext.statusTracker().getJobIdsForGroup("kansa-test-runaway")


DRIVER_ATTEMPTS = {
    "TST-021": "select * from read_parquet('/etc/passwd')",
    "TST-022": "select wallet_id as asset from staff",  # a dataset the control does not declare
    "TST-023": "select reflect('java.lang.System', 'getenv', 'HOME') as asset from customer_balances",
}


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_a_driver_block_is_guarded_like_any_control_query(
    spark: Any, spark_ws: Workspace, make_control: Callable[..., Control]
) -> None:
    """A workspace control may reuse Kansa's own logic with driver blocks of its own: what those
    blocks read is checked as a control's SQL is, and a refused block is that control's error."""
    datasets = ("wallets", "wallet_balances", "customer_balances")
    controls = []
    for cid, sql in DRIVER_ATTEMPTS.items():
        control = make_control(cid, None, key=("asset",), datasets=datasets,
                               logic="kansa.reserves.control:cus_008")  # fmt: skip
        control.source.with_suffix(".sql").write_text(
            f"-- name: driver_customer_balances\n{sql}\n", encoding="utf-8"
        )
        controls.append(parse_control(control.source, builtin=False))
    run = run_controls(spark_ws, controls, progress=False, record=False, engine="spark")
    for cid in DRIVER_ATTEMPTS:
        o = run.outcome(cid)
        assert o.status == "error" and o.exceptions_file is None, (cid, o)
        assert str(o.error).startswith("UnsafeQuery"), (cid, o.error)  # the guard, not the logic
    assert "staff" in str(run.outcome("TST-022").error)
    assert "reflect" in str(run.outcome("TST-023").error)
    assert [t.name for t in spark.catalog.listTables() if t.isTemporary] == []
