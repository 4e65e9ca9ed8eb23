"""Retests and samples on the web: a finding's control run from its page as the signed-in user
(its verdict shown, its findings moved, a bad parameter refused with nothing recorded), and an
attribute sample drawn, each item's result recorded and the evaluation filed, each a workpaper
naming the person; the roles that may not, cannot."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers_web import csrf_of, finding_of, signed_in

from kansa.vault import LedgerEntry, Vault, verify_vault
from kansa.workspace import Workspace

CONTROL = "CUS-001"  # fails in the demo (cold share); passes at min_cold_share=0.0


@pytest.fixture(scope="module")
def people(demo: Workspace) -> dict[str, TestClient]:
    who = {"auditor": ("auditor", None), "owner": ("control_owner", "treasury"),
           "viewer": ("viewer", None)}  # fmt: skip
    return {
        n: signed_in(demo, f"rs-{n}", role, **({"unit": unit} if unit else {}))[0]
        for n, (role, unit) in who.items()
    }


def post(c: TestClient, path: str, **form: str) -> Any:
    return c.post(path, data={**form, "csrf": csrf_of(c.get("/account").text)})


def ledger(ws: Workspace) -> list[LedgerEntry]:
    return list(Vault(ws.vault_dir).ledger.read())


def test_a_retest_runs_the_control_as_the_user_and_shows_its_verdict(
    demo: Workspace, people: dict[str, TestClient]
) -> None:
    auditor, owner = people["auditor"], people["owner"]
    fid = finding_of(demo, CONTROL)
    assert post(owner, f"/findings/{fid}/retest").status_code == 403  # not the owner's to run
    before = len(ledger(demo))
    for bad, says in (("min_cold_share", "expected name=value"), ("no_such=1", "no_such")):
        r = post(auditor, f"/findings/{fid}/retest", parameters=bad)
        assert r.status_code == 409 and says in r.text, r.text
    assert len(ledger(demo)) == before  # a refused retest records nothing
    still = post(auditor, f"/findings/{fid}/retest")  # nothing fixed yet: it fails again
    assert still.status_code == 303
    page = auditor.get(still.headers["location"]).text
    assert 'id="retest-result" data-status="fail"' in page and 'data-state="open"' in page
    r = post(auditor, f"/findings/{fid}/retest", parameters="min_cold_share=0.0\n")
    assert r.status_code == 303 and "?run=" in r.headers["location"]
    page = auditor.get(r.headers["location"]).text
    assert 'data-status="pass"' in page and 'data-state="retest_passed"' in page
    runs = [e for e in ledger(demo)[before:] if e.kind == "run"]
    assert [e.actor for e in runs] == ["rs-auditor", "rs-auditor"]
    assert runs[-1].payload["overrides"] == {CONTROL: {"min_cold_share": "0.0"}}
    api = auditor.post(f"/api/findings/{fid}/retest", json={"parameters": "min_cold_share=0.0"},
                       headers={"x-csrf-token": csrf_of(auditor.get("/account").text)})  # fmt: skip
    assert api.status_code == 200 and api.json()["status"] == "pass", api.text
    assert verify_vault(Vault(demo.vault_dir)).ok


def test_a_sample_is_drawn_evaluated_and_filed_as_the_user(
    demo: Workspace, people: dict[str, TestClient]
) -> None:
    auditor = people["auditor"]
    for who in ("owner", "viewer"):  # population rows: not theirs to read or draw
        assert people[who].get("/samples").status_code == 403
        assert post(people[who], "/samples", dataset="withdrawals", method="random",
                    size="3").status_code == 403  # fmt: skip
    control = auditor.get("/controls/WDR-001").text  # a control's inputs lead to the draw form
    assert 'href="/samples?dataset=withdrawals"' in control
    assert (
        "<option selected>withdrawals</option>" in auditor.get("/samples?dataset=withdrawals").text
    )
    before = len(ledger(demo))
    too_big = post(auditor, "/samples", dataset="withdrawals", method="random", size="1000")
    assert too_big.status_code == 400 and "cannot exceed the population" in too_big.text
    odd = post(auditor, "/samples", dataset="withdrawals", method="mus", size="3")
    assert odd.status_code == 400 and "random or systematic" in odd.text
    assert len(ledger(demo)) == before
    r = post(auditor, "/samples", dataset="withdrawals", method="systematic", size="4", seed="7",
             tolerable_rate="0.5")  # fmt: skip
    assert r.status_code == 303
    seq = int(r.headers["location"].rsplit("/", 1)[1])
    (drawn,) = ledger(demo)[before:]
    assert (drawn.seq, drawn.kind, drawn.actor) == (seq, "workpaper", "rs-auditor")
    assert drawn.payload["parameters"]["seed"] == 7
    page = auditor.get(f"/samples/{seq}").text
    assert page.count('name="dev-') == 4
    half = post(auditor, f"/samples/{seq}/evaluate", **{"dev-1": "no", "dev-2": "no"})
    assert half.status_code == 400 and "Item 3" in half.text and "has no result" in half.text
    assert len(ledger(demo)) == before + 1  # nothing filed
    results = {"dev-1": "no", "dev-2": "yes", "note-2": "unsigned", "dev-3": "no", "dev-4": "no"}
    assert post(auditor, f"/samples/{seq}/evaluate", **results).status_code == 303
    evaluation = ledger(demo)[-1]
    assert (evaluation.kind, evaluation.actor) == ("workpaper", "rs-auditor")
    assert evaluation.payload["analysis"] == "sample-evaluate"
    assert evaluation.payload["summary"]["deviations"] == 1
    assert evaluation.payload["parameters"]["draw_ledger_seq"] == seq
    page = auditor.get(f"/samples/{seq}").text
    assert f'id="workpaper-{evaluation.seq}"' in page and "1 deviation(s) in 4 items" in page
    assert f'id="item-{evaluation.seq}"' in auditor.get("/signoffs").text  # to be signed there
    assert auditor.get("/samples/999999").status_code == 404
    assert verify_vault(Vault(demo.vault_dir)).ok
