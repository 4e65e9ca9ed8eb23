"""Evidence requests on the web: an auditor asks, the control owner uploads, a refused dataset
shows each problem and stores nothing, a document lands in the vault hashed, each side sees
what is outstanding, and another unit sees none of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers_web import csrf_of, signed_in

from kansa.vault import Vault, sha256_file, verify_vault
from kansa.workspace import Workspace

GOOD = b"role_id,name,system,privileged,duty\nR1,Signer,custody,true,key_custodian\n"
BAD = GOOD + b"R2,Boss,custody,true,boss\n"


@pytest.fixture(scope="module")
def people(demo: Workspace) -> dict[str, TestClient]:
    who = {"auditor": ("auditor", None), "owner": ("control_owner", "treasury"),
           "stranger": ("control_owner", "infosec")}  # fmt: skip
    return {
        n: signed_in(demo, f"er-{n}", role, **({"unit": unit} if unit else {}))[0]
        for n, (role, unit) in who.items()
    }


def post(c: TestClient, path: str, files: Any = None, **form: str) -> Any:
    return c.post(path, data={**form, "csrf": csrf_of(c.get("/account").text)}, files=files)


def test_a_control_owner_delivers_the_evidence_an_auditor_asked_for(
    demo: Workspace, people: dict[str, TestClient]
) -> None:
    auditor, owner, stranger = people["auditor"], people["owner"], people["stranger"]
    due = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)).isoformat()
    assert (
        post(owner, "/requests", assignee="er-owner", due=due, contract="roles").status_code == 403
    )
    both = post(auditor, "/requests", assignee="er-owner", due=due, contract="roles",
                description="and a document")  # fmt: skip
    assert both.status_code == 409 and "either a dataset" in both.text
    assert (
        post(auditor, "/requests", assignee="er-owner", due=due, contract="roles").status_code
        == 303
    )
    assert post(auditor, "/requests", assignee="er-owner", due=due,
                description="Key ceremony minutes").status_code == 303  # fmt: skip
    mine = owner.get("/api/requests").json()
    assert [(r["contract"], r["state"]) for r in mine] == [("roles", "outstanding"),
                                                          ("", "outstanding")]  # fmt: skip
    assert len(auditor.get("/api/requests").json()) == 2
    assert stranger.get("/api/requests").json() == []
    data_id, doc_id = mine[0]["id"], mine[1]["id"]
    assert post(stranger, f"/requests/{data_id}/fulfil",
                files={"file": ("roles.csv", GOOD, "text/csv")}).status_code == 404  # fmt: skip
    before = len(list(Vault(demo.vault_dir).ledger.read()))
    refused = post(
        owner, f"/requests/{data_id}/fulfil", files={"file": ("roles.csv", BAD, "text/csv")}
    )
    assert refused.status_code == 422
    assert 'id="problems"' in refused.text and "boss" in refused.text and "duty" in refused.text
    assert len(list(Vault(demo.vault_dir).ledger.read())) == before  # nothing stored
    ok = post(owner, f"/requests/{data_id}/fulfil", files={"file": ("roles.csv", GOOD, "text/csv")})
    assert ok.status_code == 303, ok.text
    minutes = b"%PDF-1.4 minutes"
    assert post(owner, f"/requests/{doc_id}/fulfil",
                files={"file": ("minutes.pdf", minutes, "application/pdf")}).status_code == 303  # fmt: skip
    assert owner.get("/api/requests").json() == []  # nothing outstanding now
    done = {r["id"]: r for r in auditor.get("/api/requests?every=true").json()}
    assert done[data_id]["delivered"]["dataset"] == "roles"
    doc = done[doc_id]["delivered"]
    assert sha256_file(Vault(demo.vault_dir).root / doc["path"]) == doc["sha256"]
    steps = [(e.payload["action"], e.actor) for e in Vault(demo.vault_dir).ledger.read()
             if e.kind == "evidence_request"]  # fmt: skip
    assert steps == [("requested", "er-auditor"), ("requested", "er-auditor"),
                     ("fulfilled", "er-owner"), ("fulfilled", "er-owner")]  # fmt: skip
    assert "Key ceremony minutes" in auditor.get("/requests?all=1").text
    assert verify_vault(Vault(demo.vault_dir)).ok
