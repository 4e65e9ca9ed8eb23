"""Evidence vault: content-addressed, append-only, with a hash-chained ledger.

Public surface:

* :class:`Vault` - open with ``Vault(workspace.vault_dir)``.
  ``vault.commit(kind, payload, files)`` moves staged files into the vault and appends one ledger
  entry that carries their SHA-256 (the only way anything enters the vault).
  ``vault.commit_snapshot(dataset, staged_parquet, meta)`` is that, for an ingest.
  ``vault.latest(dataset)`` / ``vault.snapshots()`` read what has been committed.
  ``vault.staging_dir()`` / ``vault.staging()`` give a private folder for work in progress;
  ``vault.recover()`` rolls back a commit a killed process left half done.
* :class:`Ledger`, :class:`LedgerEntry` - the hash chain itself.
* :func:`verify_vault` -> :class:`VerifyReport` - re-hash everything, walk the chain.
* :func:`generate_keypair`, :func:`sign_head`, :func:`load_public_key` - Ed25519 signatures
  of the ledger head with a key kept outside the vault.
* :func:`sha256_file` - streaming SHA-256 of a file.
"""

from kansa.vault.hashing import sha256_file
from kansa.vault.ledger import GENESIS, Ledger, LedgerCorrupt, LedgerEntry
from kansa.vault.signing import generate_keypair, load_public_key, sign_head
from kansa.vault.store import Snapshot, Vault
from kansa.vault.verify import Issue, VerifyReport, verify_vault

__all__ = [
    "GENESIS",
    "Issue",
    "Ledger",
    "LedgerCorrupt",
    "LedgerEntry",
    "Snapshot",
    "Vault",
    "VerifyReport",
    "generate_keypair",
    "load_public_key",
    "sha256_file",
    "sign_head",
    "verify_vault",
]
