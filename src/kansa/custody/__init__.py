"""Custody proofs: Bitcoin output script descriptors and multi-signature attestation.

The descriptor language (BIP 380-387, 389) is parsed by our own small parser; the elliptic-curve
work is done by ``coincurve`` (libsecp256k1). :func:`parse_descriptor` is the entry point.
"""

from __future__ import annotations

from kansa.custody.descriptor import Descriptor, Expansion, parse_descriptor
from kansa.custody.errors import DescriptorError

__all__ = ["Descriptor", "DescriptorError", "Expansion", "parse_descriptor"]
