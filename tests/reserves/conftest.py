"""Fixtures for the reserves tests (helpers live in reserves_support.py)."""

from __future__ import annotations

import pytest
from reserves_support import Reference


@pytest.fixture
def reference() -> type[Reference]:
    """The independent, straightforward implementation of the format."""
    return Reference


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages asserted on are the English ones, whatever the machine's locale."""
    monkeypatch.setenv("KANSA_LANG", "en")
