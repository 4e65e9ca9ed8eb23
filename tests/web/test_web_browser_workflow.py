"""A finding's whole journey in a real browser against `kansa serve`: assigned by an auditor,
answered and remediated by the control owner, retested by a passing run, closed by a reviewer
of another unit; every step on the ledger under the person who took it."""

from __future__ import annotations

from helpers_web import finding_of, kansa
from playwright.sync_api import Page, expect
from test_web_browser import _first_sign_in, browser, server  # noqa: F401 (fixtures)

from kansa.appdb import Database
from kansa.vault import Vault, verify_vault
from kansa.web.accounts import add_user
from kansa.workspace import Workspace

CONTROL = "CUS-001"  # fails in the demo; owned by treasury; passes with a lower threshold


def _person(chromium: object, base: str, demo: Workspace, name: str, role: str,
            unit: str | None) -> tuple[Page, list[str]]:  # fmt: skip
    with Database(demo.database_url) as db:
        one_time = add_user(db, name, role, **({"unit": unit} if unit else {}))
    page = chromium.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _first_sign_in(page, base, name, one_time)
    return page, errors


def test_a_finding_from_assignment_to_a_signed_closure(
    server: str,  # noqa: F811
    browser: object,  # noqa: F811
    demo: Workspace,
) -> None:
    fid = finding_of(demo, CONTROL)
    auditor, e1 = _person(browser, server, demo, "jr-auditor", "auditor", None)
    owner, e2 = _person(browser, server, demo, "jr-owner", "control_owner", "treasury")
    reviewer, e3 = _person(browser, server, demo, "jr-reviewer", "reviewer", "internal_audit")

    auditor.goto(f"{server}/findings")
    auditor.click(f"a[href='/findings/{fid}']")
    auditor.select_option("select[name=assignee]", "jr-owner")
    auditor.fill("input[name=due]", "2027-01-31")
    auditor.click("button:has-text('Assign')")
    expect(auditor.locator("#finding-assignee")).to_have_text("jr-owner")

    owner.goto(f"{server}/findings/{fid}")
    owner.fill("textarea[name=response]", "Agreed: the cold share fell short.")
    owner.fill("textarea[name=plan]", "Sweep hot wallets to cold daily.")
    owner.click("button:has-text('Send response')")
    expect(owner.locator("#finding-state")).to_have_attribute("data-state", "answered")
    owner.select_option("select[name=to]", "in_remediation")
    owner.click("form[action$='/move'] button")
    expect(owner.locator("#finding-state")).to_have_attribute("data-state", "in_remediation")
    owner.select_option("select[name=to]", "ready_for_retest")
    owner.click("form[action$='/move'] button")
    expect(owner.locator("#finding-state")).to_have_attribute("data-state", "ready_for_retest")
    expect(owner.locator("text=Close the finding")).to_have_count(0)  # not theirs to close

    kansa(
        "-w",
        str(demo.root),
        "run",
        "--controls",
        CONTROL,
        "--param",
        f"{CONTROL}.min_cold_share=0.0",
    )  # fmt: skip  (the retest: a complete passing run)

    reviewer.goto(f"{server}/findings/{fid}")
    expect(reviewer.locator("#finding-state")).to_have_attribute("data-state", "retest_passed")
    reviewer.fill("form[action$='/close'] input[name=note]", "Retest reviewed.")
    reviewer.click("text=Close the finding")
    expect(reviewer.locator("#finding-state")).to_have_attribute("data-state", "closed")
    expect(reviewer.locator("#finding-history")).to_contain_text("jr-reviewer")

    steps = [(e.payload["action"], e.actor) for e in Vault(demo.vault_dir).ledger.read()
             if e.kind == "finding" and e.payload.get("finding_id") == fid]  # fmt: skip
    assert steps == [("assigned", "jr-auditor"), ("responded", "jr-owner"),
                     ("moved", "jr-owner"), ("moved", "jr-owner"), ("closed", "jr-reviewer")]  # fmt: skip
    assert verify_vault(Vault(demo.vault_dir)).ok
    assert not (e1 + e2 + e3), e1 + e2 + e3  # no CSP violation or script error
