"""Sign-offs on the web: the library's rules through the pages and the API, VOID shown."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers_web import csrf_of, signed_in

from evidence_edit import flip_byte
from kansa.vault import Vault, verify_vault
from kansa.workspace import Workspace


@pytest.fixture(scope="module")
def people(demo: Workspace) -> dict[str, TestClient]:
    who = {
        "preparer": ("auditor", "treasury"),
        "peer": ("reviewer", "treasury"),
        "reviewer": ("reviewer", "internal_audit"),
        "owner": ("control_owner", "treasury"),
    }
    return {n: signed_in(demo, f"so-{n}", role, unit=unit)[0] for n, (role, unit) in who.items()}


def post(c: TestClient, path: str, **form: str) -> Any:
    return c.post(path, data={**form, "csrf": csrf_of(c.get("/account").text)})


def run_entry(ws: Workspace) -> Any:
    return next(e for e in Vault(ws.vault_dir).ledger.read() if e.kind == "run")


def test_a_run_is_prepared_noted_reviewed_and_voided_on_the_web(
    demo: Workspace, people: dict[str, TestClient]
) -> None:
    run = run_entry(demo)
    base = f"/signoffs/{run.seq}"
    assert people["owner"].get("/signoffs").status_code == 403
    early = post(people["reviewer"], f"{base}/review")
    assert early.status_code == 409 and "sign-off first" in early.text
    assert post(people["preparer"], f"{base}/prepare").status_code == 303
    again = post(people["preparer"], f"{base}/review")
    assert again.status_code == 403  # an auditor's role does not review at all
    same_unit = post(people["peer"], f"{base}/review")
    assert same_unit.status_code == 409 and "own unit" in same_unit.text
    assert post(people["reviewer"], f"{base}/notes", text="Why 3 exceptions?").status_code == 303
    blocked = post(people["reviewer"], f"{base}/review")
    assert blocked.status_code == 409 and "open review note" in blocked.text
    (item,) = [s for s in people["reviewer"].get("/api/signoffs").json() if s["seq"] == run.seq]
    (note,) = item["open_notes"]
    assert (
        post(
            people["reviewer"], f"/signoffs/notes/{note['id']}/clear", answer="explained"
        ).status_code
        == 303
    )
    assert post(people["reviewer"], f"{base}/review").status_code == 303
    (item,) = [s for s in people["reviewer"].get("/api/signoffs").json() if s["seq"] == run.seq]
    assert item["preparer"]["valid"] and item["reviewer"]["valid"]
    assert (item["preparer"]["actor"], item["reviewer"]["actor"]) == ("so-preparer", "so-reviewer")
    actions = [(e.payload["action"], e.actor) for e in Vault(demo.vault_dir).ledger.read()
               if e.kind == "signoff"]  # fmt: skip
    assert actions == [("preparer", "so-preparer"), ("note_added", "so-reviewer"),
                       ("note_cleared", "so-reviewer"), ("reviewer", "so-reviewer")]  # fmt: skip
    assert verify_vault(Vault(demo.vault_dir)).ok
    # a later change to the signed content voids both sign-offs, visibly
    flip_byte(Vault(demo.vault_dir).root / next(iter(run.outputs)))
    page = people["reviewer"].get("/signoffs").text
    row = page[page.index(f'id="item-{run.seq}"') :].split("</tr>")[0]
    assert row.count("VOID") == 2
    (item,) = [s for s in people["reviewer"].get("/api/signoffs").json() if s["seq"] == run.seq]
    assert not item["preparer"]["valid"] and not item["reviewer"]["valid"]
