"""``kansa.toml`` with a wrong value: one clear message naming the key, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from kansa.errors import ConfigError
from kansa.workspace import create_workspace, find_workspace


def _workspace_with(tmp_path: Path, replace: tuple[str, str] | None, extra: str = "") -> Path:
    ws = create_workspace(tmp_path / "ws", name="t")
    toml = ws.root / "kansa.toml"
    text = toml.read_text(encoding="utf-8")
    if replace:
        text = text.replace(*replace)
    toml.write_text(text + extra, encoding="utf-8")
    return ws.root


@pytest.mark.parametrize("value", ['"lots"', "2", '"2"', '"GB"'])
def test_a_memory_limit_duckdb_cannot_read_is_a_config_error(tmp_path: Path, value: str) -> None:
    root = _workspace_with(tmp_path, ('memory_limit = "2GB"', f"memory_limit = {value}"))
    with pytest.raises(ConfigError, match="memory_limit"):
        find_workspace(root)


@pytest.mark.parametrize("value", ['"4GB"', '"512 MiB"', '"1.5gb"', '"80%"'])
def test_memory_limits_duckdb_reads_are_accepted(tmp_path: Path, value: str) -> None:
    root = _workspace_with(tmp_path, ('memory_limit = "2GB"', f"memory_limit = {value}"))
    assert find_workspace(root).config.memory_limit == value.strip('"')


@pytest.mark.parametrize(
    "line", ["delimiter = 5", "timezone = 9", "encoding = true", 'drop = "memo"', "drop = [1]"]
)
def test_a_mapping_value_of_the_wrong_type_is_a_config_error(tmp_path: Path, line: str) -> None:
    root = _workspace_with(tmp_path, None, f"\n[mappings.roles]\n{line}\n")
    key = line.split(" ")[0]
    with pytest.raises(ConfigError, match=f"mappings.roles.{key}"):
        find_workspace(root)
