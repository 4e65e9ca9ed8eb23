"""Fixtures shared by every test area."""

from __future__ import annotations

from pathlib import Path

import pytest

from kansa.workspace import Workspace, create_workspace

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A fresh, empty workspace in a temporary folder."""
    return create_workspace(tmp_path / "ws", name="test")


@pytest.fixture(scope="session")
def ofac_dir() -> Path:
    """The real OFAC digital-currency lists from ../shared/data, when present."""
    d = SHARED_DATA / "ofac-sdn-digital-currency-2024-09"
    if not d.is_dir():
        pytest.skip("../shared/data is not present")
    return d
