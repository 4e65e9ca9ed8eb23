"""A wallet's real signing policy, read from its descriptor or its exported Safe configuration.

For descriptor wallets the policy is the descriptor's (see :mod:`kansa.custody.scripts`): the
signatures needed on the weakest spending path and the keys that can sign. Keys are named by
their BIP 32 fingerprint (the origin's, else the key's own). For Safe wallets the Safe contract
enforces ``threshold`` of ``owners`` (Safe{Wallet} OwnerManager: 1 <= threshold <= owners,
owners distinct); owners are named by their lower-case address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kansa.custody.bip32 import ExtendedKey
from kansa.custody.descriptor import Descriptor, parse_descriptor
from kansa.custody.errors import DescriptorError
from kansa.custody.keys import ExtendedKeyExpression
from kansa.custody.networks import CHAINS, Network, network
from kansa.custody.records import WalletRecord

_EVM_ADDRESS = re.compile(r"^0x[0-9a-f]{40}$")


@dataclass(frozen=True)
class WalletPolicy:
    """``threshold`` of ``key_ids``; ``problem`` says why the policy could not be read."""

    threshold: int | None
    key_ids: tuple[str, ...] = ()
    descriptor: Descriptor | None = None
    xpubs: dict[str, ExtendedKey] = field(default_factory=dict)
    problem: str | None = None

    @property
    def key_count(self) -> int | None:
        return len(self.key_ids) if self.problem is None else None


def wallet_policy(wallet: WalletRecord) -> WalletPolicy:
    if wallet.policy_type == "descriptor":
        return _descriptor_policy(wallet)
    if wallet.policy_type == "safe":
        return _safe_policy(wallet)
    return WalletPolicy(None, problem=f"unknown policy_type {wallet.policy_type!r}")


def _descriptor_policy(wallet: WalletRecord) -> WalletPolicy:
    if not wallet.descriptor:
        return WalletPolicy(None, problem="descriptor wallet without a descriptor")
    if (wallet.chain or "bitcoin") not in CHAINS:
        return WalletPolicy(None, problem=f"descriptors on chain {wallet.chain} are not supported")
    try:
        descriptor = parse_descriptor(wallet.descriptor)
        descriptor.resolve_network(wallet.network or "mainnet", wallet.chain or "bitcoin")
    except DescriptorError as exc:
        return WalletPolicy(None, problem=exc.message)
    policy = descriptor.policy
    if policy.threshold is None:
        return WalletPolicy(None, descriptor=descriptor, problem="the descriptor has no key policy")
    xpubs = {
        k.fingerprint.hex(): k.xkey.neutered()
        for k in policy.signers
        if isinstance(k, ExtendedKeyExpression)
    }
    ids = tuple(k.fingerprint.hex() for k in policy.signers)
    return WalletPolicy(policy.threshold, ids, descriptor, xpubs)


def wallet_network(wallet: WalletRecord) -> Network:
    """The chain and network a descriptor wallet's addresses are encoded for."""
    chain = wallet.chain if wallet.chain in CHAINS else "bitcoin"
    return network(wallet.network or "mainnet", chain or "bitcoin")


def _safe_policy(wallet: WalletRecord) -> WalletPolicy:
    owners = tuple(o.strip().lower() for o in (wallet.safe_owners or "").split(";") if o.strip())
    if not owners:
        return WalletPolicy(None, problem="Safe wallet without owners")
    bad = [o for o in owners if not _EVM_ADDRESS.match(o)]
    if bad:
        return WalletPolicy(None, owners, problem=f"not an owner address: {bad[0]}")
    if len(set(owners)) != len(owners):
        return WalletPolicy(None, owners, problem="the same owner is listed twice")
    threshold = wallet.safe_threshold
    if threshold is None or not 1 <= threshold <= len(owners):
        return WalletPolicy(
            None, owners, problem=f"Safe threshold {threshold} is not between 1 and {len(owners)}"
        )
    return WalletPolicy(threshold, owners)
