"""What every request of one app shares: the workspace, its database, vault and catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from kansa.appdb import Database
from kansa.controls.model import Control
from kansa.vault import LedgerEntry, Vault
from kansa.web.exception_pages import ExceptionPages
from kansa.web.memo import Memo
from kansa.web.secret_box import SecretBox
from kansa.web.settings import WebSettings
from kansa.web.throttle import Throttle
from kansa.workspace import Workspace


@dataclass
class AppContext:
    workspace: Workspace
    db: Database
    settings: WebSettings
    throttle: Throttle = field(default_factory=Throttle)
    # seals and opens TOTP secrets (the key never enters the database); create_app passes the
    # one it checked against the database, else the workspace's is loaded on first use
    sealed_with: SecretBox | None = None
    # exceptions files whose SHA-256 was checked against the run (path, sha256, mtime, size)
    verified_files: set[tuple[Any, ...]] = field(default_factory=set)

    @cached_property
    def exception_pages(self) -> ExceptionPages:
        """The verified exceptions files this process keeps for the explorer."""
        return ExceptionPages(self.settings.rows_cache_mb << 20)

    def last_verify(self) -> LedgerEntry | None:
        """The newest verification's entry, done by this or another server process."""
        from kansa.web.trail import last_action

        return last_action(self.vault, "verify")

    @property
    def box(self) -> SecretBox:
        if self.sealed_with is None:
            from kansa.web.secret_box import load_box

            self.sealed_with = load_box(self.workspace.root)
        return self.sealed_with

    @cached_property
    def memo(self) -> Memo:
        """What this process computed from the app database, while it is unchanged."""
        return Memo(self.db.engine)

    @cached_property
    def vault(self) -> Vault:
        return Vault(self.workspace.vault_dir)

    @cached_property
    def catalog(self) -> dict[str, Control]:
        """The controls this workspace runs (built-ins plus its own), loaded once."""
        from kansa.controls import load_catalog

        extra = [self.workspace.resolve(p) for p in self.workspace.config.control_paths]
        return load_catalog(extra)
