"""A local Spark for the analytics parity tests, started once per test session.

:func:`kansa.engine.spark.session.spark_session` reuses a session already running in the
process, so the engine tests' Spark (if they start one first) is shared, not doubled.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kansa.engine.spark.session import spark_session
from kansa.workspace.engine_config import SparkSettings


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    # small heap and two cores: the machine is shared; Java comes from the system packages
    # the settings of tests/engine/conftest.py's fixture: whichever starts first, one JVM
    settings = SparkSettings(
        master="local[2]", driver_memory="1g", conf={"spark.sql.shuffle.partitions": "2"}
    )
    yield spark_session(settings, "kansa-tests")
