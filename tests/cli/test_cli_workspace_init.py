"""Creating a workspace where one cannot be: one clear message, exit code 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from kansa.errors import KansaError
from kansa.workspace import create_workspace


def test_a_workspace_over_an_existing_file_is_refused(tmp_path: Path) -> None:
    taken = tmp_path / "export.csv"
    taken.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(KansaError, match="not a folder"):
        create_workspace(taken)
    assert taken.read_text(encoding="utf-8") == "a,b\n"


def test_a_workspace_under_a_file_is_refused(tmp_path: Path) -> None:
    taken = tmp_path / "export.csv"
    taken.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(KansaError, match="Cannot create a workspace"):
        create_workspace(taken / "ws")


@pytest.mark.parametrize(
    "name", ['Acme "Tokyo"', "back\\slash", "監査\nline", "tab\there", "del\x7f"]
)
def test_any_workspace_name_gives_a_readable_kansa_toml(tmp_path: Path, name: str) -> None:
    ws = create_workspace(tmp_path / "ws", name=name)
    assert ws.config.name == name


def test_a_folder_name_with_a_backslash_is_a_workspace_name_too(tmp_path: Path) -> None:
    ws = create_workspace(tmp_path / "back\\slash")
    assert ws.config.name == "back\\slash"
