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
from dataclasses import dataclass

import duckdb

from kansa.custody.checks import Message
from kansa.custody.records import WalletRecord, columns_of
from kansa.custody.safe_registry import (
    CONFIG_CHANGING_SELECTORS,
    OFFICIAL_FALLBACK_HANDLERS,
    OFFICIAL_SINGLETONS,
    address_set,
    one_address,
)

APPROVED_TICKET_STATUSES = ("approved", "deployed", "closed")


@dataclass(frozen=True)
class SafeState:
    wallet_id: str
    as_of: dt.date
    observed_at: dt.datetime
    implementation: str
    owners: str
    threshold: int
    modules: str | None
    guard: str | None
    fallback_handler: str | None
    nonce: int

    def config(self) -> dict[str, object]:
        """What a change is judged on (the nonce moves with every transaction)."""
        return {
            "implementation": self.implementation.lower(),
            "owners": address_set(self.owners),
            "threshold": self.threshold,
            "modules": address_set(self.modules),
            "guard": one_address(self.guard),
            "fallback_handler": one_address(self.fallback_handler),
        }


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    system: str
    status: str
    approved_by: str | None
    approved_at: dt.datetime | None
    deployed_at: dt.datetime | None


@dataclass(frozen=True)
class SignedCall:
    txid: str
    wallet_id: str
    call_type: str
    contract_address: str | None
    call_selector: str | None
    signed_at: dt.datetime


@dataclass(frozen=True)
class SafeFinding:
    wallet_id: str
    as_of: dt.date
    check: str
    expected: str | None
    observed: str | None
    reason: Message


class NotObserved(ValueError):
    """``wallet_state`` holds no observation at all: the control cannot say anything."""


def has_observations(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM wallet_state").fetchone()
    return bool(row and row[0])


def load_states(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[SafeState]:
    rows = con.execute(
        """
        SELECT wallet_id, as_of, observed_at, implementation, owners, threshold, modules, guard,
               fallback_handler, nonce
        FROM wallet_state WHERE as_of <= ? ORDER BY wallet_id, as_of, observed_at
        """,
        [as_of],
    ).fetchall()
    return [SafeState(*r) for r in rows]


def load_tickets(con: duckdb.DuckDBPyConnection) -> list[Ticket]:
    rows = con.execute(
        "SELECT ticket_id, system, status, approved_by, approved_at, deployed_at "
        "FROM change_tickets ORDER BY ticket_id"
    ).fetchall()
    return [Ticket(*r) for r in rows]


def load_signed_calls(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[SignedCall]:
    """Signed transactions up to ``as_of``; a snapshot ingested before ``call_selector``
    existed is refused (its calls were never seen)."""
    if "call_selector" not in columns_of(con, "signed_transactions"):
        raise ValueError(
            "signed_transactions has no call_selector column (ingested before it existed): "
            "re-ingest it with the selectors"
        )
    rows = con.execute(
        """
        SELECT txid, wallet_id, call_type, contract_address, call_selector, signed_at
        FROM signed_transactions
        WHERE CAST((signed_at AT TIME ZONE 'UTC') AS DATE) <= ?
        ORDER BY signed_at, txid
        """,
        [as_of],
    ).fetchall()
    return [SignedCall(*r) for r in rows]


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, frozenset):
        return ";".join(sorted(value)) or None
    return str(value)


def _finding(
    wallet: WalletRecord,
    day: dt.date,
    check: str,
    expected: object,
    observed: object,
    en: str,
    ja: str,
) -> SafeFinding:
    return SafeFinding(
        wallet.wallet_id, day, check, _text(expected), _text(observed), Message(en, ja)
    )


def compare_with_approved(
    wallet: WalletRecord, state: SafeState, known_singletons: frozenset[str]
) -> list[SafeFinding]:
    """The observed configuration against the approved one (see the module docstring)."""
    seen = state.config()
    day = state.as_of
    out: list[SafeFinding] = []
    impl = str(seen["implementation"])
    approved_impl = one_address(wallet.approved_implementation)
    if impl not in known_singletons:
        out.append(
            _finding(
                wallet,
                day,
                "implementation",
                approved_impl,
                impl,
                f"implementation {impl} is not a known Safe singleton",
                f"実装 {impl} は既知の Safe シングルトンではない",
            )
        )
    elif approved_impl is not None and impl != approved_impl:
        out.append(
            _finding(
                wallet,
                day,
                "implementation",
                approved_impl,
                impl,
                f"implementation {impl} is not the approved {approved_impl}",
                f"実装 {impl} が承認済みの {approved_impl} と異なる",
            )
        )
    approved_modules = address_set(wallet.approved_modules)
    modules = seen["modules"]
    assert isinstance(modules, frozenset)
    if modules != approved_modules:
        extra = ";".join(sorted(modules - approved_modules)) or "-"
        gone = ";".join(sorted(approved_modules - modules)) or "-"
        out.append(
            _finding(
                wallet,
                day,
                "modules",
                approved_modules,
                modules,
                f"modules differ from the approved: unknown {extra}, missing {gone}",
                f"モジュールが承認と異なる（未承認 {extra}、欠落 {gone}）",
            )
        )
    approved_guard = one_address(wallet.approved_guard)
    if seen["guard"] != approved_guard:
        out.append(
            _finding(
                wallet,
                day,
                "guard",
                approved_guard,
                seen["guard"],
                f"guard {seen['guard'] or 'none'} is not the approved {approved_guard or 'none'}",
                f"ガード {seen['guard'] or 'なし'} が承認済み（{approved_guard or 'なし'}）と異なる",
            )
        )
    out += _fallback_finding(wallet, day, seen["fallback_handler"])
    out += _owner_findings(wallet, day, seen)
    return out


def _fallback_finding(wallet: WalletRecord, day: dt.date, handler: object) -> list[SafeFinding]:
    approved = one_address(wallet.approved_fallback_handler)
    ok = (
        handler == approved
        if approved
        else handler is None or handler in OFFICIAL_FALLBACK_HANDLERS
    )
    if ok:
        return []
    expected = approved or "none or an official CompatibilityFallbackHandler"
    return [
        _finding(
            wallet,
            day,
            "fallback_handler",
            expected,
            handler,
            f"fallback handler {handler or 'none'} is not the approved ({expected})",
            f"フォールバックハンドラ {handler or 'なし'} が承認（{expected}）と異なる",
        )
    ]


def _owner_findings(
    wallet: WalletRecord, day: dt.date, seen: dict[str, object]
) -> list[SafeFinding]:
    out = []
    owners = seen["owners"]
    assert isinstance(owners, frozenset)
    registered = address_set(wallet.safe_owners)
    if owners != registered:
        out.append(
            _finding(
                wallet,
                day,
                "owners",
                registered,
                owners,
                "the owners on chain are not the registered safe_owners",
                "オンチェーンの所有者が登録された safe_owners と異なる",
            )
        )
    real = f"{seen['threshold']}-of-{len(owners)}"
    approved = f"{wallet.approved_threshold}-of-{wallet.approved_keys}"
    if (seen["threshold"], len(owners)) != (wallet.approved_threshold, wallet.approved_keys):
        out.append(
            _finding(
                wallet,
                day,
                "threshold",
                approved,
                real,
                f"on chain {real}, approved {approved}",
                f"オンチェーンは {real}、承認は {approved}",
            )
        )
    return out


def unticketed_changes(
    wallet: WalletRecord, states: list[SafeState], tickets: list[Ticket]
) -> list[SafeFinding]:
    """Each change between consecutive observations needs an approved, deployed ticket."""
    systems = {wallet.wallet_id.lower(), (wallet.safe_address or "").strip().lower()} - {""}
    mine = [t for t in tickets if (t.system or "").strip().lower() in systems]
    out = []
    for before, after in itertools.pairwise(states):
        old, new = before.config(), after.config()
        changed = [k for k in new if new[k] != old[k]]
        if not changed or any(_covers(t, before, after) for t in mine):
            continue
        what = ", ".join(changed)
        out.append(
            _finding(
                wallet,
                after.as_of,
                "change",
                "an approved change ticket",
                what,
                f"{what} changed between {before.as_of} and {after.as_of} without an approved change ticket",
                f"{before.as_of} から {after.as_of} の間に {what} が承認済み変更チケットなしで変更された",
            )
        )
    return out


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
    out = unticketed_changes(wallet, states, tickets)
    latest = states[-1] if states else None
    if latest is None or (as_of - latest.as_of).days > max_staleness_days:
        last = str(latest.as_of) if latest else None
        out.append(
            _finding(
                wallet,
                as_of,
                "not_observed",
                f"an observation within {max_staleness_days} day(s) of {as_of}",
                last,
                f"no wallet_state observation within {max_staleness_days} day(s) of {as_of} (last: {last or 'never'})",
                f"{as_of} から {max_staleness_days} 日以内の wallet_state 観測がない（最終: {last or 'なし'}）",
            )
        )
        return out
    return out + compare_with_approved(wallet, latest, known_singletons)


def known_singletons(extra: str = "") -> frozenset[str]:
    """The official singletons plus the workspace's ``extra_singletons`` (``;``-separated)."""
    return frozenset(OFFICIAL_SINGLETONS) | address_set(extra)


def config_changing_call(call: SignedCall) -> str | None:
    """Why a signed call can change a Safe's configuration, or None. A contract call whose call
    data was not recorded cannot be cleared: nobody saw what it does."""
    selector = (call.call_selector or "").strip().lower()
    if selector in CONFIG_CHANGING_SELECTORS:
        return f"signed call {CONFIG_CHANGING_SELECTORS[selector]} ({selector}) changes the Safe's configuration"
    if call.call_type == "contract_call" and not selector:
        return "contract call without its call data selector: what it changes was not seen"
    return None
