"""Attest every wallet of a custody book: run each check and keep the figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from kansa.custody import checks, safe_checks
from kansa.custody.checks import AttestParams, CheckResult
from kansa.custody.policy import WalletPolicy, wallet_policy
from kansa.custody.records import AddressRecord, CustodyBook, WalletRecord


@dataclass
class WalletAttestation:
    wallet: WalletRecord
    policy: WalletPolicy
    checks: list[CheckResult]

    @property
    def passed(self) -> bool:
        return all(c.status != checks.FAIL for c in self.checks)


def attest(
    book: CustodyBook, params: AttestParams | None = None, only: set[str] | None = None
) -> list[WalletAttestation]:
    return list(attest_iter(book, params, only))


def attest_iter(
    book: CustodyBook, params: AttestParams | None = None, only: set[str] | None = None
) -> Iterator[WalletAttestation]:
    """One attestation per wallet (or per wallet in ``only``), as each is done; keys shared
    across tiers are looked for in every wallet of the book all the same."""
    params = params or AttestParams()
    policies = {w.wallet_id: wallet_policy(w, params.chains) for w in book.wallets}
    tiers = checks.tiers_by_key(book, policies)
    by_wallet: dict[str, list[AddressRecord]] = defaultdict(list)
    for a in book.addresses:
        by_wallet[a.wallet_id].append(a)
    for wallet in book.wallets:
        if only is not None and wallet.wallet_id not in only:
            continue
        policy = policies[wallet.wallet_id]
        holders = checks.active_keyholders(wallet, book)
        verdicts = checks.address_verdicts(
            wallet, policy, by_wallet.get(wallet.wallet_id, []), params.gap_limit, params.chains
        )
        results = [
            checks.check_policy(wallet, policy),
            checks.check_tier_minimum(wallet, policy, params),
            checks.check_addresses(verdicts, params.gap_limit),
            checks.check_keyholders(wallet, policy, book),
            checks.check_separation(wallet, holders, params),
            checks.check_cross_tier(wallet, policy, holders, tiers),
            checks.check_leavers(holders, book),
            safe_checks.check_safe_state(wallet, book, params),
            safe_checks.check_safe_calls(wallet, book),
        ]
        yield WalletAttestation(wallet, policy, results)
