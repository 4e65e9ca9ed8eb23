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

from kansa.contracts.assets import BUILTIN_CHAINS, Chain
from kansa.custody.address_formats import ADDRESS_FORMATS, AddressFormatError
from kansa.custody.address_search import AddressFinder, Location
from kansa.custody.bip32 import ExtendedKey, ExtendedKeyError
from kansa.custody.policy import WalletPolicy, wallet_network
from kansa.custody.records import AddressRecord, CustodyBook, KeyholderRecord, WalletRecord
from kansa.i18n import tr

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "n/a"


@dataclass(frozen=True)
class Message:
    """A reason in both languages. Evidence (control rows, JSON) keeps the English text so
    that a run gives the same bytes whatever the auditor's language; screens show ``shown``."""

    en: str
    ja: str

    def __str__(self) -> str:
        return self.en

    def shown(self) -> str:
        return tr(self.en, self.ja)


@dataclass
class CheckResult:
    name: str
    status: str
    reasons: list[Message] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, reasons: list[Message], **figures: Any) -> CheckResult:
        return cls(name, FAIL if reasons else PASS, reasons, figures)

    def reason_text(self) -> str:
        return "; ".join(r.en for r in self.reasons)


@dataclass(frozen=True)
class AttestParams:
    """Defaults from the catalog: KEY-002, KEY-003 and KEY-007 parameters."""

    gap_limit: int = 1000
    min_threshold: dict[str, int] = field(default_factory=lambda: {"hot": 2, "warm": 2, "cold": 3})
    min_locations: int = 2
    chains: dict[str, Chain] = field(default_factory=lambda: dict(BUILTIN_CHAINS))
    extra_singletons: str = ""  # KEY-012
    max_staleness_days: int = 0  # KEY-012


def unreadable(problem: str) -> Message:
    """A policy that could not be read (the parser's detail stays in English: it quotes BIPs)."""
    return Message(f"the policy cannot be read: {problem}", f"ポリシーを読み取れない: {problem}")


def check_policy(wallet: WalletRecord, policy: WalletPolicy) -> CheckResult:
    """KEY-001: the real M-of-N equals the approved M-of-N."""
    figures = {
        "approved_threshold": wallet.approved_threshold,
        "approved_keys": wallet.approved_keys,
        "actual_threshold": policy.threshold,
        "actual_keys": policy.key_count,
    }
    if policy.problem:
        return CheckResult("policy", FAIL, [unreadable(policy.problem)], figures)
    reasons = []
    if policy.threshold != wallet.approved_threshold or policy.key_count != wallet.approved_keys:
        real = f"{policy.threshold}-of-{policy.key_count}"
        approved = f"{wallet.approved_threshold}-of-{wallet.approved_keys}"
        reasons.append(
            Message(
                f"real policy {real} differs from the approved {approved}",
                f"実際のポリシー {real} が承認済みの {approved} と異なる",
            )
        )
    return CheckResult.of("policy", reasons, **figures)


def check_tier_minimum(
    wallet: WalletRecord, policy: WalletPolicy, params: AttestParams
) -> CheckResult:
    """KEY-002 on the real threshold: at least the minimum for the wallet's tier."""
    minimum = params.min_threshold.get(wallet.tier or "")
    figures = {"tier": wallet.tier, "min_threshold": minimum, "actual_threshold": policy.threshold}
    if minimum is None:
        why = Message(f"unknown tier {wallet.tier!r}", f"不明な階層 {wallet.tier!r}")
        return CheckResult("tier_minimum", FAIL, [why], figures)
    if policy.threshold is None:
        why = Message("the real threshold is unknown", "実際の閾値が不明")
        return CheckResult("tier_minimum", FAIL, [why], figures)
    reasons = []
    if policy.threshold < minimum:
        reasons.append(
            Message(
                f"threshold {policy.threshold} is below the {wallet.tier} minimum of {minimum}",
                f"閾値 {policy.threshold} が {wallet.tier} の最低値 {minimum} を下回る",
            )
        )
    return CheckResult.of("tier_minimum", reasons, **figures)


@dataclass(frozen=True)
class AddressVerdict:
    record: AddressRecord
    found: Location | None
    expected_at_declared: str | None
    reason: Message | None

    @property
    def address(self) -> str:
        return self.record.address


def address_verdicts(
    wallet: WalletRecord,
    policy: WalletPolicy,
    addresses: Iterable[AddressRecord],
    gap_limit: int,
    chains: dict[str, Chain] | None = None,
) -> list[AddressVerdict]:
    """KEY-003 for one wallet: where (if anywhere) its policy produces each declared address.
    MPC and single-key wallets publish no derivation to follow: each address must at least be
    an address of the wallet's chain (its format and checksum rule)."""
    if wallet.policy_type == "safe":
        return [_safe_address_verdict(wallet, a) for a in addresses]
    if wallet.policy_type in ("mpc", "single_key"):
        return [_format_verdict(wallet, a, chains or BUILTIN_CHAINS) for a in addresses]
    if policy.descriptor is None:
        why = unreadable(policy.problem or "")
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
            out.append(
                AddressVerdict(a, None, expected, Message(str(exc), f"アドレスが不正: {exc}"))
            )
            continue
        reason = None
        if found is None:
            reason = Message(
                f"not derived by the descriptor at its declared index {a.derivation_index} "
                f"nor at any index below {finder.gap_limit}",
                f"登録インデックス {a.derivation_index} でも {finder.gap_limit} 未満のどの"
                "インデックスでもディスクリプタから導出されない",
            )
        out.append(AddressVerdict(a, found, expected, reason))
    return out


def _format_verdict(
    wallet: WalletRecord, a: AddressRecord, chains: dict[str, Chain]
) -> AddressVerdict:
    chain = chains.get(wallet.chain or "")
    if chain is None:
        why = Message(
            f"chain {wallet.chain!r} is not in the chain registry",
            f"チェーン {wallet.chain!r} がチェーン登録簿にない",
        )
        return AddressVerdict(a, None, None, why)
    try:
        ADDRESS_FORMATS[chain.address_format](
            a.address.strip(), chain.name, wallet.network or "mainnet"
        )
    except AddressFormatError as exc:
        why = Message(
            f"not a {chain.name} address: {exc}", f"{chain.name} のアドレスではない: {exc}"
        )
        return AddressVerdict(a, None, None, why)
    return AddressVerdict(a, Location(0, 0), None, None)


def _safe_address_verdict(wallet: WalletRecord, a: AddressRecord) -> AddressVerdict:
    """A Safe has one address: the contract's own (EVM addresses compare case-insensitively)."""
    safe = (wallet.safe_address or "").strip().lower()
    ok = bool(safe) and a.address.strip().lower() == safe
    reason = None
    if not ok:
        reason = Message(
            f"not the Safe's address {wallet.safe_address}",
            f"Safe のアドレス {wallet.safe_address} ではない",
        )
    return AddressVerdict(a, Location(0, 0) if ok else None, wallet.safe_address, reason)


def check_addresses(verdicts: list[AddressVerdict], gap_limit: int) -> CheckResult:
    if not verdicts:
        why = Message("no addresses declared", "登録アドレスなし")
        return CheckResult("addresses", NOT_APPLICABLE, [why])
    reasons = [
        Message(f"{v.address}: {v.reason.en}", f"{v.address}: {v.reason.ja}")
        for v in verdicts
        if v.reason
    ]
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
        why = Message("no keyholders dataset", "keyholders データセットなし")
        return CheckResult("keyholders", NOT_APPLICABLE, [why])
    if policy.problem:
        return CheckResult("keyholders", FAIL, [unreadable(policy.problem)])
    reasons = []
    for key_id, n in sorted(Counter(policy.key_ids).items()):
        if n > 1:
            reasons.append(
                Message(
                    f"key {key_id} appears {n} times in the policy (one master key, several keys)",
                    f"鍵 {key_id} がポリシーに {n} 回現れる（一つのマスター鍵から複数の鍵）",
                )
            )
    for key_id in dict.fromkeys(policy.key_ids):
        records = book.holders_of(key_id)
        active = [k for k in records if k.wallet_id == wallet.wallet_id and k.active_on(book.as_of)]
        if len(active) != 1:
            elsewhere = sorted(
                {str(k.wallet_id) for k in records if k.wallet_id != wallet.wallet_id}
            )
            note = f" (registered to {', '.join(elsewhere)})" if elsewhere else ""
            note_ja = f"（登録先: {', '.join(elsewhere)}）" if elsewhere else ""
            reasons.append(
                Message(
                    f"key {key_id} has {len(active)} active keyholders{note}",
                    f"鍵 {key_id} の有効な保管者が {len(active)} 名{note_ja}",
                )
            )
            continue
        mismatch = _xpub_mismatch(active[0], policy.xpubs.get(key_id))
        if mismatch:
            reasons.append(Message(f"key {key_id}: {mismatch.en}", f"鍵 {key_id}: {mismatch.ja}"))
    return CheckResult.of("keyholders", reasons, policy_keys=len(policy.key_ids))


def _xpub_mismatch(holder: KeyholderRecord, policy_key: ExtendedKey | None) -> Message | None:
    if not holder.xpub or policy_key is None:
        return None
    try:
        registered = ExtendedKey.decode(holder.xpub.strip()).neutered()
    except ExtendedKeyError:
        return Message(
            "the keyholder's registered xpub is not a valid extended key",
            "保管者の登録 xpub が拡張鍵として不正",
        )
    if registered.depth != policy_key.depth:
        return None  # registered at another level of the path: nothing to compare
    if (registered.key, registered.chain_code) != (policy_key.key, policy_key.chain_code):
        return Message(
            "the keyholder's registered xpub is not the key in the descriptor",
            "保管者の登録 xpub がディスクリプタの鍵と一致しない",
        )
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
        why = Message("no active keyholders", "有効な保管者なし")
        return CheckResult("separation", NOT_APPLICABLE, [why])
    reasons = []
    for what, what_ja, values in (
        ("person", "担当者", [k.person_id for k in holders]),
        ("device", "端末", [k.device_id for k in holders]),
    ):
        for value, n in sorted(Counter(values).items(), key=lambda kv: str(kv[0])):
            if n > 1:
                reasons.append(
                    Message(
                        f"{what} {value} holds {n} keys of this wallet",
                        f"{what_ja} {value} がこのウォレットの鍵を {n} 本保有",
                    )
                )
    locations = len({k.location for k in holders})
    needed = len(holders) if wallet.tier == "cold" else min(params.min_locations, len(holders))
    if locations < needed:
        reasons.append(
            Message(
                f"keys in {locations} location(s); {needed} required for a {wallet.tier} wallet",
                f"鍵の保管場所が {locations} か所（{wallet.tier} ウォレットは {needed} か所必要）",
            )
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
    reasons = []
    for key in sorted(keys):
        others = ", ".join(sorted(tiers.get(key, set()) - {wallet.tier or "?"}))
        if others:
            reasons.append(
                Message(
                    f"key {key} is also used in a {others} wallet",
                    f"鍵 {key} が {others} ウォレットでも使われている",
                )
            )
    return CheckResult.of("cross_tier", reasons)


def check_leavers(holders: list[KeyholderRecord], book: CustodyBook) -> CheckResult:
    """No active key is held by a person who had left by the as-of date (``left_on`` is the
    last day of employment, so a key still active on that day is not yet a leaver's)."""
    if "staff" in book.missing:
        why = Message("no staff dataset", "staff データセットなし")
        return CheckResult("leavers", NOT_APPLICABLE, [why])
    reasons = []
    for k in holders:
        left = book.left_on.get(str(k.person_id))
        if k.person_id not in book.left_on and k.person_id is not None:
            reasons.append(
                Message(
                    f"keyholder {k.person_id} of key {k.key_fingerprint} is not on the staff roster",
                    f"鍵 {k.key_fingerprint} の保管者 {k.person_id} が職員名簿にない",
                )
            )
        elif left is not None and left < book.as_of:  # left_on is the last working day
            reasons.append(
                Message(
                    f"{k.person_id} left on {left} but key {k.key_fingerprint} is still active",
                    f"{k.person_id} は {left} に退職したが鍵 {k.key_fingerprint} が有効なまま",
                )
            )
    return CheckResult.of("leavers", reasons)
