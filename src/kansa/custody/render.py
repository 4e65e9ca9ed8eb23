"""How derivations and attestations are shown: JSON-ready dicts and Rich tables."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from kansa.custody.attestation import WalletAttestation
from kansa.custody.bip32 import format_path
from kansa.custody.checks import FAIL, PASS
from kansa.custody.descriptor import Descriptor, Expansion
from kansa.i18n import tr

CHECK_LABELS = {
    "policy": ("real M-of-N = approved (KEY-001)", "実ポリシー = 承認済み M-of-N（KEY-001）"),
    "tier_minimum": ("threshold >= tier minimum (KEY-002)", "閾値 >= 階層の最低値（KEY-002）"),
    "addresses": ("addresses derived (KEY-003)", "アドレスの導出（KEY-003）"),
    "keyholders": (
        "one active keyholder per key (KEY-009)",
        "鍵ごとに有効な保管者 1 名（KEY-009）",
    ),
    "separation": (
        "persons, devices, locations apart (KEY-005/6/7)",
        "人・端末・場所の分離（KEY-005/6/7）",
    ),
    "cross_tier": ("no key across tiers (KEY-008)", "階層をまたぐ鍵なし（KEY-008）"),
    "leavers": ("no leaver holds a key (KEY-004)", "退職者が鍵を保有していない（KEY-004）"),
    "safe_state": (
        "Safe implementation, modules, guard as approved (KEY-012)",
        "Safe の実装・モジュール・ガードが承認どおり（KEY-012）",
    ),
    "safe_calls": (
        "no signed call that changes the Safe (KEY-013, WDR-010)",
        "Safe を変更する署名なし（KEY-013, WDR-010）",
    ),
}


def expansion_dict(
    descriptor: Descriptor, exp: Expansion, network: str, chain: str = "bitcoin"
) -> dict[str, Any]:
    policy = descriptor.policy
    return {
        "index": exp.index,
        "branch": exp.branch,
        "script_pubkey": exp.script_pubkey.hex(),
        "address": exp.address,
        "keys": exp.key_hex(),
        "fingerprints": [k.fingerprint.hex() for k in exp.keys],
        "key_paths": ["m" + format_path(k.path) for k in exp.keys],
        "network": network,
        "chain": chain,
        "threshold": policy.threshold,
        "key_count": policy.key_count,
    }


def derivation_dict(
    descriptor: Descriptor, outputs: list[Expansion], network: str, chain: str = "bitcoin"
) -> dict[str, Any]:
    """The first output's fields at the top level, plus every output when several were asked."""
    policy = descriptor.policy
    out: dict[str, Any] = {
        "descriptor": descriptor.text(),
        "checksum_given": descriptor.had_checksum,
        "ranged": descriptor.is_ranged,
        "branches": descriptor.branches,
        "policy": policy.kind,
        "signer_fingerprints": descriptor.fingerprints,
        **expansion_dict(descriptor, outputs[0], network, chain),
    }
    if len(outputs) > 1:
        out["outputs"] = [expansion_dict(descriptor, e, network, chain) for e in outputs]
    return out


def derivation_table(data: dict[str, Any]) -> Table:
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key in (
        "descriptor",
        "chain",
        "network",
        "index",
        "branch",
        "threshold",
        "key_count",
        "policy",
        "script_pubkey",
        "address",
    ):
        table.add_row(key, escape(str(data[key])))
    for n, (key, fp, path) in enumerate(
        zip(data["keys"], data["fingerprints"], data["key_paths"], strict=True)
    ):
        table.add_row(f"key {n}", escape(f"{key}  [{fp}] {path}"))
    for extra in data.get("outputs", [])[1:]:
        table.add_row(f"index {extra['index']}", f"{extra['address']}  {extra['script_pubkey']}")
    return table


def attestation_dict(a: WalletAttestation) -> dict[str, Any]:
    return {
        "wallet_id": a.wallet.wallet_id,
        "tier": a.wallet.tier,
        "purpose": a.wallet.purpose,
        "policy_type": a.wallet.policy_type,
        "chain": a.wallet.chain,
        "assets": list(a.wallet.held_assets()),
        "threshold": a.policy.threshold,
        "key_count": a.policy.key_count,
        "passed": a.passed,
        "checks": [
            {
                "name": c.name,
                "status": c.status,
                "reasons": [r.en for r in c.reasons],
                "reasons_ja": [r.ja for r in c.reasons],
                "figures": c.figures,
            }
            for c in a.checks
        ],
    }


def attestation_table(a: WalletAttestation) -> Table:
    verdict = tr("PASS", "合格") if a.passed else tr("FAIL", "不合格")
    colour = "green" if a.passed else "red"
    policy = f"{a.policy.threshold}-of-{a.policy.key_count}" if a.policy.problem is None else "?"
    described = escape(
        f"{a.wallet.tier or ''} {a.wallet.purpose or ''} {a.wallet.policy_type or ''} {policy}"
    )
    title = f"[bold]{escape(a.wallet.wallet_id)}[/] {described}  [{colour}]{verdict}[/]"
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column(tr("check", "検査"))
    table.add_column(tr("result", "結果"))
    table.add_column(tr("reasons", "理由"), overflow="fold")
    for c in a.checks:
        en, ja = CHECK_LABELS[c.name]
        style = {PASS: "green", FAIL: "red"}.get(c.status, "dim")
        table.add_row(
            tr(en, ja), f"[{style}]{c.status}[/]", escape("\n".join(r.shown() for r in c.reasons))
        )
    return table
