"""Find the index at which a descriptor derives a declared address.

The declared ``derivation_index`` is tried first (every multipath branch); only on a miss are
indices ``0 .. gap_limit-1`` derived, once per wallet, as a wallet would when it rescans up to
its gap limit (BIP 44 "Address gap limit").
"""

from __future__ import annotations

from dataclasses import dataclass

from kansa.custody.descriptor import Descriptor
from kansa.custody.errors import DescriptorError


@dataclass(frozen=True)
class Location:
    index: int
    branch: int


def normalise_address(address: str) -> str:
    """Bech32 addresses are case-insensitive (BIP 173); Base58 ones are not."""
    text = address.strip()
    lower = text.lower()
    return lower if lower.startswith(("bc1", "tb1", "bcrt1")) else text


class AddressFinder:
    def __init__(self, descriptor: Descriptor, network: str | None, gap_limit: int) -> None:
        self.descriptor = descriptor
        self.network = network
        self.gap_limit = gap_limit if descriptor.is_ranged else 1
        self._scanned: dict[str, Location] | None = None

    def address_at(self, index: int, branch: int = 0) -> str | None:
        try:
            address = self.descriptor.expand(index, branch, self.network).address
        except DescriptorError:
            return None
        return None if address is None else normalise_address(address)

    def locate(self, address: str, declared_index: int | None) -> Location | None:
        wanted = normalise_address(address)
        if declared_index is not None and declared_index >= 0:
            for branch in range(self.descriptor.branches):
                if self.address_at(declared_index, branch) == wanted:
                    return Location(declared_index, branch)
        return self._scan().get(wanted)

    def _scan(self) -> dict[str, Location]:
        if self._scanned is None:
            self._scanned = {}
            for index in range(self.gap_limit):
                for branch in range(self.descriptor.branches):
                    found = self.address_at(index, branch)
                    if found is not None:
                        self._scanned.setdefault(found, Location(index, branch))
        return self._scanned
