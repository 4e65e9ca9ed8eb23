"""Evidence vault: content-addressed, append-only, with a hash-chained ledger.

Public surface:

* :class:`Vault` - open with ``Vault(workspace.vault_dir)``.
  ``vault.commit(kind, payload, files)`` moves staged files into the vault and appends one ledger
  entry that carries their SHA-256 (the only way anything enters the vault).
  ``vault.commit_snapshot(dataset, staged_parquet, meta)`` is that, for an ingest.
  ``vault.latest(dataset)`` / ``vault.snapshots()`` read what has been committed.
  ``vault.staging_dir()`` / ``vault.staging()`` give a private folder for work in progress;
  ``vault.writer()`` is the writer lock plus ``vault.recover()``, which rolls back a commit a
  killed process left half done (writers only: reading never recovers);
  ``vault.evidence_path(rel)`` is a vault file for reading, refusing links and escapes.
* :class:`UnsafeVaultPath` - a link or an escape in the vault (exit 2);
  :class:`VaultWriteError` - a full disk or failed write during a commit (exit 2).
* :class:`Ledger`, :class:`LedgerEntry` - the hash chain itself.
* :func:`verify_vault` -> :class:`VerifyReport` - re-hash everything, walk the chain; reads only.
* :func:`generate_keypair`, :func:`sign_head`, :func:`load_public_key` - Ed25519 signatures
  of the ledger head with a key kept outside the vault.
* :func:`sha256_file` - streaming SHA-256 of a file.
"""

from kansa.vault.hashing import sha256_file
from kansa.vault.ledger import GENESIS, Ledger, LedgerCorrupt, LedgerEntry
from kansa.vault.nofollow import UnsafeVaultPath
from kansa.vault.signing import generate_keypair, load_public_key, sign_head
from kansa.vault.store import Snapshot, Vault
from kansa.vault.verify import Issue, VerifyReport, verify_vault
from kansa.vault.write_errors import VaultWriteError

__all__ = [
    "GENESIS",
    "Issue",
    "Ledger",
    "LedgerCorrupt",
    "LedgerEntry",
    "Snapshot",
    "UnsafeVaultPath",
    "Vault",
    "VaultWriteError",
    "VerifyReport",
    "generate_keypair",
    "load_public_key",
    "sha256_file",
    "sign_head",
    "verify_vault",
]
