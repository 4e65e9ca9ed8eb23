"""Smart-contract wallet integrity: a Safe's observed state against its approved configuration.

WazirX (18 Jul 2024): the signers approved what their screens showed; the payload they signed
replaced the Safe's implementation, and the drained Safe still had its 4-of-6 owners. Owners and
threshold say nothing about who controls a Safe whose singleton, modules, guard or fallback
handler changed, so the daily ``wallet_state`` observation is compared with what was approved:

* the implementation is an official Safe singleton (:mod:`kansa.custody.safe_registry`, or one
  the workspace lists) and, when ``approved_implementation`` is set, that one;
* the enabled modules are exactly ``approved_modules``, the guard is ``approved_guard`` (none
  when empty), the fallback handler is ``approved_fallback_handler`` (when empty: none or an
  official CompatibilityFallbackHandler);
* the owners are ``safe_owners`` and number ``approved_keys``; the threshold is
  ``approved_threshold``;
* every change between two observations has a change ticket for the wallet (``system`` = the
  wallet id or the Safe address), approved by someone before the change and deployed between
  the two observations;
* the wallet was observed on the as-of day (or within ``max_staleness_days``): a Safe nobody
  looked at is never clean.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from kansa.custody.checks import Message
from kansa.custody.records import WalletRecord
from kansa.custody.safe_multisend import MULTISEND_SELECTOR, batch_problem
from kansa.custody.safe_records import SafeConfig, SafeState, SignedCall, Ticket
from kansa.custody.safe_registry import (
    CONFIG_CHANGING_SELECTORS,
    OFFICIAL_FALLBACK_HANDLERS,
    OFFICIAL_SINGLETONS,
    address_set,
    one_address,
)

APPROVED_TICKET_STATUSES = ("approved", "deployed", "closed")
ANY_OFFICIAL_HANDLER = "none or an official CompatibilityFallbackHandler"


@dataclass(frozen=True)
class SafeFinding:
    wallet_id: str
    as_of: dt.date
    check: str
    expected: str | None
    observed: str | None
    reason: Message


def _text(value: object) -> str | None:
    if isinstance(value, frozenset):
        return ";".join(sorted(value)) or None
    return None if value is None else str(value)


@dataclass
class _Findings:
    """The findings of one wallet on one day, in both languages."""

    wallet: WalletRecord
    day: dt.date
    items: list[SafeFinding] = field(default_factory=list)

    def add(self, check: str, expected: object, observed: object, en: str, ja: str) -> None:
        self.items.append(
            SafeFinding(
                self.wallet.wallet_id,
                self.day,
                check,
                _text(expected),
                _text(observed),
                Message(en, ja),
            )
        )


def compare_with_approved(
    wallet: WalletRecord, state: SafeState, known_singletons: frozenset[str]
) -> list[SafeFinding]:
    """The observed configuration against the approved one (see the module docstring)."""
    seen = state.config()
    out = _Findings(wallet, state.as_of)
    _implementation(out, seen, known_singletons)
    _extensions(out, seen)
    _owners(out, seen)
    return out.items


def _implementation(out: _Findings, seen: SafeConfig, known: frozenset[str]) -> None:
    impl, approved = seen.implementation, one_address(out.wallet.approved_implementation)
    if impl not in known:
        out.add(
            "implementation",
            approved,
            impl,
            f"implementation {impl} is not a known Safe singleton",
            f"実装 {impl} は既知の Safe シングルトンではない",
        )
    elif approved is not None and impl != approved:
        out.add(
            "implementation",
            approved,
            impl,
            f"implementation {impl} is not the approved {approved}",
            f"実装 {impl} が承認済みの {approved} と異なる",
        )


def _extensions(out: _Findings, seen: SafeConfig) -> None:
    """Modules, guard and fallback handler: code that can act for the Safe or veto it."""
    modules = address_set(out.wallet.approved_modules)
    if seen.modules != modules:
        extra = ";".join(sorted(seen.modules - modules)) or "-"
        gone = ";".join(sorted(modules - seen.modules)) or "-"
        out.add(
            "modules",
            modules,
            seen.modules,
            f"modules differ from the approved: unknown {extra}, missing {gone}",
            f"モジュールが承認と異なる（未承認 {extra}、欠落 {gone}）",
        )
    guard = one_address(out.wallet.approved_guard)
    if seen.guard != guard:
        out.add(
            "guard",
            guard,
            seen.guard,
            f"guard {seen.guard or 'none'} is not the approved {guard or 'none'}",
            f"ガード {seen.guard or 'なし'} が承認済み（{guard or 'なし'}）と異なる",
        )
    handler, approved = seen.fallback_handler, one_address(out.wallet.approved_fallback_handler)
    ok = handler == approved if approved else handler in (None, *OFFICIAL_FALLBACK_HANDLERS)
    if not ok:
        expected = approved or ANY_OFFICIAL_HANDLER
        out.add(
            "fallback_handler",
            expected,
            handler,
            f"fallback handler {handler or 'none'} is not the approved ({expected})",
            f"フォールバックハンドラ {handler or 'なし'} が承認（{expected}）と異なる",
        )


def _owners(out: _Findings, seen: SafeConfig) -> None:
    wallet = out.wallet
    registered = address_set(wallet.safe_owners)
    if seen.owners != registered:
        out.add(
            "owners",
            registered,
            seen.owners,
            "the owners on chain are not the registered safe_owners",
            "オンチェーンの所有者が登録された safe_owners と異なる",
        )
    real = f"{seen.threshold}-of-{len(seen.owners)}"
    approved = f"{wallet.approved_threshold}-of-{wallet.approved_keys}"
    if (seen.threshold, len(seen.owners)) != (wallet.approved_threshold, wallet.approved_keys):
        out.add(
            "threshold",
            approved,
            real,
            f"on chain {real}, approved {approved}",
            f"オンチェーンは {real}、承認は {approved}",
        )


def unticketed_changes(
    wallet: WalletRecord, states: list[SafeState], tickets: list[Ticket]
) -> list[SafeFinding]:
    """Each change between consecutive observations needs an approved, deployed ticket."""
    systems = {wallet.wallet_id.lower(), (wallet.safe_address or "").strip().lower()} - {""}
    mine = [t for t in tickets if (t.system or "").strip().lower() in systems]
    found: list[SafeFinding] = []
    for before, after in itertools.pairwise(states):
        changed = after.config().changed_from(before.config())
        if not changed or any(_covers(t, before, after) for t in mine):
            continue
        what = ", ".join(changed)
        out = _Findings(wallet, after.as_of)
        out.add(
            "change",
            "an approved change ticket",
            what,
            f"{what} changed between {before.as_of} and {after.as_of} "
            "without an approved change ticket",
            f"{before.as_of} から {after.as_of} の間に {what} が承認済み変更チケットなしで変更された",
        )
        found += out.items
    return found


def _covers(t: Ticket, before: SafeState, after: SafeState) -> bool:
    """Approved (by someone) before the change was seen, deployed between the observations."""
    return (
        t.status in APPROVED_TICKET_STATUSES
        and bool(t.approved_by)
        and t.approved_at is not None
        and t.approved_at <= after.observed_at
        and t.deployed_at is not None
        and before.observed_at < t.deployed_at <= after.observed_at
    )


def wallet_findings(
    wallet: WalletRecord,
    states: list[SafeState],
    tickets: list[Ticket],
    as_of: dt.date,
    known_singletons: frozenset[str],
    max_staleness_days: int = 0,
) -> list[SafeFinding]:
    """Every KEY-012 finding of one Safe wallet (``states``: its observations up to as_of)."""
    found = unticketed_changes(wallet, states, tickets)
    latest = states[-1] if states else None
    if latest is None or (as_of - latest.as_of).days > max_staleness_days:
        last = str(latest.as_of) if latest else None
        out = _Findings(wallet, as_of)
        out.add(
            "not_observed",
            f"an observation within {max_staleness_days} day(s) of {as_of}",
            last,
            f"no wallet_state observation within {max_staleness_days} day(s) of {as_of} "
            f"(last: {last or 'never'})",
            f"{as_of} から {max_staleness_days} 日以内の wallet_state 観測がない"
            f"（最終: {last or 'なし'}）",
        )
        return found + out.items
    return found + compare_with_approved(wallet, latest, known_singletons)


def known_singletons(extra: str = "") -> frozenset[str]:
    """The official singletons plus the workspace's ``extra_singletons`` (``;``-separated)."""
    return frozenset(OFFICIAL_SINGLETONS) | address_set(extra)


def config_changing_call(call: SignedCall) -> str | None:
    """Why a signed call can change a Safe's configuration, or None. A contract call whose call
    data was not recorded cannot be cleared: nobody saw what it does."""
    selector = (call.call_selector or "").strip().lower()
    if selector == MULTISEND_SELECTOR:  # the batch's inner calls run as the Safe
        return batch_problem(call.call_data)
    if selector in CONFIG_CHANGING_SELECTORS:
        signature = CONFIG_CHANGING_SELECTORS[selector]
        return f"signed call {signature} ({selector}) changes the Safe's configuration"
    if call.call_type == "contract_call" and not selector:
        return "contract call without its call data selector: what it changes was not seen"
    return None
