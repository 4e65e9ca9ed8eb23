"""`kansa findings` workflow commands as a user types them: one clear message and exit 2 on a
refused step, every step on the ledger, `kansa verify` intact."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from kansa.appdb import Database, Finding, User
from kansa.cli.app import main
from kansa.controls import Control
from kansa.engine import run_controls
from kansa.findings import apply_run
from kansa.vault import Vault
from kansa.web.accounts import add_user
from kansa.workspace import Workspace

Put = Callable[[Workspace, str, list[dict[str, Any]]], Any]


class Cli:
    """The real entry point in-process, as ``actor``: (exit code, stdout + stderr)."""

    def __init__(self, ws: Workspace, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ws, self.capsys, self.monkeypatch = ws, capsys, monkeypatch
        monkeypatch.setenv("KANSA_LANG", "en")
        monkeypatch.setenv("COLUMNS", "250")

    def __call__(self, actor: str, *args: str) -> tuple[int, str]:
        self.monkeypatch.setenv("KANSA_ACTOR", actor)
        self.monkeypatch.setattr(sys, "argv", ["kansa", "-w", str(self.ws.root), *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = self.capsys.readouterr()
        return code, out + err

    def json(self, *args: str) -> Any:
        code, out = self("Auditor Ito", *args, "--json")
        assert code == 0, out
        return json.loads(out)


@pytest.fixture
def cli(
    db_workspace: Workspace,
    put_snapshot: Put,
    make_control: Callable[..., Control],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Cli:
    """A workspace with one open finding (#1) and the CLI to work on it."""
    rows = [{"as_of": "2026-11-20", "customer_id": "C1", "asset": "BTC", "balance": "-5"}]
    put_snapshot(db_workspace, "customer_balances", rows)
    control = make_control(
        "TST-601",
        "select customer_id, asset, as_of, balance from customer_balances where balance < 0",
    )
    run = run_controls(db_workspace, [control], progress=False)
    with Database(db_workspace.database_url) as db:
        apply_run(db, run.run_id)
    return Cli(db_workspace, capsys, monkeypatch)


def test_assign_respond_comment_attach_and_history(cli: Cli, tmp_path: Path) -> None:
    with Database(cli.ws.database_url) as db:
        add_user(db, "owner.kato", "control_owner", unit="treasury")
    code, out = cli("Auditor Ito", "findings", "assign", "1", "--to", "owner.kato",
                    "--due", "2026-01-31", "--unit", "treasury")  # fmt: skip
    assert code == 0 and "assigned to owner.kato" in out and "ledger entry #" in out
    code, out = cli(
        "owner.kato", "findings", "respond", "1", "--response", "Agreed.", "--plan", "Fix by Jan."
    )
    assert code == 0 and "answered" in out
    assert cli("owner.kato", "findings", "comment", "1", "Working on it")[0] == 0
    doc = tmp_path / "evidence.txt"
    doc.write_text("reconciliation done", encoding="utf-8")
    code, out = cli("owner.kato", "findings", "attach", "1", str(doc))
    assert code == 0 and "sha256" in out
    steps = cli.json("findings", "history", "1")
    assert [(s["what"], s["who"]) for s in steps] == [
        ("opened", steps[0]["who"]),
        ("assigned", "Auditor Ito"),
        ("responded", "owner.kato"),
        ("commented", "owner.kato"),
        ("attached", "owner.kato"),
    ]
    assert steps[0]["who"].startswith("run ")
    (f,) = cli.json("findings")
    assert (f["state"], f["assignee"], f["due_date"]) == ("answered", "owner.kato", "2026-01-31")
    overdue = cli.json("findings", "overdue")
    assert [(o["id"], o["days_overdue"] > 0) for o in overdue] == [(1, True)]
    assert cli("Auditor Ito", "verify")[0] == 0


def test_refused_steps_say_why_and_exit_2(cli: Cli) -> None:
    head = Vault(cli.ws.vault_dir).ledger.head()
    for args, says in (
        (("assign", "1", "--to", "Kato", "--due", "31/01/2026"), "is not a date"),
        (("assign", "9", "--to", "Kato"), "No finding 9"),
        (("assign", "1", "--to", "nobody"), "There is no user 'nobody'"),
        (("move", "1", "ready_for_retest"), "cannot move to ready_for_retest"),
        (("close", "1"), "until a later run passes"),
        (("rerate", "1", "--to", "material_weakness", "--reason", " "), "A reason is required"),
        (("approve-rerate", "1"), "no re-rating waiting"),
        (("accept", "1", "--reason", "legacy", "--until", "2099-01-01"), "may not accept risks"),
    ):
        code, out = cli("Auditor Ito", "findings", *args)
        assert code == 2 and says in " ".join(out.split()) and "Traceback" not in out, (args, out)
    assert Vault(cli.ws.vault_dir).ledger.head() == head  # nothing was recorded


def test_an_accepted_risk_reopens_when_the_list_is_read_after_its_expiry(cli: Cli) -> None:
    cfg = cli.ws.root / "kansa.toml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8") + '\n[workflow]\nrisk_acceptors = ["CAE Tanaka"]\n',
        encoding="utf-8",
    )
    code, out = cli(
        "CAE Tanaka", "findings", "accept", "1", "--reason", "legacy", "--until", "2099-01-01"
    )
    assert code == 0, out
    assert cli.json("findings")[0]["state"] == "accepted"
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    with Database(cli.ws.database_url) as db, db.session() as s:  # time passes
        s.execute(update(Finding).where(Finding.id == 1).values(accepted_until=yesterday))
    (f,) = cli.json("findings")
    assert f["state"] == "open"
    last = Vault(cli.ws.vault_dir).ledger.head()
    assert last is not None and (last.kind, last.payload["action"]) == (
        "finding",
        "acceptance_expired",
    )
    assert cli("Auditor Ito", "verify")[0] == 0


def test_a_refused_step_is_explained_in_japanese(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANSA_LANG", "ja")
    code, out = cli("Auditor Ito", "findings", "close", "1")
    assert code == 2 and "指摘事項 1" in out and "クローズ" in out
    code, out = cli("Auditor Ito", "signoff", "review", "999")
    assert code == 2 and "台帳に '999' はありません" in out


def test_assign_takes_only_an_enabled_control_owner_of_the_unit(cli: Cli) -> None:
    """The assignee must exist, be enabled and own the finding's unit: one precise message in
    the reader's language, exit 2, nothing recorded."""
    with Database(cli.ws.database_url) as db:
        add_user(db, "owner.sato", "control_owner", unit="wallet_ops")
        add_user(db, "aud.mori", "auditor")
        add_user(db, "owner.gone", "control_owner", unit="treasury")
        with db.session() as s:
            s.execute(update(User).where(User.username == "owner.gone").values(disabled=True))
    head = Vault(cli.ws.vault_dir).ledger.head()
    for to, en, ja in (
        ("ghost", "There is no user 'ghost'", "ユーザー 'ghost' はいません"),
        ("owner.gone", "User owner.gone is disabled", "owner.gone は無効化されています"),
        ("owner.sato", "owner.sato is not a control owner of unit treasury (role control_owner, "
         "unit wallet_ops)", "owner.sato は部署 treasury の統制オーナーではありません"),
        ("aud.mori", "aud.mori is not a control owner of unit treasury (role auditor, unit -)",
         "ロール auditor"),
    ):  # fmt: skip
        for lang, says in (("en", en), ("ja", ja)):
            cli.monkeypatch.setenv("KANSA_LANG", lang)
            code, out = cli("Auditor Ito", "findings", "assign", "1", "--to", to, "--unit",
                            "treasury")  # fmt: skip
            assert code == 2 and says in " ".join(out.split()), (to, lang, out)
            assert "Traceback" not in out
    assert Vault(cli.ws.vault_dir).ledger.head() == head  # nothing was recorded


def test_retest_runs_the_findings_control_now_as_the_actor(
    cli: Cli, put_snapshot: Put, tmp_path: Path
) -> None:
    """`kansa findings retest`: still failing, the finding stays; once the data is fixed, the
    run passes it (retest_passed), the run names the person who asked; a closed finding or a
    bad parameter is refused with exit 2."""
    cfg = cli.ws.root / "kansa.toml"  # the workspace's own catalog holds the control
    cfg.write_text(cfg.read_text(encoding="utf-8")
                   + f'\n[controls]\npaths = ["{tmp_path / "controls"}"]\n', encoding="utf-8")  # fmt: skip
    code, out = cli("Auditor Ito", "findings", "retest", "1", "--param", "oops")
    assert code == 2 and "expected name=value" in " ".join(out.split())
    code, out = cli("Auditor Ito", "findings", "retest", "1")
    assert code == 0 and "TST-601 fail, 1 exception(s); finding 1 is open" in " ".join(out.split())
    rows = [{"as_of": "2026-11-21", "customer_id": "C1", "asset": "BTC", "balance": "5"}]
    put_snapshot(cli.ws, "customer_balances", rows)
    code, out = cli("Auditor Ito", "findings", "retest", "1")
    said = " ".join(out.split())
    assert code == 0 and "TST-601 pass, 0 exception(s); finding 1 is retest passed" in said, said
    last_run = [e for e in Vault(cli.ws.vault_dir).ledger.read() if e.kind == "run"][-1]
    assert last_run.actor == "Auditor Ito"
    (f,) = cli.json("findings")
    assert f["state"] == "retest_passed"
