"""A wallet's real signing policy, read from its descriptor or its exported Safe configuration.

For descriptor wallets the policy is the descriptor's (see :mod:`kansa.custody.scripts`): the
signatures needed on the weakest spending path and the keys that can sign. Keys are named by
their BIP 32 fingerprint (the origin's, else the key's own). For Safe wallets the Safe contract
enforces ``threshold`` of ``owners`` (Safe{Wallet} OwnerManager: 1 <= threshold <= owners,
owners distinct); owners are named by their lower-case address. An MPC wallet's policy is what
its provider's export states (``mpc_threshold`` of ``mpc_parties``: the cryptography is the
provider's, the export is the evidence); its key shares are named by ``signer_ids`` when given.
A single-key wallet is 1-of-1, its key named by ``signer_ids``.

The wallet's chain must be in the chain registry (:mod:`kansa.contracts.assets`), and its
policy type must make sense there: descriptors on UTXO chains, Safes on EVM chains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kansa.contracts.assets import BUILTIN_CHAINS, Chain
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


def wallet_policy(wallet: WalletRecord, chains: dict[str, Chain] | None = None) -> WalletPolicy:
    """The real policy; ``chains`` is the chain registry (default: the built-in one)."""
    chain = (chains or BUILTIN_CHAINS).get(wallet.chain or "bitcoin")
    if chain is None:
        return WalletPolicy(None, problem=f"chain {wallet.chain!r} is not in the chain registry")
    if wallet.policy_type == "descriptor":
        if not chain.descriptors:
            return WalletPolicy(
                None, problem=f"descriptors on chain {chain.name} are not supported"
            )
        return _descriptor_policy(wallet)
    if wallet.policy_type == "safe":
        if not chain.safe:
            return WalletPolicy(None, problem=f"no Safe wallets on chain {chain.name}")
        return _safe_policy(wallet)
    if wallet.policy_type == "mpc":
        return _mpc_policy(wallet)
    if wallet.policy_type == "single_key":
        return _single_key_policy(wallet)
    return WalletPolicy(None, problem=f"unknown policy_type {wallet.policy_type!r}")


def _signer_ids(wallet: WalletRecord) -> tuple[str, ...]:
    return tuple(s.strip().lower() for s in (wallet.signer_ids or "").split(";") if s.strip())


def _mpc_policy(wallet: WalletRecord) -> WalletPolicy:
    """``mpc_threshold`` of ``mpc_parties`` from the provider's export; named shares must be
    distinct and as many as the parties."""
    k, n = wallet.mpc_threshold, wallet.mpc_parties
    if k is None or n is None:
        return WalletPolicy(None, problem="MPC wallet without mpc_threshold and mpc_parties")
    if not 1 <= k <= n:
        return WalletPolicy(None, problem=f"MPC threshold {k} is not between 1 and {n}")
    ids = _signer_ids(wallet)
    if ids and len(set(ids)) != len(ids):
        return WalletPolicy(None, ids, problem="the same key share is listed twice")
    if ids and len(ids) != n:
        return WalletPolicy(None, ids, problem=f"{len(ids)} key shares named for {n} parties")
    # unnamed shares get names the wallet_policy_keys view gives them too
    names = ids or tuple(f"{wallet.wallet_id.lower()}#party{i}" for i in range(1, n + 1))
    return WalletPolicy(k, names)


def _single_key_policy(wallet: WalletRecord) -> WalletPolicy:
    ids = _signer_ids(wallet)
    if len(ids) != 1:
        return WalletPolicy(None, ids, problem=f"a single-key wallet names {len(ids)} keys, not 1")
    return WalletPolicy(1, ids)


def _descriptor_policy(wallet: WalletRecord) -> WalletPolicy:
    if not wallet.descriptor:
        return WalletPolicy(None, problem="descriptor wallet without a descriptor")
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
