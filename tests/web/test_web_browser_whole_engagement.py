"""A whole engagement in a real browser against `kansa serve` on the demo, in one journey.

The audit manager plans the custody engagement by risk and links the demo's run; the finding
of its control CUS-001 is assigned by an auditor, answered and remediated by the control owner,
retested by a passing run and closed by a reviewer of another unit; a sample is drawn and
evaluated, signed by its preparer and a different reviewer; the report is filed in Japanese and
signed the same way. The filed report shows the closed finding with management's response and
the sample's two sign-offs, `kansa verify` passes, and every step is on the ledger under the
person who took it.

Every step is taken in the browser: the retest is a run started from the finding's page, the
sample is drawn, each item's result recorded and the evaluation filed on the samples pages.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from helpers_web import finding_of
from playwright.sync_api import Page, expect
from test_web_browser import _first_sign_in, browser, server  # noqa: F401 (module fixtures)
from typer.testing import CliRunner

from kansa.appdb import Database
from kansa.cli.app import app as cli_app
from kansa.engagements.report.labels import word
from kansa.vault import LedgerEntry, Vault
from kansa.web.accounts import add_user
from kansa.workspace import Workspace

CONTROL = "CUS-001"  # fails in the demo; area custody, owned by treasury; passes at 0.0
AREA = "custody"
RESPONSE = "Agreed: the cold share fell short."
PLAN = "Sweep hot wallets to cold daily."


class People:
    """Everyone in the journey, each signed in in their own browser page; script errors and
    CSP violations of every page are collected."""

    def __init__(self, chromium: object, base: str, demo: Workspace) -> None:
        self.chromium, self.base, self.demo = chromium, base, demo
        self.errors: list[str] = []

    def sign_in(self, name: str, role: str, unit: str | None = None) -> Page:
        with Database(self.demo.database_url) as db:
            one_time = add_user(db, name, role, **({"unit": unit} if unit else {}))
        page: Page = self.chromium.new_page()  # type: ignore[attr-defined]
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        _first_sign_in(page, self.base, name, one_time)
        return page


def _ledger(ws: Workspace) -> list[LedgerEntry]:
    return list(Vault(ws.vault_dir).ledger.read())


def _plan(manager: Page, base: str, year: int) -> str:
    """The manager scores the custody area, plans the year by risk and opens its engagement."""
    manager.goto(base + "/plan")
    manager.select_option("select[name=kind]", "area")
    manager.fill("input[name=name]", AREA)
    manager.fill("input[name=impact]", "5")
    manager.fill("input[name=likelihood]", "5")
    manager.click("text=Save")
    expect(manager.locator("#scores")).to_contain_text(f"area:{AREA}")
    manager.fill("input[name=year]", str(year))
    manager.click("text=Plan engagements")
    code = f"{year}-AREA-{AREA}"
    manager.click(f"a[href='/plan/engagements/{code}']")
    expect(manager.locator("h1")).to_contain_text(code)
    return code


def _link(manager: Page, seq: int) -> None:
    manager.fill("input[name=item]", str(seq))
    manager.click("button:has-text('Link')")
    expect(manager.locator("#items")).to_contain_text(f"#{seq}")


def _remediate(auditor: Page, owner: Page, base: str, fid: int) -> None:
    """Assigned by the auditor; answered, remediated and put up for retest by the owner."""
    auditor.goto(f"{base}/findings")
    auditor.click(f"a[href='/findings/{fid}']")
    auditor.select_option("select[name=assignee]", "jr-owner")
    auditor.fill("input[name=due]", "2027-01-31")
    auditor.click("button:has-text('Assign')")
    expect(auditor.locator("#finding-assignee")).to_have_text("jr-owner")
    owner.goto(f"{base}/findings/{fid}")
    owner.fill("textarea[name=response]", RESPONSE)
    owner.fill("textarea[name=plan]", PLAN)
    owner.click("button:has-text('Send response')")
    expect(owner.locator("#finding-state")).to_have_attribute("data-state", "answered")
    for state in ("in_remediation", "ready_for_retest"):
        owner.select_option("select[name=to]", state)
        owner.click("form[action$='/move'] button")
        expect(owner.locator("#finding-state")).to_have_attribute("data-state", state)
    expect(owner.locator("text=Close the finding")).to_have_count(0)  # not theirs to close


def _retest(auditor: Page, base: str, fid: int, ws: Workspace) -> int:
    """The auditor runs the finding's control from its page (the threshold the owner's fix
    meets, recorded in the run): a complete run that passes. Its ledger seq."""
    auditor.goto(f"{base}/findings/{fid}")
    auditor.fill("textarea[name=parameters]", "min_cold_share=0.0")
    auditor.click("button:has-text('Run the retest')")
    expect(auditor.locator("#retest-result")).to_have_attribute("data-status", "pass")
    expect(auditor.locator("#finding-state")).to_have_attribute("data-state", "retest_passed")
    return [e.seq for e in _ledger(ws) if e.kind == "run"][-1]


def _close(reviewer: Page, base: str, fid: int) -> None:
    reviewer.goto(f"{base}/findings/{fid}")
    expect(reviewer.locator("#finding-state")).to_have_attribute("data-state", "retest_passed")
    reviewer.fill("form[action$='/close'] input[name=note]", "Retest reviewed.")
    reviewer.click("text=Close the finding")
    expect(reviewer.locator("#finding-state")).to_have_attribute("data-state", "closed")
    expect(reviewer.locator("#finding-history")).to_contain_text("jr-reviewer")


def _sample(auditor: Page, base: str) -> int:
    """The auditor draws 5 withdrawals (seed 3) on the samples page, finds no deviation in any
    item and files the evaluation. The evaluation's ledger seq."""
    auditor.goto(base + "/samples")
    auditor.select_option("select[name=dataset]", "withdrawals")
    auditor.select_option("select[name=method]", "random")
    auditor.fill("input[name=size]", "5")
    auditor.fill("input[name=seed]", "3")
    auditor.fill("#draw input[name=tolerable_rate]", "0.5")
    auditor.click("button:has-text('Draw')")
    expect(auditor.locator("#items tbody tr")).to_have_count(5)
    for select in auditor.locator("#items select").all():
        select.select_option("no")
    auditor.click("button:has-text('Evaluate the sample')")
    evaluation = auditor.locator("#workpapers tr.evaluation")
    expect(evaluation).to_have_count(1)
    expect(evaluation).to_contain_text("0 deviation(s) in 5 items")
    return int((evaluation.get_attribute("id") or "").removeprefix("workpaper-"))


def _sign(preparer: Page, reviewer: Page, base: str, seq: int) -> None:
    """The preparer, then a different reviewer, sign item #seq on the sign-off page."""
    for page, button, who in ((preparer, "Sign as preparer", "jr-auditor"),
                              (reviewer, "Sign as reviewer", "jr-reviewer")):  # fmt: skip
        page.goto(base + "/signoffs")
        page.click(f"#item-{seq} button:has-text('{button}')")
        expect(page.locator(f"#item-{seq}")).to_contain_text(f"OK {who}")


def _file_report(manager: Page) -> tuple[int, str]:
    """The manager moves the engagement to reporting and files the report in Japanese:
    its ledger seq and the HTML downloaded from the engagement's page."""
    manager.select_option("select[name=status]", "reporting")
    manager.fill("textarea[name=opinion]", "保管統制は是正され、再検証で有効と確認しました。")
    manager.click("form[action$='/update'] button")
    expect(manager.locator("#status")).to_have_text("reporting")
    manager.select_option("select[name=fmt]", "html")
    manager.select_option("select[name=language]", "ja")
    manager.click("text=File the internal audit report")
    expect(manager.locator("#reports")).to_contain_text("html (ja)")
    with manager.expect_download() as dl:
        manager.locator("#reports tbody tr").first.locator("a[download]").click()
    seq = int(manager.locator("#reports tbody tr td").first.inner_text().lstrip("#"))
    return seq, Path(dl.value.path()).read_text(encoding="utf-8")


def test_a_whole_engagement_planned_run_remediated_sampled_reported_and_signed(
    server: str,  # noqa: F811
    browser: object,  # noqa: F811
    demo: Workspace,
) -> None:
    people = People(browser, server, demo)
    start = len(_ledger(demo))
    manager = people.sign_in("pw-cae", "audit_manager")
    auditor = people.sign_in("jr-auditor", "auditor")
    owner = people.sign_in("jr-owner", "control_owner", "treasury")
    reviewer = people.sign_in("jr-reviewer", "reviewer", "internal_audit")
    fid = finding_of(demo, CONTROL)

    code = _plan(manager, server, dt.datetime.now(dt.UTC).year)
    first_run = next(e.seq for e in _ledger(demo) if e.kind == "run")
    _link(manager, first_run)
    _remediate(auditor, owner, server, fid)
    retest = _retest(auditor, server, fid, demo)
    _close(reviewer, server, fid)
    manager.reload()
    _link(manager, retest)
    sample = _sample(auditor, server)
    _sign(auditor, reviewer, server, sample)
    manager.reload()
    _link(manager, sample)
    expect(manager.locator("#items")).to_contain_text("jr-reviewer OK")

    report_seq, html = _file_report(manager)
    (row,) = re.findall(rf"<tr><td>#{fid} {CONTROL} .*?</tr>", html, re.S)
    assert word("ja", "closed") in row and RESPONSE in row and PLAN in row
    (procedure,) = re.findall(rf"<tr><td>#{sample}</td>.*?</tr>", html, re.S)
    assert re.search(r"jr-auditor \d{4}-\d\d-\d\d OK", procedure), procedure
    assert re.search(r"jr-reviewer \d{4}-\d\d-\d\d OK", procedure), procedure
    _sign(auditor, reviewer, server, report_seq)
    manager.reload()
    expect(manager.locator("#reports tbody tr").first).to_contain_text("jr-auditor OK")
    expect(manager.locator("#reports tbody tr").first).to_contain_text("jr-reviewer OK")

    verified = CliRunner().invoke(cli_app, ["-w", str(demo.root), "verify"])
    assert verified.exit_code == 0, verified.output  # `kansa verify`: the vault is intact
    entries = _ledger(demo)[start:]
    # each preparer's sign-off asked the reviewers at once (no address in the demo: recorded)
    assert [e.payload["action"] for e in entries if e.kind == "notify"] == ["sent_at_once"] * 2
    journey = [e for e in entries if e.kind not in ("web", "notify")]  # sign-ins aside
    assert [(e.kind, e.payload.get("action"), e.actor) for e in journey] == [
        ("engagement", "entity_added", "pw-cae"),
        ("engagement", "engagement_added", "pw-cae"),
        ("engagement", "item_linked", "pw-cae"),
        ("finding", "assigned", "jr-auditor"),
        ("finding", "responded", "jr-owner"),
        ("finding", "moved", "jr-owner"),
        ("finding", "moved", "jr-owner"),
        ("run", None, "jr-auditor"),
        ("finding", "closed", "jr-reviewer"),
        ("engagement", "item_linked", "pw-cae"),
        ("workpaper", None, "jr-auditor"),  # the drawn sample
        ("workpaper", None, "jr-auditor"),  # its evaluation
        ("signoff", "preparer", "jr-auditor"),
        ("signoff", "reviewer", "jr-reviewer"),
        ("engagement", "item_linked", "pw-cae"),
        ("engagement", "engagement_updated", "pw-cae"),
        ("report", None, "pw-cae"),
        ("signoff", "preparer", "jr-auditor"),
        ("signoff", "reviewer", "jr-reviewer"),
    ]
    on = {k: [e.payload.get(f) for e in journey if e.kind == k] for k, f in
          (("finding", "finding_id"), ("signoff", "item_seq"), ("report", "engagement"))}  # fmt: skip
    linked = [e.payload["item_seq"] for e in journey if e.payload.get("action") == "item_linked"]
    assert linked == [first_run, retest, sample]
    assert on == {"finding": [fid] * 5, "signoff": [sample, sample, report_seq, report_seq],
                  "report": [code]}  # fmt: skip
    assert not people.errors, people.errors  # no CSP violation or script error on any page
