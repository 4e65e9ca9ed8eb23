"""Apache Spark as an engine of Kansa: the same catalog and evidence as on DuckDB.

Nothing here is imported unless a run asks for Spark (``[run] engine = "spark"`` or
``kansa run --engine spark``), so a DuckDB user never needs PySpark or Java.

* :mod:`.session`: :func:`~kansa.engine.spark.session.spark_session`, the one SparkSession
  factory (settings from ``[spark]``, the JVM's heap capped, UTC, no UI, no SQL on files).
* :mod:`.support`: which controls can run on Spark, and why the others cannot (lint).
* :mod:`.guard`: the Spark side of the SQL guard (Spark's own parser must see one query).
* :mod:`.views`: the snapshots and shared views as temporary views of the session.
* :mod:`.runner`: one control on Spark, with its job group (timeouts cancel it).
"""
