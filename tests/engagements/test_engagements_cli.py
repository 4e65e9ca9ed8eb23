"""`kansa plan`, `kansa engagement` and `kansa maturity`: the same functions as the library,
one clear message and exit 2 on bad input (English and Japanese), JSON for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import pytest
from helpers_engage import catalog_and_run

from kansa.cli.app import main
from kansa.controls import Control
from kansa.vault import Vault, verify_vault
from kansa.workspace import Workspace


@pytest.fixture
def ws(
    db_workspace: Workspace, put_snapshot: Callable[..., Any], make_control: Callable[..., Control]
) -> Workspace:
    """A workspace with one run of test controls; the CLI plans over the built-in catalog."""
    catalog_and_run(db_workspace, put_snapshot, make_control)
    return db_workspace


@pytest.fixture
def kansa(ws: Workspace, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """The real entry point in-process; checks the exit code, returns stdout + stderr."""

    def run(*args: str, lang: str = "en", code: int = 0) -> str:
        monkeypatch.setenv("KANSA_ACTOR", "Lead Mori")
        monkeypatch.setenv("KANSA_LANG", lang)
        monkeypatch.setattr(sys, "argv", ["kansa", "-w", str(ws.root), *args])
        got = 0
        try:
            main()
        except SystemExit as exc:
            got = int(exc.code or 0)
        out, err = capsys.readouterr()
        assert got == code, out + err
        assert "Traceback" not in out + err
        return out + err

    return run


def test_a_plan_from_the_command_line(ws: Workspace, kansa: Callable[..., str]) -> None:
    kansa(
        "plan",
        "entity",
        "area",
        "custody",
        "--impact",
        "5",
        "--likelihood",
        "4",
        "--title",
        "Custody",
    )
    kansa("plan", "entity", "unit", "hr", "--impact", "1", "--likelihood", "1")
    scores = json.loads(kansa("plan", "score", "--json"))
    first = scores["scores"][0]
    assert first["entity"] == "area:custody" and first["inherent"] == 20
    assert first["score"] == 20 + first["adjustment"] and first["unconcluded_controls"] > 0
    assert scores["ledger_seq"] and scores["weights"]["open_finding"] == 2
    out = kansa(
        "plan",
        "build",
        "--year",
        "2026",
        "--lead",
        "Lead Mori",
        "--min-score",
        "20",
        "--hours",
        "90",
    )
    assert "2026-AREA-custody" in out and "unit:hr" not in out
    kansa(
        "plan",
        "add",
        "2026-HR",
        "--title",
        "People",
        "--scope",
        "unit:hr",
        "--from",
        "2026-04-01",
        "--to",
        "2026-06-30",
        "--as-of",
        "2026-06-30",
        "--lead",
        "Lead Mori",
        "--team",
        "Auditor Kato",
        "--analytic",
        "sample staff_roster",
        "--hours",
        "40",
    )
    plan = json.loads(kansa("plan", "list", "--year", "2026", "--json"))
    assert [e["code"] for e in plan["engagements"]] == ["2026-AREA-custody", "2026-HR"]
    assert plan["uncovered"] == []
    out = kansa("plan", "roll-forward", "2026-HR")
    assert "2026-HR -> 2026-HR-20260701: 2026-07-01..2026-09-30" in out
    kansa("engagement", "update", "2026-HR", "--status", "fieldwork", "--hours-actual", "12.5")
    shown = json.loads(kansa("engagement", "show", "2026-HR", "--json"))
    assert (shown["status"], shown["hours_actual"], shown["team"]) == (
        "fieldwork",
        12.5,
        ["Auditor Kato"],
    )
    run_seq = next(e.seq for e in Vault(ws.vault_dir).ledger.read() if e.kind == "run")
    kansa("engagement", "link", "2026-HR", str(run_seq))
    out = kansa("engagement", "report", "2026-HR", "--format", "oscal")
    assert "Report filed: reports/engagements/2026-HR-en-" in out
    assert verify_vault(Vault(ws.vault_dir)).ok


def test_maturity_from_the_command_line(ws: Workspace, kansa: Callable[..., str]) -> None:
    run_seq = next(e.seq for e in Vault(ws.vault_dir).ledger.read() if e.kind == "run")
    shown = json.loads(kansa("maturity", "show", "--json"))
    assert shown["reached"] is None and run_seq in shown["steps"][0]["candidates"]
    kansa("maturity", "assess", "controls-tested", "--met", "--evidence", str(run_seq))
    kansa("maturity", "assess", "findings-tracked", "--met", "--evidence", str(run_seq))
    assert "Stage reached: Ver.1.0" in kansa("maturity", "show")
    assert "到達段階: Ver.1.0" in kansa("maturity", "show", lang="ja")


@pytest.mark.parametrize(
    ("args", "en", "ja"),
    [
        (
            ("plan", "entity", "area", "custody", "--impact", "9", "--likelihood", "1"),
            "must be 1 to 5",
            "1〜5",
        ),
        (
            ("plan", "entity", "unit", "it", "--impact", "3", "--likelihood", "1"),
            "Known: compliance",
            "候補",
        ),
        (
            (
                "plan",
                "add",
                "X",
                "--title",
                "t",
                "--scope",
                "area:custody",
                "--from",
                "2026-13-01",
                "--to",
                "2026-12-31",
                "--lead",
                "L",
            ),
            "--from '2026-13-01' is not a date",
            "日付ではありません",
        ),
        (("engagement", "show", "NOPE"), "No engagement 'NOPE'", "監査'NOPE'はありません"),
        (("engagement", "report", "NOPE", "--format", "docx"), "Unknown format", "形式"),
        (("maturity", "assess", "risk-plan", "--met"), "needs --evidence", "根拠"),
    ],
)
def test_bad_input_is_one_clear_message_and_exit_2(
    ws: Workspace, kansa: Callable[..., str], args: tuple[str, ...], en: str, ja: str
) -> None:
    before = len(list(Vault(ws.vault_dir).ledger.read()))
    assert en in " ".join(kansa(*args, code=2).split())
    assert ja in "".join(kansa(*args, lang="ja", code=2).split())
    assert len(list(Vault(ws.vault_dir).ledger.read())) == before
