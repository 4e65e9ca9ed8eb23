"""The web tests: a small demo workspace with a run, copied for each test module."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers_web import make_demo

from kansa.workspace import Workspace, find_workspace


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("webdemo") / "ws")


@pytest.fixture(scope="module")
def demo(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    copy = tmp_path_factory.mktemp("web") / "ws"
    shutil.copytree(demo_template, copy, symlinks=True)
    return find_workspace(copy)
