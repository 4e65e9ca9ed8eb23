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
