"""Script expressions: each node knows its text, its keys, its policy and the script it makes.

Templates: ``pk``, ``pkh``, ``sh`` (BIP 381); ``wpkh``, ``wsh`` (BIP 382); ``multi``,
``sortedmulti`` (BIP 383); ``raw``, ``addr`` (BIP 385); ``tr`` (BIP 386); ``multi_a``,
``sortedmulti_a`` (BIP 387).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from kansa.custody import opcodes as op
from kansa.custody.hashes import hash160, sha256
from kansa.custody.keys import ConstKey, DerivedKey, KeyExpression
from kansa.custody.networks import Network
from kansa.custody.taproot import NUMS_H, branch_hash, leaf_hash, output_key


@dataclass(frozen=True)
class Policy:
    """Who can spend: ``threshold`` signatures out of ``signers`` (None = cannot be told)."""

    threshold: int | None
    signers: tuple[KeyExpression, ...]
    kind: str  # single-key, multisig, taproot, unknown

    @property
    def key_count(self) -> int:
        return len(self.signers)


UNKNOWN_POLICY = Policy(None, (), "unknown")


class ScriptNode(ABC):
    name: str

    @abstractmethod
    def text(self, branch: int | None = None) -> str:
        """Normalised public text; with ``branch``, multipath steps resolved (BIP 389)."""

    @abstractmethod
    def key_expressions(self) -> tuple[KeyExpression, ...]:
        """Every key expression under this node, in descriptor order."""

    @abstractmethod
    def script(self, index: int, branch: int) -> bytes:
        """The script this expression produces for one child index and multipath branch."""

    @abstractmethod
    def policy(self) -> Policy: ...

    def xonly(self) -> bool:
        """True if keys are serialized as 32-byte x-only keys (inside tr())."""
        return False


class KeyNode(ScriptNode):
    """A script expression over one key: pk, pkh, wpkh."""

    def __init__(self, name: str, key: KeyExpression, *, xonly: bool = False) -> None:
        self.name = name
        self.key = key
        self._xonly = xonly

    def text(self, branch: int | None = None) -> str:
        return f"{self.name}({self.key.text(branch)})"

    def key_expressions(self) -> tuple[KeyExpression, ...]:
        return (self.key,)

    def xonly(self) -> bool:
        return self._xonly

    def script(self, index: int, branch: int) -> bytes:
        pub = self.key.derive(index, branch).serialized(self._xonly)
        if self.name == "pk":
            return op.push_data(pub) + bytes([op.OP_CHECKSIG])
        if self.name == "pkh":
            return (
                bytes([op.OP_DUP, op.OP_HASH160])
                + op.push_data(hash160(pub))
                + bytes([op.OP_EQUALVERIFY, op.OP_CHECKSIG])
            )
        return bytes([op.OP_0]) + op.push_data(hash160(pub))  # wpkh

    def policy(self) -> Policy:
        return Policy(1, (self.key,), "single-key")


class WrapperNode(ScriptNode):
    """sh(SCRIPT) or wsh(SCRIPT): pays to the hash of the inner script."""

    def __init__(self, name: str, inner: ScriptNode) -> None:
        self.name = name
        self.inner = inner

    def text(self, branch: int | None = None) -> str:
        return f"{self.name}({self.inner.text(branch)})"

    def key_expressions(self) -> tuple[KeyExpression, ...]:
        return self.inner.key_expressions()

    def script(self, index: int, branch: int) -> bytes:
        inner = self.inner.script(index, branch)
        if self.name == "sh":
            return bytes([op.OP_HASH160]) + op.push_data(hash160(inner)) + bytes([op.OP_EQUAL])
        return bytes([op.OP_0]) + op.push_data(sha256(inner))

    def policy(self) -> Policy:
        return self.inner.policy()


class MultiNode(ScriptNode):
    """multi/sortedmulti (OP_CHECKMULTISIG) and multi_a/sortedmulti_a (OP_CHECKSIGADD)."""

    def __init__(self, name: str, threshold: int, keys: tuple[KeyExpression, ...]) -> None:
        self.name = name
        self.threshold = threshold
        self.key_exprs = keys

    @property
    def sorted(self) -> bool:
        return self.name.startswith("sorted")

    @property
    def tapscript(self) -> bool:
        return self.name.endswith("_a")

    def xonly(self) -> bool:
        return self.tapscript

    def text(self, branch: int | None = None) -> str:
        keys = ",".join(k.text(branch) for k in self.key_exprs)
        return f"{self.name}({self.threshold},{keys})"

    def key_expressions(self) -> tuple[KeyExpression, ...]:
        return self.key_exprs

    def script(self, index: int, branch: int) -> bytes:
        pubs = [k.derive(index, branch).serialized(self.tapscript) for k in self.key_exprs]
        if self.sorted:  # BIP 383/387: sort the serialized keys that go into the script
            pubs.sort()
        if self.tapscript:
            body = b"".join(
                op.push_data(p) + bytes([op.OP_CHECKSIG if n == 0 else op.OP_CHECKSIGADD])
                for n, p in enumerate(pubs)
            )
            return body + op.push_int(self.threshold) + bytes([op.OP_NUMEQUAL])
        return (
            op.push_int(self.threshold)
            + b"".join(op.push_data(p) for p in pubs)
            + op.push_int(len(pubs))
            + bytes([op.OP_CHECKMULTISIG])
        )

    def policy(self) -> Policy:
        return Policy(self.threshold, self.key_exprs, "multisig")


@dataclass(frozen=True)
class TapBranch:
    left: TapTree
    right: TapTree


TapTree = ScriptNode | TapBranch


class TrNode(ScriptNode):
    """tr(KEY) or tr(KEY,TREE): a P2TR output (BIP 386)."""

    name = "tr"

    def __init__(self, internal: KeyExpression, tree: TapTree | None) -> None:
        self.internal = internal
        self.tree = tree

    def text(self, branch: int | None = None) -> str:
        if self.tree is None:
            return f"tr({self.internal.text(branch)})"
        return f"tr({self.internal.text(branch)},{_tree_text(self.tree, branch)})"

    def key_expressions(self) -> tuple[KeyExpression, ...]:
        return (self.internal, *(_tree_keys(self.tree) if self.tree is not None else ()))

    def xonly(self) -> bool:
        return True

    def script(self, index: int, branch: int) -> bytes:
        internal = self.internal.derive(index, branch).serialized(xonly=True)
        root = None if self.tree is None else _tree_hash(self.tree, index, branch)
        return bytes([op.OP_1]) + op.push_data(output_key(internal, root))

    @property
    def key_path_spendable(self) -> bool:
        """False only for the BIP 341 NUMS point H, whose private key nobody knows."""
        return not (isinstance(self.internal, ConstKey) and self.internal.pubkey[1:] == NUMS_H)

    def policy(self) -> Policy:
        """The weakest spending path: the key path (1 signature) unless it is unspendable,
        else the leaf needing the fewest signatures; signers are every key that can sign."""
        paths: list[Policy] = []
        if self.key_path_spendable:
            paths.append(Policy(1, (self.internal,), "single-key"))
        leaves = _tree_leaves(self.tree) if self.tree is not None else []
        paths.extend(leaf.policy() for leaf in leaves)
        if not paths or any(p.threshold is None for p in paths):
            return UNKNOWN_POLICY
        signers: dict[str, KeyExpression] = {}
        for p in paths:
            for key in p.signers:
                signers.setdefault(key.text(), key)
        kind = paths[0].kind if len(paths) == 1 else "taproot"
        return Policy(min(p.threshold or 0 for p in paths), tuple(signers.values()), kind)


def _tree_leaves(tree: TapTree) -> list[ScriptNode]:
    if isinstance(tree, TapBranch):
        return _tree_leaves(tree.left) + _tree_leaves(tree.right)
    return [tree]


def _tree_keys(tree: TapTree) -> tuple[KeyExpression, ...]:
    return tuple(k for leaf in _tree_leaves(tree) for k in leaf.key_expressions())


def _tree_text(tree: TapTree, branch: int | None) -> str:
    if isinstance(tree, TapBranch):
        return f"{{{_tree_text(tree.left, branch)},{_tree_text(tree.right, branch)}}}"
    return tree.text(branch)


def _tree_hash(tree: TapTree, index: int, branch: int) -> bytes:
    if isinstance(tree, TapBranch):
        return branch_hash(
            _tree_hash(tree.left, index, branch), _tree_hash(tree.right, index, branch)
        )
    return leaf_hash(tree.script(index, branch))


class RawNode(ScriptNode):
    """raw(HEX) or addr(ADDR): a fixed output script (BIP 385)."""

    def __init__(
        self, name: str, script_bytes: bytes, argument: str, network: Network | None = None
    ) -> None:
        self.name = name
        self.script_bytes = script_bytes
        self.argument = argument
        self.network = network  # an addr() fixes the network

    def text(self, branch: int | None = None) -> str:
        return f"{self.name}({self.argument})"

    def key_expressions(self) -> tuple[KeyExpression, ...]:
        return ()

    def script(self, index: int, branch: int) -> bytes:
        return self.script_bytes

    def policy(self) -> Policy:
        return UNKNOWN_POLICY


def derived_keys(node: ScriptNode, index: int, branch: int) -> list[DerivedKey]:
    return [k.derive(index, branch) for k in node.key_expressions()]
