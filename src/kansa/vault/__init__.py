"""Evidence vault: content-addressed, append-only, with a hash-chained ledger.

Public surface:

* :class:`Vault` - open with ``Vault(workspace.vault_dir)``.
  ``vault.commit(kind, payload, files)`` moves staged files into the vault and appends one ledger
  entry that carries their SHA-256 (the only way anything enters the vault).
  ``vault.commit_snapshot(dataset, staged_parquet, meta)`` is that, for an ingest.
  ``vault.latest(dataset)`` / ``vault.snapshots()`` read what has been committed.
* :class:`Ledger`, :class:`LedgerEntry` - the hash chain itself.
* :func:`sha256_file` - streaming SHA-256 of a file.
"""

from kansa.vault.hashing import sha256_file
from kansa.vault.ledger import GENESIS, Ledger, LedgerEntry
from kansa.vault.store import Snapshot, Vault

__all__ = ["GENESIS", "Ledger", "LedgerEntry", "Snapshot", "Vault", "sha256_file"]
