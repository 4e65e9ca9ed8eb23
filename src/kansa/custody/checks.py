"""The checks an attestation runs on one wallet. Each returns a :class:`CheckResult` carrying
the figures behind its verdict, so a failure can be followed up without querying again.

Rules are those of the catalog: KEY-001 (policy), KEY-002 (tier minimum), KEY-003 (addresses),
KEY-009 (keyholders), KEY-005/006/007 (separation), KEY-008 (cross-tier keys) and the leaver
part of KEY-004 (no active key held by someone who has left).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kansa.custody.address_search import AddressFinder, Location
from kansa.custody.bip32 import ExtendedKey, ExtendedKeyError
from kansa.custody.policy import WalletPolicy, wallet_network
from kansa.custody.records import AddressRecord, CustodyBook, KeyholderRecord, WalletRecord

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "n/a"


@dataclass
class CheckResult:
    name: str
    status: str
    reasons: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, reasons: list[str], **figures: Any) -> CheckResult:
        return cls(name, FAIL if reasons else PASS, reasons, figures)


@dataclass(frozen=True)
class AttestParams:
    """Defaults from the catalog: KEY-002, KEY-003 and KEY-007 parameters."""

    gap_limit: int = 1000
    min_threshold: dict[str, int] = field(default_factory=lambda: {"hot": 2, "warm": 2, "cold": 3})
    min_locations: int = 2


def check_policy(wallet: WalletRecord, policy: WalletPolicy) -> CheckResult:
    """KEY-001: the real M-of-N equals the approved M-of-N."""
    figures = {
        "approved_threshold": wallet.approved_threshold,
        "approved_keys": wallet.approved_keys,
        "actual_threshold": policy.threshold,
        "actual_keys": policy.key_count,
    }
    if policy.problem:
        return CheckResult("policy", FAIL, [policy.problem], figures)
    reasons = []
    if policy.threshold != wallet.approved_threshold or policy.key_count != wallet.approved_keys:
        reasons.append(
            f"real policy {policy.threshold}-of-{policy.key_count} differs from the approved "
            f"{wallet.approved_threshold}-of-{wallet.approved_keys}"
        )
    return CheckResult.of("policy", reasons, **figures)


def check_tier_minimum(
    wallet: WalletRecord, policy: WalletPolicy, params: AttestParams
) -> CheckResult:
    """KEY-002 on the real threshold: at least the minimum for the wallet's tier."""
    minimum = params.min_threshold.get(wallet.tier or "")
    figures = {"tier": wallet.tier, "min_threshold": minimum, "actual_threshold": policy.threshold}
    if minimum is None:
        return CheckResult("tier_minimum", FAIL, [f"unknown tier {wallet.tier!r}"], figures)
    if policy.threshold is None:
        return CheckResult("tier_minimum", FAIL, ["the real threshold is unknown"], figures)
    reasons = []
    if policy.threshold < minimum:
        reasons.append(
            f"threshold {policy.threshold} is below the {wallet.tier} minimum of {minimum}"
        )
    return CheckResult.of("tier_minimum", reasons, **figures)


@dataclass(frozen=True)
class AddressVerdict:
    record: AddressRecord
    found: Location | None
    expected_at_declared: str | None
    reason: str | None

    @property
    def address(self) -> str:
        return self.record.address


def address_verdicts(
    wallet: WalletRecord, policy: WalletPolicy, addresses: Iterable[AddressRecord], gap_limit: int
) -> list[AddressVerdict]:
    """KEY-003 for one wallet: where (if anywhere) its policy produces each declared address."""
    if wallet.policy_type == "safe":
        return [_safe_address_verdict(wallet, a) for a in addresses]
    if policy.descriptor is None:
        why = f"the descriptor cannot be read: {policy.problem}"
        return [AddressVerdict(a, None, None, why) for a in addresses]
    net = wallet_network(wallet)
    finder = AddressFinder(policy.descriptor, net, gap_limit)
    out = []
    for a in addresses:
        expected = None
        if a.derivation_index is not None and 0 <= a.derivation_index < 2**31:
            expected = finder.address_at(a.derivation_index)
        try:
            found = finder.locate(a.address, a.derivation_index)
        except ValueError as exc:
            out.append(AddressVerdict(a, None, expected, str(exc)))
            continue
        reason = None
        if found is None:
            reason = (
                f"not derived by the descriptor at its declared index {a.derivation_index} "
                f"nor at any index below {finder.gap_limit}"
            )
        out.append(AddressVerdict(a, found, expected, reason))
    return out


def _safe_address_verdict(wallet: WalletRecord, a: AddressRecord) -> AddressVerdict:
    """A Safe has one address: the contract's own (EVM addresses compare case-insensitively)."""
    safe = (wallet.safe_address or "").strip().lower()
    ok = bool(safe) and a.address.strip().lower() == safe
    reason = None if ok else f"not the Safe's address {wallet.safe_address}"
    return AddressVerdict(a, Location(0, 0) if ok else None, wallet.safe_address, reason)


def check_addresses(verdicts: list[AddressVerdict], gap_limit: int) -> CheckResult:
    if not verdicts:
        return CheckResult("addresses", NOT_APPLICABLE, ["no addresses declared"])
    reasons = [f"{v.address}: {v.reason}" for v in verdicts if v.reason]
    return CheckResult.of(
        "addresses",
        reasons,
        declared=len(verdicts),
        derived=sum(v.reason is None for v in verdicts),
        gap_limit=gap_limit,
    )


def check_keyholders(wallet: WalletRecord, policy: WalletPolicy, book: CustodyBook) -> CheckResult:
    """KEY-009: every key of the policy has exactly one active keyholder of this wallet, whose
    registered xpub (when given, at the same depth) is the key in the descriptor."""
    if "keyholders" in book.missing:
        return CheckResult("keyholders", NOT_APPLICABLE, ["no keyholders dataset"])
    if policy.problem:
        return CheckResult("keyholders", FAIL, [f"policy unreadable: {policy.problem}"])
    reasons = []
    for key_id in policy.key_ids:
        records = [k for k in book.keyholders if k.key_fingerprint.strip().lower() == key_id]
        active = [k for k in records if k.wallet_id == wallet.wallet_id and k.active_on(book.as_of)]
        if len(active) != 1:
            elsewhere = sorted(
                {str(k.wallet_id) for k in records if k.wallet_id != wallet.wallet_id}
            )
            note = f" (registered to {', '.join(elsewhere)})" if elsewhere else ""
            reasons.append(f"key {key_id} has {len(active)} active keyholders{note}")
            continue
        mismatch = _xpub_mismatch(active[0], policy.xpubs.get(key_id))
        if mismatch:
            reasons.append(f"key {key_id}: {mismatch}")
    return CheckResult.of("keyholders", reasons, policy_keys=len(policy.key_ids))


def _xpub_mismatch(holder: KeyholderRecord, policy_key: ExtendedKey | None) -> str | None:
    if not holder.xpub or policy_key is None:
        return None
    try:
        registered = ExtendedKey.decode(holder.xpub.strip()).neutered()
    except ExtendedKeyError:
        return "the keyholder's registered xpub is not a valid extended key"
    if registered.depth != policy_key.depth:
        return None  # registered at another level of the path: nothing to compare
    if (registered.key, registered.chain_code) != (policy_key.key, policy_key.chain_code):
        return "the keyholder's registered xpub is not the key in the descriptor"
    return None


def active_keyholders(wallet: WalletRecord, book: CustodyBook) -> list[KeyholderRecord]:
    return [
        k for k in book.keyholders if k.wallet_id == wallet.wallet_id and k.active_on(book.as_of)
    ]


def check_separation(
    wallet: WalletRecord, holders: list[KeyholderRecord], params: AttestParams
) -> CheckResult:
    """KEY-005/006/007: no person or device holds two keys; keys spread over locations."""
    if not holders:
        return CheckResult("separation", NOT_APPLICABLE, ["no active keyholders"])
    reasons = []
    for what, values in (
        ("person", [k.person_id for k in holders]),
        ("device", [k.device_id for k in holders]),
    ):
        for value, n in sorted(Counter(values).items(), key=lambda kv: str(kv[0])):
            if n > 1:
                reasons.append(f"{what} {value} holds {n} keys of this wallet")
    locations = len({k.location for k in holders})
    needed = len(holders) if wallet.tier == "cold" else min(params.min_locations, len(holders))
    if locations < needed:
        reasons.append(
            f"keys in {locations} location(s); {needed} required for a {wallet.tier} wallet"
        )
    return CheckResult.of("separation", reasons, active_keys=len(holders), locations=locations)


def tiers_by_key(book: CustodyBook, policies: dict[str, WalletPolicy]) -> dict[str, set[str]]:
    """KEY-008: each key (policy key or registered keyholder) -> the tiers of its wallets."""
    tier_of = {w.wallet_id: w.tier or "?" for w in book.wallets}
    out: dict[str, set[str]] = {}
    for wallet_id, policy in policies.items():
        for key_id in policy.key_ids:
            out.setdefault(key_id, set()).add(tier_of[wallet_id])
    for k in book.keyholders:
        if k.wallet_id in tier_of:
            out.setdefault(k.key_fingerprint.strip().lower(), set()).add(tier_of[k.wallet_id])
    return out


def check_cross_tier(
    wallet: WalletRecord,
    policy: WalletPolicy,
    holders: list[KeyholderRecord],
    tiers: dict[str, set[str]],
) -> CheckResult:
    keys = set(policy.key_ids) | {k.key_fingerprint.strip().lower() for k in holders}
    reasons = [
        f"key {key} is also used in a {', '.join(sorted(tiers[key] - {wallet.tier or '?'}))} wallet"
        for key in sorted(keys)
        if len(tiers.get(key, set())) > 1
    ]
    return CheckResult.of("cross_tier", reasons)


def check_leavers(holders: list[KeyholderRecord], book: CustodyBook) -> CheckResult:
    """No active key is held by a person who left on or before the as-of date."""
    if "staff" in book.missing:
        return CheckResult("leavers", NOT_APPLICABLE, ["no staff dataset"])
    reasons = []
    for k in holders:
        left = book.left_on.get(str(k.person_id))
        if k.person_id not in book.left_on and k.person_id is not None:
            reasons.append(
                f"keyholder {k.person_id} of key {k.key_fingerprint} is not on the staff roster"
            )
        elif left is not None and left <= book.as_of:
            reasons.append(
                f"{k.person_id} left on {left} but key {k.key_fingerprint} is still active"
            )
    return CheckResult.of("leavers", reasons)
