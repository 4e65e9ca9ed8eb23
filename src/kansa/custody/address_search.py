"""Find the index at which a descriptor derives a declared address.

Addresses are compared as the output scripts they pay to, so encodings of one script on the
wallet's chain (bech32 in either case, BIP 173; Litecoin's two P2SH prefixes) are the same
address. The declared ``derivation_index`` is tried first (every multipath branch); only on a
miss are indices ``0 .. gap_limit-1`` derived, once per wallet, as a wallet rescans up to its
gap limit (BIP 44 "Address gap limit").
"""

from __future__ import annotations

from dataclasses import dataclass

from kansa.custody.addresses import address_to_script
from kansa.custody.descriptor import Descriptor
from kansa.custody.errors import DescriptorError
from kansa.custody.networks import Network


@dataclass(frozen=True)
class Location:
    index: int
    branch: int


class AddressFinder:
    def __init__(self, descriptor: Descriptor, net: Network, gap_limit: int) -> None:
        self.descriptor = descriptor
        self.net = net
        self.gap_limit = gap_limit if descriptor.is_ranged else 1
        self._scanned: dict[bytes, Location] | None = None

    def address_at(self, index: int, branch: int = 0) -> str | None:
        """The address the descriptor gives at one index (None if it has none)."""
        try:
            return self.descriptor.expand(index, branch, self.net).address
        except DescriptorError:
            return None

    def _script_at(self, index: int, branch: int) -> bytes | None:
        try:
            return self.descriptor.script_at(index, branch)
        except DescriptorError:
            return None

    def locate(self, address: str, declared_index: int | None) -> Location | None:
        """Where the descriptor derives ``address``; ValueError if it is no address of the
        wallet's chain and network."""
        wanted, _ = address_to_script(address.strip(), self.net)
        if declared_index is not None and 0 <= declared_index < 2**31:
            for branch in range(self.descriptor.branches):
                if self._script_at(declared_index, branch) == wanted:
                    return Location(declared_index, branch)
        return self._scan().get(wanted)

    def _scan(self) -> dict[bytes, Location]:
        if self._scanned is None:
            self._scanned = {}
            for index in range(self.gap_limit):
                for branch in range(self.descriptor.branches):
                    script = self._script_at(index, branch)
                    if script is not None:
                        self._scanned.setdefault(script, Location(index, branch))
        return self._scanned
