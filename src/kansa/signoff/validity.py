"""Is a sign-off still good? It is VOID, with the reasons, when the content it covers changed,
when its own ledger entry changed, or (a review) when the preparer's sign-off it relied on is
void or was replaced."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kansa.appdb import SignOff
from kansa.i18n import tr
from kansa.signoff.content import changes
from kansa.vault import LedgerEntry, Vault


@dataclass(frozen=True)
class Verdict:
    signoff: SignOff
    void: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return not self.void


def _own_entry(so: SignOff, by_seq: Mapping[int, LedgerEntry]) -> str | None:
    e = by_seq.get(so.ledger_seq)
    if (
        e is None
        or e.hash != so.ledger_hash
        or e.computed_hash() != e.hash
        or e.payload.get("covers") != so.covers
        or e.actor != so.actor
    ):
        return tr(
            f"the sign-off's own ledger entry #{so.ledger_seq} does not match it",
            f"署名自体の台帳エントリ #{so.ledger_seq} と一致しません",
        )
    return None


def judge(
    vault: Vault,
    by_seq: Mapping[int, LedgerEntry],
    so: SignOff,
    preparer: Verdict | None = None,
) -> Verdict:
    """The verdict on ``so``; for a review, ``preparer`` is the verdict on the latest
    preparer's sign-off of the same item."""
    reasons = changes(vault, by_seq, so.covers)
    if (own := _own_entry(so, by_seq)) is not None:
        reasons.append(own)
    relied_on = so.covers.get("preparer_signoff_seq")
    if relied_on is not None:
        if preparer is None or preparer.signoff.ledger_seq != relied_on:
            reasons.append(
                tr(
                    "the preparer's sign-off it reviewed was replaced",
                    "レビュー対象の作成者署名が差し替えられました",
                )
            )
        elif not preparer.valid:
            reasons.append(tr("the preparer's sign-off is void", "作成者署名が無効です"))
    return Verdict(so, tuple(reasons))
