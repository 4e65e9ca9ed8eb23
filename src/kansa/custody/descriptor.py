"""A parsed descriptor: checksum (BIP 380), network, multipath (BIP 389) and expansion to the
output script, address and keys at one index."""

from __future__ import annotations

from dataclasses import dataclass

from kansa.custody.addresses import script_to_address
from kansa.custody.checksum import (
    CHECKSUM_LENGTH,
    add_checksum,
    checksum_matches,
    compute_checksum,
    invalid_character,
)
from kansa.custody.cursor import Cursor
from kansa.custody.errors import DescriptorError
from kansa.custody.keys import DerivedKey, KeyExpression
from kansa.custody.networks import Network, network
from kansa.custody.parser import Ctx, parse_script
from kansa.custody.scripts import Policy, RawNode, ScriptNode, TrNode


@dataclass(frozen=True)
class Expansion:
    """What a descriptor produces at one child index (and multipath branch)."""

    index: int
    branch: int
    script_pubkey: bytes
    address: str | None
    keys: tuple[DerivedKey, ...]
    xonly: bool

    def key_hex(self) -> list[str]:
        return [k.serialized(self.xonly).hex() for k in self.keys]


class Descriptor:
    def __init__(self, root: ScriptNode, net: Network | None, had_checksum: bool) -> None:
        self.root = root
        self.network = net
        self.had_checksum = had_checksum

    @property
    def keys(self) -> tuple[KeyExpression, ...]:
        return self.root.key_expressions()

    @property
    def is_ranged(self) -> bool:
        return any(k.is_ranged for k in self.keys)

    @property
    def branches(self) -> int:
        return max((k.branches for k in self.keys), default=1)

    @property
    def policy(self) -> Policy:
        return self.root.policy()

    @property
    def fingerprints(self) -> list[str]:
        """Key fingerprints (origin, else the key's own) of the keys that can sign."""
        return [k.fingerprint.hex() for k in self.policy.signers]

    def text(self, branch: int | None = None) -> str:
        """The normalised public descriptor with its checksum (one branch of a multipath
        descriptor when ``branch`` is given)."""
        return add_checksum(self.root.text(branch))

    def resolve_network(self, name: str | None = None, chain: str | None = None) -> Network:
        """The requested network (default: the keys'); refuse one that contradicts the keys
        (xpub vs tpub) or an addr() of another chain."""
        implied = self.network
        try:
            wanted = network(
                name or (implied.name if implied else "mainnet"),
                chain
                or (implied.chain if isinstance(self.root, RawNode) and implied else "bitcoin"),
            )
        except ValueError as exc:
            raise DescriptorError(str(exc)) from None
        if implied is not None and implied.name != wanted.name:
            raise DescriptorError(
                f"the descriptor's keys are {implied.name} keys, but {wanted.name} was asked"
            )
        if isinstance(self.root, RawNode) and implied is not None and implied != wanted:
            raise DescriptorError(f"the addr() is a {implied.label} address, not {wanted.label}")
        return wanted

    def script_at(self, index: int, branch: int = 0) -> bytes:
        """Only the output script (no address, no key list): what address searches compare."""
        return self.root.script(index, branch)

    def expand(
        self, index: int = 0, branch: int = 0, net: str | Network | None = None
    ) -> Expansion:
        if not 0 <= branch < self.branches:
            raise DescriptorError(
                f"branch {branch} does not exist: the multipath step has {self.branches} values"
            )
        chosen = net if isinstance(net, Network) else self.resolve_network(net)
        script = self.root.script(index, branch)
        keys = tuple(k.derive(index, branch) for k in self.keys)
        xonly = isinstance(self.root, TrNode)
        return Expansion(index, branch, script, script_to_address(script, chosen), keys, xonly)


def parse_descriptor(text: str, *, require_checksum: bool = False) -> Descriptor:
    """Parse and check a descriptor; raise :class:`DescriptorError` naming the position."""
    text = text.strip()
    bad = invalid_character(text)
    if bad is not None:
        raise DescriptorError(
            f"character {text[bad]!r} is not allowed in descriptors (BIP 380 character set)",
            text=text,
            position=bad,
        )
    body, checksum = _split_checksum(text, require_checksum)
    cur = Cursor(text, 0, len(body))
    root = parse_script(cur, Ctx.TOP)
    if not cur.at_end():
        raise cur.error(f"unexpected {cur.found()} after the end of the descriptor")
    net = _network(root, cur)
    _check_multipath(root, cur)
    return Descriptor(root, net, checksum is not None)


def _split_checksum(text: str, required: bool) -> tuple[str, str | None]:
    if "#" not in text:
        if required:
            raise DescriptorError(
                "missing checksum ('#' and 8 characters)", text=text, position=len(text)
            )
        return text, None
    hash_pos = text.index("#")
    body, checksum = text[:hash_pos], text[hash_pos + 1 :]
    if len(checksum) != CHECKSUM_LENGTH:
        raise DescriptorError(
            f"checksum must be {CHECKSUM_LENGTH} characters, found {len(checksum)}",
            text=text,
            position=hash_pos + 1,
        )
    if not checksum_matches(body, checksum):
        raise DescriptorError(
            f"checksum mismatch: the text before '#' has checksum {compute_checksum(body)}, "
            f"not {checksum}",
            text=text,
            position=hash_pos + 1,
        )
    return body, checksum


def _network(root: ScriptNode, cur: Cursor) -> Network | None:
    """The one network all keys (xpub vs tpub, WIF prefix) and any addr() agree on."""
    found: Network | None = root.network if isinstance(root, RawNode) else None
    for key in root.key_expressions():
        if key.network is None:
            continue
        if found is not None and key.network.name != found.name:
            raise cur.error(
                f"mixes {found.name} and {key.network.name} keys in one descriptor", key.position
            )
        found = key.network
    return found


def _check_multipath(root: ScriptNode, cur: Cursor) -> None:
    """BIP 389: every multipath step in a descriptor has the same number of values."""
    counts = {k.branches for k in root.key_expressions() if k.branches > 1}
    if len(counts) > 1:
        first = next(k for k in root.key_expressions() if k.branches > 1)
        other = next(k for k in root.key_expressions() if k.branches not in (1, first.branches))
        raise cur.error(
            f"multipath steps of different lengths ({first.branches} and {other.branches}) "
            "in one descriptor (BIP 389)",
            other.position,
        )
