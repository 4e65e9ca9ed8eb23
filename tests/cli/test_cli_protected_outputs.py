"""No command writes a file the user names into the vault, over kansa.toml or the app database.

``kansa report -o vault/ledger.jsonl`` used to overwrite the ledger. Every command with an
output option is tried against every protected target, directly and through a symbolic link;
each must exit 2 with a clear message and leave the workspace byte for byte as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kansa.cli.app import main
from kansa.errors import KansaError
from kansa.vault import Snapshot
from kansa.workspace import Workspace
from kansa.workspace.outputs import refuse_protected_output

DAY = dt.date(2026, 11, 20)
Put = Callable[[Workspace, str, list[dict[str, Any]]], Snapshot]

# (command line before the output path, option that names the output)
COMMANDS = {
    "report": ["report", "-o"],
    "results --export": ["results", "CUS-001", "--export"],
    "stratify -o": ["stratify", "customer_balances", "--column", "balance", "--bands", "2", "-o"],
    "sample draw -o": ["sample", "draw", "customer_balances", "--size", "2", "--seed", "1", "-o"],
    "sample size -o": ["sample", "size", "--tolerable-rate", "0.05", "-o"],
    "reserves proof -o": ["reserves", "proof", "C0", "-o"],
    "reserves proofs -o": ["reserves", "proofs", "-o"],
}


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANSA_LANG", "en")


def kansa(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The real entry point in-process: (exit code, stdout + stderr)."""
    old, sys.argv = sys.argv, ["kansa", *args]
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = old
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture
def ws(workspace: Workspace, put_snapshot: Put, capsys: pytest.CaptureFixture[str]) -> Workspace:
    """Four customers, two customer wallets, one run of CUS-001 and a reserves tree."""
    put_snapshot(
        workspace,
        "wallets",
        [
            {"wallet_id": "W-COLD", "asset": "BTC", "tier": "cold", "purpose": "customer"},
            {"wallet_id": "W-HOT", "asset": "BTC", "tier": "hot", "purpose": "customer"},
        ],
    )
    put_snapshot(
        workspace,
        "wallet_balances",
        [
            {"as_of": DAY.isoformat(), "wallet_id": w, "asset": "BTC", "balance": b}
            for w, b in (("W-COLD", "900"), ("W-HOT", "100"))
        ],
    )
    put_snapshot(
        workspace,
        "customer_balances",
        [
            {"as_of": DAY.isoformat(), "customer_id": f"C{i}", "asset": "BTC", "balance": "250"}
            for i in range(4)
        ],
    )
    root = str(workspace.root)
    assert kansa(capsys, "-w", root, "run", "--controls", "CUS-001")[0] == 0
    assert kansa(capsys, "-w", root, "reserves", "build", "--json")[0] == 0
    return workspace


def _fingerprint(ws: Workspace) -> dict[str, str]:
    """Every file of the workspace and its SHA-256 (the app database too)."""
    out = {}
    for p in sorted(ws.root.rglob("*")):
        if p.is_file() and not p.is_symlink() and p.name != ".lock":
            out[str(p.relative_to(ws.root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _targets(ws: Workspace, tmp: Path) -> list[Path]:
    link = tmp / "innocent.html"
    link.symlink_to(ws.vault_dir / "ledger.jsonl")
    dangling = tmp / "new.csv"
    dangling.symlink_to(ws.vault_dir / "runs" / "new.csv")  # not there yet: still refused
    return [
        ws.vault_dir / "ledger.jsonl",
        ws.vault_dir / "fresh.csv",
        ws.vault_dir,
        ws.root / "vault" / ".." / "vault" / "x.xlsx",
        link,
        dangling,
        ws.root / "kansa.toml",
        ws.root / "kansa.db",
    ]


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_output_option_refuses_the_vault_and_the_workspace_files(
    ws: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    before = _fingerprint(ws)
    for target in _targets(ws, tmp_path):
        code, said = kansa(capsys, "-w", str(ws.root), *COMMANDS[command], str(target))
        assert code == 2, (target, said)
        assert "Refusing to write" in said, (target, said)
        assert ("evidence vault" in said) or ("kansa.toml" in said) or ("kansa.db" in said)
        assert "Traceback" not in said
    assert _fingerprint(ws) == before  # nothing filed, nothing overwritten


def test_the_default_report_folder_linked_into_the_vault_is_refused(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hostile workspace: ``reports/`` is a link to ``vault/``; the default -o is refused."""
    (ws.root / "reports").symlink_to(ws.vault_dir)
    before = _fingerprint(ws)
    code, said = kansa(capsys, "-w", str(ws.root), "report")
    assert code == 2 and "evidence vault" in said
    assert _fingerprint(ws) == before


def test_outputs_outside_the_vault_are_written(
    ws: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for command, line in COMMANDS.items():
        target = tmp_path / ("proofs" if command.endswith("proofs -o") else "out.csv")
        if command == "report":
            target = tmp_path / "report.html"
        if command == "reserves proof -o":
            target = tmp_path / "proof.json"
        code, said = kansa(capsys, "-w", str(ws.root), *line, str(target))
        assert code == 0, (command, said)
        assert target.exists()


def test_the_check_resolves_links_and_allows_the_rest(ws: Workspace, tmp_path: Path) -> None:
    assert refuse_protected_output(ws, tmp_path / "a.csv") == tmp_path / "a.csv"
    assert refuse_protected_output(ws, ws.root / "reports" / "r.html")
    os.symlink(ws.root, tmp_path / "wsl")
    with pytest.raises(KansaError, match="evidence vault") as refused:
        refuse_protected_output(ws, tmp_path / "wsl" / "vault" / "ledger.jsonl")
    assert refused.value.exit_code == 2
    with pytest.raises(KansaError, match=r"kansa\.toml"):
        refuse_protected_output(ws, tmp_path / "wsl" / "kansa.toml")
