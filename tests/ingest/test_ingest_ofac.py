"""OFAC's per-asset address lists come in as the sanctioned_addresses dataset, with their date."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kansa.cli.app import app
from kansa.ingest.ofac import read_ofac_lists
from kansa.vault import Vault
from kansa.workspace import Workspace

runner = CliRunner()


def _lists(folder: Path) -> Path:
    folder.mkdir()
    (folder / "sanctioned_addresses_XBT.txt").write_text(
        "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h\n\n12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h\n"
        "bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6\n",
        encoding="utf-8",
    )
    (folder / "sanctioned_addresses_ETH.txt").write_text(
        "0x098B716B8Aaf21512996dC57EB0615e2383E2f96\n", encoding="utf-8"
    )
    return folder


def test_rows_keep_addresses_as_published_and_drop_repeats(tmp_path: Path) -> None:
    rows = read_ofac_lists(_lists(tmp_path / "lists"), "2026-11-01")
    assert [(r["asset"], r["address"]) for r in rows] == [
        ("ETH", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"),  # case kept
        ("XBT", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"),
        ("XBT", "bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6"),
    ]
    assert all("2026-11-01" in r["source"] for r in rows)


def test_import_ofac_is_an_ingest_with_a_ledger_entry(workspace: Workspace, tmp_path: Path) -> None:
    folder = _lists(tmp_path / "lists")
    result = runner.invoke(
        app,
        ["-w", str(workspace.root), "sanctions", "import-ofac", str(folder),
         "--list-date", "2026-11-01", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    snap = Vault(workspace.vault_dir).latest("sanctioned_addresses")
    assert snap is not None and snap.rows == out["rows"] == 3
    assert snap.payload["contract"] == "sanctioned_addresses"


def test_a_folder_without_lists_or_a_bad_date_changes_nothing(
    workspace: Workspace, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for args in (
        [str(empty), "--list-date", "2026-11-01"],
        [str(_lists(tmp_path / "lists")), "--list-date", "01/11/2026"],
    ):
        result = runner.invoke(app, ["-w", str(workspace.root), "sanctions", "import-ofac", *args])
        assert result.exit_code != 0
    assert Vault(workspace.vault_dir).ledger.entries() == []
