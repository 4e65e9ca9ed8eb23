"""The workspace: a folder with ``kansa.toml``, the evidence ``vault/`` and the app database.

Public surface: :class:`Workspace`, :func:`find_workspace`, :func:`create_workspace`.
"""

from kansa.workspace.config import DatasetMapping, WorkspaceConfig, load_config
from kansa.workspace.workspace import Workspace, create_workspace, find_workspace

__all__ = [
    "DatasetMapping",
    "Workspace",
    "WorkspaceConfig",
    "create_workspace",
    "find_workspace",
    "load_config",
]
