"""Descriptor errors that say where the text went wrong and what was expected there."""

from __future__ import annotations

import re

from kansa.errors import KansaError
from kansa.i18n import tr

# Private material that must never be echoed back in an error: extended private keys and
# WIF private keys (base58 strings starting 5/K/L for mainnet, 9/c for testnet).
_SECRET = re.compile(r"[xt]prv[1-9A-HJ-NP-Za-km-z]+|\b[5KL9c][1-9A-HJ-NP-Za-km-z]{50,51}\b")


def redact(text: str) -> str:
    """Mask private keys (same length, so positions still line up) before text is shown."""
    return _SECRET.sub(lambda m: m.group(0)[:4] + "*" * (len(m.group(0)) - 4), text)


class DescriptorError(KansaError):
    """A descriptor that cannot be parsed or expanded.

    ``position`` is the 0-based character offset in the descriptor text (``None`` when the
    problem is not tied to one place, e.g. a hardened step without a private key).
    """

    def __init__(self, reason: str, *, text: str = "", position: int | None = None) -> None:
        self.reason = reason
        self.position = position
        self.text = text
        where = (
            tr(f" at position {position}", f"（位置 {position}）") if position is not None else ""
        )
        super().__init__(
            tr(f"invalid descriptor{where}: {reason}", f"不正なディスクリプタ{where}: {reason}"),
            hint=self._pointer() or None,
        )

    def _pointer(self) -> str:
        """The text around the position with a caret under it (private keys masked)."""
        if self.position is None or not self.text:
            return ""
        safe = redact(self.text)
        start = max(0, self.position - 30)
        end = min(len(safe), self.position + 30)
        prefix = "…" if start > 0 else ""
        suffix = "…" if end < len(safe) else ""
        line = f"{prefix}{safe[start:end]}{suffix}"
        return f"{line}\n{' ' * (len(prefix) + self.position - start)}^"
