"""Every action of the web app as a ``web`` entry on the vault's ledger.

The entry's ``actor`` is the signed-in user (user names are restricted to characters the
ledger accepts, see :data:`kansa.web.accounts.USERNAME`), its ``os_user`` the account the
server runs as, and its payload says what was done to what. Appends happen under the vault's
writer lock (:meth:`kansa.vault.Vault.writer`), like every other writer, so ``kansa verify``
covers them. Nobody, not even an admin, can edit or remove them from the app.
"""

from __future__ import annotations

from typing import Any

from kansa.vault import LedgerEntry, Vault
from kansa.web import ledger_index

KIND = "web"
ANONYMOUS = "anonymous"


def record(vault: Vault, actor: str | None, action: str, **details: Any) -> LedgerEntry:
    """Append one entry: ``{"action": ACTION, ...details}`` by ``actor``."""
    payload = {"action": action, **details}
    with vault.writer():
        vault.ledger.refuse_torn_tail()
        if vault.ledger.head() is None:
            vault._refuse_orphaned_evidence()  # as a commit would: never restart a chain
        return vault.ledger.append(KIND, payload, actor=actor or ANONYMOUS)


def entries_about(vault: Vault, key: str, value: str, limit: int = 50) -> list[LedgerEntry]:
    """The newest ``web`` entries whose payload has ``key == value`` (the trail of an object),
    from this process's index of the ledger (:mod:`kansa.web.ledger_index`)."""
    return ledger_index.of(vault.ledger.path).about(KIND, key, value, limit)


def last_action(vault: Vault, action: str) -> LedgerEntry | None:
    """The newest ``web`` entry of ``action`` (a verification done by any server process)."""
    return ledger_index.of(vault.ledger.path).last(KIND, action)
