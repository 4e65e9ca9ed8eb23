"""Key expressions (BIP 380 "Key Expressions", BIP 386 x-only keys, BIP 389 multipath).

A key expression is an optional origin ``[fingerprint/path]`` and then a hex public key, a WIF
private key or an extended key with derivation steps. Private material is only ever used to
compute public keys; :meth:`KeyExpression.text` writes the public form.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import coincurve

from kansa.custody import base58
from kansa.custody.bip32 import HARDENED, ExtendedKey, ExtendedKeyError
from kansa.custody.cursor import Cursor
from kansa.custody.errors import DescriptorError
from kansa.custody.hashes import hash160
from kansa.custody.networks import ALL_NETWORKS, SLIP132_PREFIXES, Network
from kansa.custody.paths import KeyOrigin, PathSpec, parse_origin, parse_steps

KEY_END = ",)}"
MAX_CHILD_INDEX = HARDENED - 1


@dataclass(frozen=True)
class KeyRules:
    """What the enclosing script expression allows (BIP 382 compressed only, BIP 386 x-only)."""

    allow_uncompressed: bool = True
    xonly: bool = False
    where: str = "this context"


@dataclass(frozen=True)
class DerivedKey:
    """One public key as it goes into a script, with where it comes from."""

    pubkey: bytes  # 33-byte compressed or 65-byte uncompressed point
    fingerprint: bytes
    path: tuple[int, ...]

    def serialized(self, xonly: bool) -> bytes:
        return self.pubkey[1:33] if xonly else self.pubkey


class KeyExpression(ABC):
    origin: KeyOrigin | None
    position: int
    network: Network | None

    @property
    @abstractmethod
    def is_ranged(self) -> bool:
        """True if the expression ends in ``/*`` (one key per index)."""

    @property
    def branches(self) -> int:
        """How many descriptors a multipath step expands into (1 without one)."""
        return 1

    @property
    @abstractmethod
    def fingerprint(self) -> bytes:
        """The origin fingerprint, else the key's own (BIP 32 fingerprint of its public key)."""

    @abstractmethod
    def derive(self, index: int, branch: int = 0) -> DerivedKey: ...

    @abstractmethod
    def text(self, branch: int | None = None) -> str:
        """The expression in normalised public form (BIP 380 normalisation, ``h`` markers);
        with ``branch``, a multipath step is replaced by that branch's value (BIP 389)."""

    def origin_text(self) -> str:
        return self.origin.text() if self.origin else ""


class ConstKey(KeyExpression):
    """A hex public key or a WIF private key: the same key at every index."""

    def __init__(
        self,
        origin: KeyOrigin | None,
        pubkey: bytes,
        position: int,
        *,
        network: Network | None = None,
        xonly_text: bool = False,
    ) -> None:
        self.origin = origin
        self.pubkey = pubkey
        self.position = position
        self.network = network
        self.xonly_text = xonly_text

    @property
    def is_ranged(self) -> bool:
        return False

    @property
    def compressed(self) -> bool:
        return len(self.pubkey) == 33

    @property
    def fingerprint(self) -> bytes:
        return self.origin.fingerprint if self.origin else hash160(self.pubkey)[:4]

    def derive(self, index: int, branch: int = 0) -> DerivedKey:
        path = self.origin.path if self.origin else ()
        return DerivedKey(self.pubkey, self.fingerprint, path)

    def text(self, branch: int | None = None) -> str:
        key = self.pubkey[1:] if self.xonly_text else self.pubkey
        return self.origin_text() + key.hex()


class ExtendedKeyExpression(KeyExpression):
    """An xpub/xprv (tpub/tprv) followed by derivation steps, optionally ``/*``."""

    def __init__(
        self, origin: KeyOrigin | None, xkey: ExtendedKey, steps: PathSpec, position: int
    ) -> None:
        self.origin = origin
        self.xkey = xkey
        self.steps = steps
        self.position = position
        self.network = xkey.network
        self._nodes: dict[int, ExtendedKey] = {}

    @property
    def is_ranged(self) -> bool:
        return self.steps.wildcard is not None

    @property
    def branches(self) -> int:
        return len(self.steps.multipath) if self.steps.multipath else 1

    @property
    def fingerprint(self) -> bytes:
        return self.origin.fingerprint if self.origin else self.xkey.fingerprint

    def _node(self, branch: int) -> ExtendedKey:
        """The key after the fixed steps of one branch; cached, as every index starts there."""
        if branch not in self._nodes:
            self._nodes[branch] = self._derive(self.xkey, self.steps.fixed_path(branch))
        return self._nodes[branch]

    def _derive(self, node: ExtendedKey, path: tuple[int, ...]) -> ExtendedKey:
        try:
            return node.derive(path)
        except ExtendedKeyError as exc:
            raise DescriptorError(
                f"cannot derive this key: {exc}", position=self.position
            ) from None

    def derive(self, index: int, branch: int = 0) -> DerivedKey:
        if not 0 <= index <= MAX_CHILD_INDEX:
            raise DescriptorError(f"index {index} out of range 0..{MAX_CHILD_INDEX}")
        node = self._node(branch)
        path = self.steps.fixed_path(branch)
        if self.steps.wildcard is not None:
            step = index + HARDENED if self.steps.wildcard == "hardened" else index
            node = self._derive(node, (step,))
            path = (*path, step)
        base = self.origin.path if self.origin else ()
        return DerivedKey(node.public_key, self.fingerprint, base + path)

    def text(self, branch: int | None = None) -> str:
        steps = self.steps if branch is None else self.steps.collapse(branch)
        if not self.xkey.is_private:
            return self.origin_text() + self.xkey.encode() + steps.text()
        return self._normalised_private_text(steps)

    def _normalised_private_text(self, steps: PathSpec) -> str:
        """BIP 380 "Normalization of Key Expressions with Hardened Derivation": derive the xpub
        at the last hardened fixed step and move the steps taken into the key origin."""
        multipath = steps.multipath is not None
        fixed = steps.before if multipath else steps.before + steps.after
        last_hardened = max((n for n, i in enumerate(fixed) if i >= HARDENED), default=-1)
        consumed = fixed[: last_hardened + 1]
        node = self._derive(self.xkey, consumed).neutered()
        origin = self.origin
        if consumed:
            base = self.origin.path if self.origin else ()
            origin = KeyOrigin(self.fingerprint, base + consumed)
        rest = PathSpec(
            fixed[last_hardened + 1 :],
            steps.multipath,
            steps.after if multipath else (),
            steps.wildcard,
        )
        return (origin.text() if origin else "") + node.encode() + rest.text()


def parse_key(cur: Cursor, rules: KeyRules) -> KeyExpression:
    """Parse one key expression at the cursor; it ends at ``,``, ``)``, ``}`` or the end."""
    origin = parse_origin(cur) if cur.peek() == "[" else None
    if cur.peek() == "[":
        raise cur.error("a key can have only one key origin '[…]'")
    start, token = cur.take_until(KEY_END)
    if not token:
        raise cur.error(f"expected a key, found {cur.found()}")
    if "]" in token:
        raise cur.error("']' without an opening '[' (key origin)", start + token.index("]"))
    body, *rest = token.split("/")
    parts = []
    offset = start + len(body) + 1
    for part in rest:
        parts.append((offset, part))
        offset += len(part) + 1
    if body[:4] in ("xpub", "xprv", "tpub", "tprv"):
        xkey = _extended_key(body, start, cur)
        return ExtendedKeyExpression(origin, xkey, parse_steps(parts, cur), start)
    if parts:
        raise cur.error(
            "derivation steps need an extended key (xpub/xprv); this key cannot be derived",
            parts[0][0] - 1,
        )
    return _const_key(origin, body, start, cur, rules)


def parse_key_text(text: str, rules: KeyRules | None = None) -> KeyExpression:
    """A standalone key expression (as listed in BIP 380's test vectors)."""
    cur = Cursor(text)
    key = parse_key(cur, rules or KeyRules())
    if not cur.at_end():
        raise cur.error(f"unexpected {cur.found()} after the key expression")
    return key


def check_key_rules(key: KeyExpression, rules: KeyRules, cur: Cursor) -> None:
    if isinstance(key, ConstKey) and not key.compressed and not rules.allow_uncompressed:
        raise cur.error(f"uncompressed public keys are not allowed in {rules.where}", key.position)


def _extended_key(body: str, start: int, cur: Cursor) -> ExtendedKey:
    try:
        return ExtendedKey.decode(body)
    except ExtendedKeyError as exc:
        raise cur.error(f"invalid extended key: {exc}", start) from None


def _const_key(
    origin: KeyOrigin | None, body: str, start: int, cur: Cursor, rules: KeyRules
) -> ConstKey:
    if body[:4] in SLIP132_PREFIXES:
        raise cur.error(
            f"{body[:4]} (SLIP-132) keys are not used in descriptors: convert it to xpub/tpub; "
            "the script type is given by the descriptor itself",
            start,
        )
    if all(c in "0123456789abcdefABCDEF" for c in body):
        key = _hex_key(origin, body, start, cur, rules)
    else:
        key = _wif_key(origin, body, start, cur)
    check_key_rules(key, rules, cur)
    return key


def _hex_key(
    origin: KeyOrigin | None, body: str, start: int, cur: Cursor, rules: KeyRules
) -> ConstKey:
    raw = bytes.fromhex(body) if len(body) % 2 == 0 else b""
    if len(raw) == 32:
        if not rules.xonly:
            raise cur.error(
                "a 64-character x-only public key is only allowed inside tr() (BIP 386)", start
            )
        try:
            coincurve.PublicKeyXOnly(raw)
        except ValueError:
            raise cur.error("x-only public key is not on the curve", start) from None
        return ConstKey(origin, b"\x02" + raw, start, xonly_text=True)
    if not (len(raw) == 33 and raw[0] in (2, 3)) and not (len(raw) == 65 and raw[0] == 4):
        raise cur.error(
            "hex public key must be 66 characters starting 02/03 (compressed) or 130 "
            "starting 04 (uncompressed)" + (" or 64 (x-only)" if rules.xonly else ""),
            start,
        )
    try:
        coincurve.PublicKey(raw)
    except ValueError:
        raise cur.error("public key is not on the curve", start) from None
    return ConstKey(origin, raw, start)


def _wif_key(origin: KeyOrigin | None, body: str, start: int, cur: Cursor) -> ConstKey:
    """Wallet Import Format: version byte, 32-byte secret, optional 0x01 compression flag."""
    not_a_key = (
        f"not a key: expected a hex public key, a WIF private key or an extended key "
        f"(xpub/xprv/tpub/tprv), found {body[:12]!r}{'…' if len(body) > 12 else ''}"
    )
    try:
        payload = base58.decode_check(body)
    except ValueError:
        raise cur.error(not_a_key, start) from None
    nets = {net.wif: net for net in reversed(ALL_NETWORKS)}  # Bitcoin wins a shared byte
    compressed = len(payload) == 34 and payload[-1] == 1
    if (
        payload[0] not in nets
        or len(payload) not in (33, 34)
        or (len(payload) == 34 and not compressed)
    ):
        raise cur.error(not_a_key, start)
    try:
        public = coincurve.PrivateKey(payload[1:33]).public_key
    except ValueError:
        raise cur.error("WIF private key out of range", start) from None
    return ConstKey(origin, public.format(compressed=compressed), start, network=nets[payload[0]])
