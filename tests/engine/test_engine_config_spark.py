"""``[run] engine`` and ``[spark]`` in kansa.toml: read, defaulted, and refused precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from kansa.errors import ConfigError
from kansa.workspace.config import load_config
from kansa.workspace.engine_config import SparkSettings


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kansa.toml"
    path.write_text('[workspace]\nname = "t"\n' + text, encoding="utf-8")
    return path


def test_duckdb_is_the_default_engine_with_spark_defaults(tmp_path: Path) -> None:
    cfg = load_config(_config(tmp_path, ""))
    assert cfg.engine == "duckdb"
    assert (cfg.spark.master, cfg.spark.driver_memory, cfg.spark.snapshot_root) == (
        "local[2]",
        "2g",
        None,
    )


def test_spark_settings_are_read(tmp_path: Path) -> None:
    text = (
        '[run]\nengine = "spark"\n[spark]\nmaster = "local[1]"\ndriver_memory = "1g"\n'
        'snapshot_root = "/shared/vault"\ndriver_max_rows = 10\n'
        '[spark.conf]\n"spark.sql.shuffle.partitions" = 4\n"spark.sql.adaptive.enabled" = true\n'
    )
    cfg = load_config(_config(tmp_path, text))
    assert cfg.engine == "spark"
    assert cfg.spark.master == "local[1]" and cfg.spark.driver_memory == "1g"
    assert cfg.spark.snapshot_root == "/shared/vault" and cfg.spark.driver_max_rows == 10
    assert cfg.spark.conf == {
        "spark.sql.shuffle.partitions": "4",
        "spark.sql.adaptive.enabled": "true",
    }


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ('[run]\nengine = "sparks"\n', "run.engine"),
        ('[spark]\ndriver_memory = "lots"\n', "spark.driver_memory"),
        ("[spark]\ndriver_max_rows = -1\n", "spark.driver_max_rows"),
        ('[spark]\nmastr = "local"\n', "mastr"),
        ('[spark]\nmaster = ""\n', "spark.master"),
        ('[spark]\nconf = "x"\n', "[spark.conf]"),
    ],
)
def test_bad_engine_settings_name_the_key(tmp_path: Path, text: str, names: str) -> None:
    with pytest.raises(ConfigError, match=names.replace("[", r"\[").replace(".", r"\.")):
        load_config(_config(tmp_path, text))


def test_a_cluster_session_reaps_tasks_that_ignore_a_cancel_and_local_mode_sizes_shuffles() -> None:
    from kansa.engine.spark.session import session_conf

    cluster = session_conf(SparkSettings(master="yarn"))
    assert cluster["spark.task.reaper.enabled"] == "true"
    assert cluster["spark.task.reaper.killTimeout"] == "60s"
    assert "spark.sql.shuffle.partitions" not in cluster
    local = session_conf(SparkSettings(master="local[2]"))
    assert local["spark.sql.shuffle.partitions"] == "4" and "spark.task.reaper.enabled" not in local
    own = session_conf(SparkSettings(master="yarn", conf={"spark.task.reaper.killTimeout": "5m"}))
    assert own["spark.task.reaper.killTimeout"] == "5m"
    assert (
        session_conf(SparkSettings(conf={"spark.sql.runSQLOnFiles": "true"}))[
            "spark.sql.runSQLOnFiles"
        ]
        == "false"
    )
