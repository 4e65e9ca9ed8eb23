"""Errors that reach the user as one clear message and an exit code (never a traceback)."""

from __future__ import annotations


class KansaError(Exception):
    """A problem the user can act on. ``exit_code`` is what the CLI exits with."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class WorkspaceNotFound(KansaError):
    pass


class ConfigError(KansaError):
    pass
