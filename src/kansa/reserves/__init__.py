"""Proof of reserves: a Merkle-sum tree over customer balances, proofs, verification, check.

Public surface:

* :func:`build_reserves` - one day of ``customer_balances`` -> a tree committed to the vault.
* :func:`find_tree`, :class:`TreeArtifact` - open a committed tree; ``.proof(customer_id)``.
* :func:`export_proofs` - every customer's proof as JSON Lines shards.
* :func:`verify_proof` - check a proof against a published root (no workspace needed).
* :func:`check_reserves` - failing assets (reserves < liabilities) for a control's logic.

The byte format (version 1) is specified in ``docs/reserves.md`` and implemented in
:mod:`kansa.reserves.encoding`.
"""

from kansa.reserves.artifact import find_tree
from kansa.reserves.build import build_reserves
from kansa.reserves.check import check_reserves, open_views, reserve_positions
from kansa.reserves.export import export_proofs
from kansa.reserves.proofs import ArtifactCorrupt, TreeArtifact, proof_line
from kansa.reserves.verify import Verification, verify_proof

__all__ = [
    "ArtifactCorrupt",
    "TreeArtifact",
    "Verification",
    "build_reserves",
    "check_reserves",
    "export_proofs",
    "find_tree",
    "open_views",
    "proof_line",
    "reserve_positions",
    "verify_proof",
]
