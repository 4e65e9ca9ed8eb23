"""Exporting a run's exception rows (``kansa results ID --export``) keeps the evidence as is."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

from kansa.engine.exceptions import export


def test_xlsx_export_never_turns_evidence_text_into_a_formula(tmp_path: Path) -> None:
    """A ticket title or target like ``=HYPERLINK(...)`` is data from the audited system."""
    rows = tmp_path / "OPS-009.parquet"
    texts = ['=HYPERLINK("http://x.invalid","open")', "=1+1", "plain"]
    pq.write_table(pa.table({"action_id": ["A1", "A2", "A3"], "target": texts}), rows)
    dest = tmp_path / "out.xlsx"
    assert export(rows, dest) == 3
    sheet = openpyxl.load_workbook(dest)["exceptions"]
    cells = [sheet.cell(row=r, column=2) for r in range(2, 5)]
    assert [c.value for c in cells] == texts
    assert [c.data_type for c in cells] == ["s", "s", "s"]


def test_xlsx_export_of_text_excel_cannot_hold_is_a_clear_error(tmp_path: Path) -> None:
    """Control characters cannot go into a sheet: say so (no traceback, no silent change)."""
    import pytest

    from kansa.errors import KansaError

    rows = tmp_path / "ACC-009.parquet"
    pq.write_table(pa.table({"event_id": ["E1"], "device_id": ["dev\x01ice"]}), rows)
    with pytest.raises(KansaError, match="control characters") as refused:
        export(rows, tmp_path / "out.xlsx")
    assert ".csv" in str(refused.value.hint)
    assert export(rows, tmp_path / "out.csv") == 1


def test_csv_export_neutralizes_formula_text_but_not_numbers(tmp_path: Path) -> None:
    """OWASP CSV injection: text starting with = + - @ tab CR gets a leading quote; a negative
    number is a number and stays as it is."""
    import csv
    from decimal import Decimal

    rows = tmp_path / "OPS-009.parquet"
    texts = ['=HYPERLINK("http://x","y")', "+1", "-2 abc", "@SUM(A1)", "\tx", "\rx", "'q", "ok"]
    n = len(texts)
    pq.write_table(
        pa.table(
            {
                "target": texts,
                "amount": pa.array([Decimal(-5)] * n, pa.decimal128(38, 0)),
                "delta": pa.array([-1.5] * n),
                "count": pa.array([-7] * n, pa.int64()),
                "=name": ["n"] * n,
            }
        ),
        rows,
    )
    dest = tmp_path / "out.csv"
    assert export(rows, dest) == n
    with dest.open(newline="", encoding="utf-8-sig") as f:  # the BOM is there for Excel
        read = list(csv.reader(f))
    assert read[0] == ["target", "amount", "delta", "count", "'=name"]
    assert [r[0] for r in read[1:]] == [
        '\'=HYPERLINK("http://x","y")',
        "'+1",
        "'-2 abc",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "''q",
        "ok",
    ]
    assert {tuple(r[1:4]) for r in read[1:]} == {("-5", "-1.5", "-7")}


def test_results_export_refuses_edited_exception_rows(custody_ws, tmp_path: Path) -> None:
    """``kansa results --export`` re-hashes the file against the run's ledger entry."""
    import json

    from typer.testing import CliRunner

    from evidence_edit import edit_value
    from kansa.cli.app import app
    from kansa.vault import Vault
    from kansa.vault.integrity import EvidenceAltered

    def kansa(*args: str):
        return CliRunner().invoke(app, ["-w", str(custody_ws.root), *args])

    run = json.loads(kansa("run", "--controls", "CUS-001", "--json").output)
    shown = json.loads(kansa("results", "CUS-001", "--json").output)
    assert kansa("results", "CUS-001", "--export", str(tmp_path / "ok.csv")).exit_code == 0
    evidence = custody_ws.vault_dir / shown["exceptions_file"]
    edit_value(evidence, "asset", "ETH")  # the exception row now names another asset
    entries = len(Vault(custody_ws.vault_dir).ledger.entries())
    for name in ("x.csv", "x.parquet", "x.xlsx"):
        refused = kansa("results", "CUS-001", "--export", str(tmp_path / name))
        assert isinstance(refused.exception, EvidenceAltered), refused.output
        message = refused.exception.message
        assert f"vault/{shown['exceptions_file']}" in message
        assert f"ledger entry #{run['ledger']['seq']}" in message
        assert refused.exception.exit_code == 2
        assert not (tmp_path / name).exists()
    assert len(Vault(custody_ws.vault_dir).ledger.entries()) == entries


def test_results_export_refuses_a_database_hash_that_differs_from_the_ledger(
    custody_ws, tmp_path: Path
) -> None:
    """The app database is not the authority: its copy of the hash must agree with the ledger."""
    from sqlalchemy import update
    from typer.testing import CliRunner

    from kansa.appdb import ControlResult, Database
    from kansa.cli.app import app
    from kansa.vault.integrity import EvidenceAltered

    runner = CliRunner()
    assert (
        runner.invoke(app, ["-w", str(custody_ws.root), "run", "--controls", "CUS-001"]).exit_code
        == 0
    )
    with Database(custody_ws.database_url) as db, db.session() as s:
        s.execute(update(ControlResult).values(exceptions_sha256="0" * 64))
        s.commit()
    refused = runner.invoke(
        app, ["-w", str(custody_ws.root), "results", "CUS-001", "--export", str(tmp_path / "x.csv")]
    )
    assert isinstance(refused.exception, EvidenceAltered)
    assert "do not record the same file" in refused.exception.message
