"""The SparkSession Kansa runs controls on, built from the ``[spark]`` settings.

Settings that make Spark read like the DuckDB sandbox are imposed, whatever ``[spark.conf]``
says: the session time zone is UTC (contracts' times are UTC, never the machine's zone),
``spark.sql.runSQLOnFiles`` is off (no ``parquet.`/path``` table can name a file), the catalog is
in-memory (no Hive metastore, no warehouse writes), timestamps are written as Parquet
``TIMESTAMP_MICROS`` (the type DuckDB writes and reads back with its zone), and the web UI is off.
The driver's heap is ``driver_memory`` (its -Xmx: the machine may be shared).

``spark.driver.memory`` only takes effect when this call starts the JVM: a session already
running in the process is reused as it is (Spark allows one per JVM), with the imposed SQL
settings applied to it again.
"""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING

from kansa.workspace.engine_config import SparkSettings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# SQL settings fixed for every Kansa session (runtime-settable ones are re-applied on reuse)
IMPOSED_SQL = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.parquet.int96RebaseModeInWrite": "CORRECTED",
    "spark.sql.parquet.datetimeRebaseModeInWrite": "CORRECTED",
    "spark.sql.parquet.int96RebaseModeInRead": "CORRECTED",
    "spark.sql.parquet.datetimeRebaseModeInRead": "CORRECTED",
    "spark.sql.parquet.inferTimestampNTZ.enabled": "false",
    "spark.sql.runSQLOnFiles": "false",
}
# Spark's 200 shuffle partitions suit a cluster; on one machine they make every small control
# pay for 200 tasks. [spark.conf] overrides it.
LOCAL_DEFAULTS = {"spark.sql.shuffle.partitions": "4"}
# On a cluster, a cancelled task that never checks its kill flag (a loop over a broadcast side)
# would hold its executor's core for good: Spark's task reaper kills such an executor after
# the timeout and the cluster manager starts another. Local mode has no such remedy (the
# executor is the driver's JVM). https://spark.apache.org/docs/3.5.3/configuration.html
CLUSTER_DEFAULTS = {"spark.task.reaper.enabled": "true", "spark.task.reaper.killTimeout": "60s"}
IMPOSED_STATIC = {
    "spark.ui.enabled": "false",
    "spark.sql.catalogImplementation": "in-memory",
    "spark.ui.showConsoleProgress": "false",
}


def spark_version() -> str:
    """The PySpark version, without starting anything."""
    import pyspark

    return str(pyspark.__version__)


def engine_name() -> str:
    """What a run records as its engine: ``spark 3.5.3``."""
    return f"spark {spark_version()}"


def spark_session(settings: SparkSettings | None = None, app_name: str = "kansa") -> SparkSession:
    """The process's SparkSession, started from ``settings`` if none is running yet.

    Raises ``ImportError`` when PySpark is not installed (the caller turns it into a clear
    message: :func:`kansa.engine.engines.open_engine`).
    """
    from pyspark.sql import SparkSession

    s = settings or SparkSettings()
    os.environ.setdefault("PYSPARK_PYTHON", _python())
    if s.master.startswith("local"):  # offline: bind to loopback, never look the host up
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.master(s.master).appName(app_name)
    for key, value in session_conf(s).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    for key, value in IMPOSED_SQL.items():  # a reused session gets them too
        session.conf.set(key, value)
    session.sparkContext.setLogLevel("ERROR")
    return session


def session_conf(s: SparkSettings) -> dict[str, str]:
    """The properties a new session starts with: defaults for the master's kind, then
    ``[spark.conf]``, then what Kansa imposes."""
    local = s.master.startswith("local")
    return {
        **(LOCAL_DEFAULTS if local else CLUSTER_DEFAULTS),
        **s.conf,
        "spark.driver.memory": s.driver_memory,
        "spark.sql.warehouse.dir": s.conf.get(
            "spark.sql.warehouse.dir", os.path.join(tempfile.gettempdir(), "kansa-spark-warehouse")
        ),
        **IMPOSED_STATIC,
        **IMPOSED_SQL,
    }


def _python() -> str:
    import sys

    return sys.executable
