"""Finding and creating workspaces."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kansa.errors import KansaError, WorkspaceNotFound
from kansa.i18n import tr
from kansa.workspace.config import CONFIG_FILE, WorkspaceConfig, default_config_text, load_config

ENV_VAR = "KANSA_WORKSPACE"


@dataclass(frozen=True)
class Workspace:
    """An opened workspace. Paths are absolute."""

    root: Path
    config: WorkspaceConfig

    @property
    def vault_dir(self) -> Path:
        return self.root / "vault"

    @property
    def database_url(self) -> str:
        """The app database URL, with a relative SQLite path resolved against the root."""
        url = self.config.database_url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith("sqlite:////"):
            rel = url[len(prefix) :]
            if rel and rel != ":memory:":
                return prefix + str(self.root / rel)
        return url

    def resolve(self, relative: str | Path) -> Path:
        p = Path(relative)
        return p if p.is_absolute() else self.root / p


def open_workspace(root: Path) -> Workspace:
    root = root.resolve()
    cfg = root / CONFIG_FILE
    if not cfg.is_file():
        raise WorkspaceNotFound(
            tr(
                f"No Kansa workspace at {root} (no {CONFIG_FILE}).",
                f"{root} は Kansa ワークスペースではありません（{CONFIG_FILE} がありません）。",
            ),
            hint=tr(
                "Create one with `kansa init PATH`, or pass --workspace / set KANSA_WORKSPACE.",
                "`kansa init PATH` で作成するか、--workspace または KANSA_WORKSPACE を指定してください。",
            ),
        )
    return Workspace(root=root, config=load_config(cfg))


def find_workspace(explicit: Path | None = None) -> Workspace:
    """``--workspace``, then ``KANSA_WORKSPACE``, then the current folder."""
    if explicit is not None:
        return open_workspace(explicit)
    env = os.environ.get(ENV_VAR)
    if env:
        return open_workspace(Path(env))
    return open_workspace(Path.cwd())


def create_workspace(
    root: Path, *, name: str | None = None, timezone: str | None = None
) -> Workspace:
    """Create ``kansa.toml`` and ``vault/``; refuse to overwrite an existing workspace.

    The app database is created and migrated by the caller (``kansa.appdb``), so that this
    package does not depend on the database layer.
    """
    root = root.resolve()
    if (root / CONFIG_FILE).exists():
        raise KansaError(
            tr(f"{root} is already a workspace.", f"{root} はすでにワークスペースです。")
        )
    if root.exists() and not root.is_dir():
        raise KansaError(
            tr(
                f"{root} is a file, not a folder.",
                f"{root} はファイルです（フォルダではありません）。",
            )
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
        (root / CONFIG_FILE).write_text(
            default_config_text(name or root.name, timezone), encoding="utf-8"
        )
        (root / "vault").mkdir(exist_ok=True)
    except OSError as exc:
        raise KansaError(
            tr(
                f"Cannot create a workspace at {root}: {exc.strerror}.",
                f"{root} にワークスペースを作成できません: {exc.strerror}。",
            )
        ) from None
    return open_workspace(root)
