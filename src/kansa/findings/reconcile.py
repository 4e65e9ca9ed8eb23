"""Keep the app database in step with the vault: a run and its findings go in together, and a
run the database missed is rebuilt from its ledger entry.

A run is committed to the vault first (the evidence), then copied to the app database. When
that second write fails (the database is locked, the server went away, the disk filled) the
run is in the ledger but not in ``runs``, and the findings it implies were never moved.
:func:`store_run` records a run and moves its findings in ONE transaction, so the database
holds both or neither; :func:`reconcile` then finds every ``run`` entry of the ledger whose run
the database lacks and stores it, oldest first, as if it had gone through at the time.

Idempotent: a run already in the database is never stored twice. It runs at the start of
``kansa run``, ``kansa runs`` and ``kansa findings`` (cheap: one read of the ledger and of the
run ids) and as ``kansa db reconcile``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from kansa.appdb import Database, Run
from kansa.appdb.url_secrets import scrub
from kansa.engine.record import run_from_entry, run_row
from kansa.engine.result import RunResult
from kansa.errors import KansaError
from kansa.findings.lifecycle import Change, apply_in_session
from kansa.i18n import tr
from kansa.vault import GENESIS, LedgerEntry, Vault

Scopes = Mapping[str, Sequence[str]]


class LedgerUntrusted(KansaError):
    """The ledger's hash chain does not hold: nothing is rebuilt from it."""


@dataclass(frozen=True)
class Rebuilt:
    """One run :func:`reconcile` stored, with what it did to the findings."""

    run_id: str
    ledger_seq: int
    changes: list[Change]


def store_run(
    db: Database, run: RunResult, *, scopes: Scopes | None = None, vault_dir: Path | None = None
) -> list[Change]:
    """Record a committed run and move the findings it implies, in one transaction.

    Owners of new findings are the controls' owners as the run recorded them. A run already
    recorded (by a ``kansa db reconcile`` running meanwhile) is left as it is.
    """
    owners = {o.control_id: o.owner for o in run.outcomes}
    with db.session() as s:
        if s.get(Run, run.run_id) is not None:
            return []
        row = run_row(run)
        s.add(row)
        s.flush()
        return apply_in_session(s, row, owners, scopes=scopes, vault_dir=vault_dir)


def not_recorded(db: Database, vault: Vault) -> list[LedgerEntry]:
    """The ledger's ``run`` entries whose run the app database lacks, in ledger order."""
    entries = [e for e in vault.ledger.read() if e.kind == "run"]
    if not entries:
        return []
    with db.session() as s:
        known = set(s.scalars(select(Run.id)))
    return [e for e in entries if e.payload.get("run_id") not in known]


def _check_chain(vault: Vault, wanted: Sequence[LedgerEntry]) -> None:
    """Refuse to rebuild from a ledger whose hash chain is broken up to the last wanted entry:
    the database must only ever hold what the vault vouches for."""
    last = max(e.seq for e in wanted)
    prev = GENESIS
    for e in vault.ledger.read():
        if e.prev != prev or e.computed_hash() != e.hash:
            raise LedgerUntrusted(
                tr(
                    f"Ledger entry #{e.seq} does not match its hash chain; no run was rebuilt "
                    "from the ledger.",
                    f"台帳エントリ #{e.seq} がハッシュチェーンと一致しません。台帳からの再構築は"
                    "行っていません。",
                ),
                hint=tr("Run `kansa verify`.", "`kansa verify` を実行してください。"),
            )
        if e.seq >= last:
            return
        prev = e.hash


def reconcile(db: Database, vault: Vault, scopes: Callable[[], Scopes] = dict) -> list[Rebuilt]:
    """Store every run of the ledger that the app database lacks, oldest first.

    ``scopes`` gives the ``[findings.scope]`` table, asked for only when a run is missing.
    """
    try:
        missing = not_recorded(db, vault)
        if not missing:
            return []
        _check_chain(vault, missing)
        split = scopes()
        return [
            Rebuilt(e.payload["run_id"], e.seq, store_run(
                db, run_from_entry(e), scopes=split, vault_dir=vault.root))
            for e in missing
        ]  # fmt: skip
    except DBAPIError as exc:
        raise not_written(db.url, exc, tr("runs missed earlier", "未登録の実行")) from exc


def not_written(url: str, exc: DBAPIError, what: str) -> KansaError:
    """The app database refused a write (locked, gone): what the user should do next."""
    reason = scrub(str(exc.orig or exc).strip().splitlines()[0], url)
    return KansaError(
        tr(
            f"The app database could not record {what}: {reason}.",
            f"アプリDBに{what}を記録できませんでした: {reason}。",
        ),
        hint=tr(
            "The vault holds the evidence. When the database is free again, "
            "`kansa db reconcile` (or the next `kansa run`, `runs`, `findings`) adds it.",
            "証跡はボールトにあります。DBが使えるようになったら `kansa db reconcile`"
            "（または次の `kansa run`・`runs`・`findings`）で登録されます。",
        ),
    )
