"""Fixtures for the reserves tests (helpers live in reserves_support.py)."""

from __future__ import annotations

import pytest
from reserves_support import Reference


@pytest.fixture
def reference() -> type[Reference]:
    """The independent, straightforward implementation of the format."""
    return Reference
