"""The attestation's two Safe checks, with the verdicts of KEY-012 and KEY-013.

A Safe whose state was never observed is not clean: without a ``wallet_state`` dataset the
check says "not tested" (n/a, with the reason), and with one, a Safe missing from it fails.
"""

from __future__ import annotations

from kansa.custody.checks import NOT_APPLICABLE, AttestParams, CheckResult, Message
from kansa.custody.records import CustodyBook, WalletRecord
from kansa.custody.safe_state import config_changing_call, known_singletons, wallet_findings


def check_safe_state(wallet: WalletRecord, book: CustodyBook, params: AttestParams) -> CheckResult:
    """KEY-012 for one wallet."""
    if wallet.policy_type != "safe":
        return CheckResult("safe_state", NOT_APPLICABLE, [Message("not a Safe", "Safe ではない")])
    if "wallet_state" in book.missing:
        why = Message(
            "not tested: no wallet_state dataset, so the Safe's implementation, modules, guard "
            "and fallback handler were not seen",
            "未検証: wallet_state データセットがなく、Safe の実装・モジュール・ガード・"
            "フォールバックハンドラを確認できない",
        )
        return CheckResult("safe_state", NOT_APPLICABLE, [why])
    # without change_tickets no ticket is on record: every change is unticketed
    states = [s for s in book.states if s.wallet_id == wallet.wallet_id]
    findings = wallet_findings(
        wallet,
        states,
        book.tickets,
        book.as_of,
        known_singletons(params.extra_singletons),
        params.max_staleness_days,
    )
    latest = states[-1] if states else None
    return CheckResult.of(
        "safe_state",
        [f.reason for f in findings],
        observations=len(states),
        implementation=latest.implementation.lower() if latest else None,
        nonce=latest.nonce if latest else None,
    )


def check_safe_calls(wallet: WalletRecord, book: CustodyBook) -> CheckResult:
    """KEY-013 for one wallet, plus the delegatecalls WDR-010 also reports: every signed call
    of a kind that can change the Safe's configuration."""
    if wallet.policy_type != "safe":
        return CheckResult("safe_calls", NOT_APPLICABLE, [Message("not a Safe", "Safe ではない")])
    if "signed_transactions" in book.missing:
        why = Message(
            "not tested: no signed_transactions with call selectors",
            "未検証: コールセレクタ付きの signed_transactions がない",
        )
        return CheckResult("safe_calls", NOT_APPLICABLE, [why])
    reasons = []
    mine = [c for c in book.signed_calls if c.wallet_id == wallet.wallet_id]
    for call in mine:
        problem = config_changing_call(call)
        if problem is None and call.call_type == "delegatecall":
            problem = "delegatecall: runs other code with the Safe's storage (WDR-010)"
        if problem:
            reasons.append(
                Message(f"{call.txid}: {problem}", f"{call.txid}: 設定を変更しうる署名 — {problem}")
            )
    return CheckResult.of("safe_calls", reasons, signed=len(mine))
