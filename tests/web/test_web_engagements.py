"""The audit plan on the web: the audit manager builds the universe and the plan, an auditor
links the run and files the engagement report, the maturity ladder takes evidence; every step
a ledger entry naming the signed-in user; the committee reads but changes nothing."""

from __future__ import annotations

import pytest
from helpers_web import csrf_of, signed_in

from kansa.vault import Vault, verify_vault
from kansa.workspace import Workspace


@pytest.fixture(scope="module")
def people(demo: Workspace) -> dict[str, object]:
    return {
        role: signed_in(demo, name, role)[0]
        for role, name in (("audit_manager", "mori"), ("auditor", "kato"), ("viewer", "board"))
    }


def _post(c: object, path: str, page: str, **data: object) -> object:
    token = csrf_of(c.get(page).text)  # type: ignore[attr-defined]
    return c.post(path, data={**data, "csrf": token})  # type: ignore[attr-defined]


def _plan_entries(ws: Workspace) -> list[tuple[str, str]]:
    return [
        (e.actor, e.payload["action"])
        for e in Vault(ws.vault_dir).ledger.read()
        if e.kind == "engagement"
    ]


def test_an_engagement_is_planned_worked_and_reported_on_the_web(
    demo: Workspace, people: dict[str, object]
) -> None:
    mori, kato, board = people["audit_manager"], people["auditor"], people["viewer"]
    r = _post(
        mori, "/plan/entities", "/plan", kind="area", name="withdrawals", impact="5", likelihood="4"
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = mori.get("/plan").text  # type: ignore[attr-defined]
    assert "area:withdrawals" in page and "5×4=20" in page
    r = _post(mori, "/plan/build", "/plan", year="2026", lead="mori", min_score="15", hours="80")
    assert r.status_code == 303  # type: ignore[attr-defined]
    code = "2026-AREA-withdrawals"
    assert f'href="/plan/engagements/{code}"' in mori.get("/plan").text  # type: ignore[attr-defined]
    run_seq = next(e.seq for e in Vault(demo.vault_dir).ledger.read() if e.kind == "run")
    where = f"/plan/engagements/{code}"
    assert _post(kato, f"{where}/link", where, item=str(run_seq)).status_code == 303  # type: ignore[attr-defined]
    r = _post(
        kato, f"{where}/update", where, status="reporting", hours_actual="72", opinion="要改善"
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    r = _post(kato, f"{where}/report", where, fmt="html", language="ja")
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = board.get(where).text  # type: ignore[attr-defined]
    assert f"#{run_seq}" in page and "reporting" in page and "html (ja)" in page
    assert "Roll forward" not in page  # the committee reads, and gets no forms
    (report,) = [
        e
        for e in Vault(demo.vault_dir).ledger.read()
        if e.kind == "report" and e.payload.get("engagement") == code
    ]
    assert report.actor == "kato"
    (body,) = [Vault(demo.vault_dir).evidence_path(rel) for rel in report.outputs]
    assert "内部監査報告書" in body.read_text(encoding="utf-8")
    bad = _post(kato, f"{where}/link", where, item="999999")
    assert bad.status_code == 400 and "999999" in bad.text  # type: ignore[attr-defined]
    assert _post(board, f"{where}/update", where, status="closed").status_code == 403  # type: ignore[attr-defined]
    assert _post(kato, f"{where}/roll-forward", where).status_code == 403  # type: ignore[attr-defined]
    r = _post(mori, f"{where}/roll-forward", where)
    assert r.headers["location"] == "/plan/engagements/2027-AREA-withdrawals"  # type: ignore[attr-defined]
    actions = _plan_entries(demo)
    assert ("mori", "entity_added") in actions and ("kato", "item_linked") in actions
    assert actions[-1] == ("mori", "engagement_added")
    assert verify_vault(Vault(demo.vault_dir)).ok


def test_the_maturity_ladder_on_the_web(demo: Workspace, people: dict[str, object]) -> None:
    mori, kato = people["audit_manager"], people["auditor"]
    run_seq = next(e.seq for e in Vault(demo.vault_dir).ledger.read() if e.kind == "run")
    bad = _post(mori, "/maturity", "/maturity", step="controls-tested", met="yes", evidence="")
    assert bad.status_code == 400 and "evidence" in bad.text  # type: ignore[attr-defined]
    r = _post(
        mori, "/maturity", "/maturity", step="controls-tested", met="yes", evidence=f"#{run_seq}"
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = kato.get("/maturity").text  # type: ignore[attr-defined]
    assert "Ver.2.0" in page and f"#{run_seq}" in page and "mori" in page
    assert _post(kato, "/maturity", "/maturity", step="advisory", met="no").status_code == 403  # type: ignore[attr-defined]
