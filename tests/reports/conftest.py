"""The demo workspace fixture: one small demo with a control run per test module."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_reports import make_demo_ws


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_ws(tmp_path_factory)
