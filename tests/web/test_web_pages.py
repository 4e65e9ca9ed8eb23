"""Pages and the JSON API: the exceptions explorer, filters, tokens, languages, OpenAPI."""

from __future__ import annotations

import csv
import io

import pyarrow.parquet as pq
import pytest
from helpers_web import a_failing_control, client, csrf_of, signed_in
from sqlalchemy import select

from kansa.appdb import ControlResult, Database
from kansa.workspace import Workspace


@pytest.fixture(scope="module")
def auditor(demo: Workspace) -> object:
    c, _ = signed_in(demo, "nina", "auditor")
    return c


def _rows_file(ws: Workspace, control_id: str) -> tuple[object, int]:
    with Database(ws.database_url) as db, db.session() as s:
        r = s.scalars(select(ControlResult).where(ControlResult.control_id == control_id)).first()
    assert r is not None and r.exceptions_file
    path = ws.vault_dir / r.exceptions_file
    return path, pq.ParquetFile(path).metadata.num_rows


def test_exceptions_are_paged_and_sorted_from_the_vault(demo: Workspace, auditor: object) -> None:
    control_id, _ = a_failing_control(demo)
    path, total = _rows_file(demo, control_id)
    table = pq.read_table(path)
    first = table.column_names[0]
    body = auditor.get(f"/api/controls/{control_id}/exceptions?sort={first}&desc=true").json()  # type: ignore[attr-defined]
    assert body["total"] == total and body["columns"] == table.column_names
    expected = sorted((v for v in table.column(first).to_pylist() if v is not None), reverse=True)
    assert [row[0] for row in body["rows"]][: min(5, len(expected))] == [
        str(v) if not isinstance(v, int | float | str) else v for v in expected[:5]
    ]
    page = auditor.get(f"/controls/{control_id}/exceptions").text  # type: ignore[attr-defined]
    assert f"{total} rows" in page
    bad = auditor.get(f"/api/controls/{control_id}/exceptions?sort=nope")  # type: ignore[attr-defined]
    assert bad.status_code == 400


def test_csv_export_has_every_row(demo: Workspace, auditor: object) -> None:
    control_id, _ = a_failing_control(demo)
    _path, total = _rows_file(demo, control_id)
    r = auditor.get(f"/controls/{control_id}/exceptions.csv")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(r.text)))
    assert len(rows) == total + 1


def test_a_changed_exceptions_file_is_refused(demo: Workspace, auditor: object) -> None:
    control_id, _ = a_failing_control(demo)
    path, _total = _rows_file(demo, control_id)
    original = path.read_bytes()  # type: ignore[attr-defined]
    try:
        path.write_bytes(original + b"x")  # type: ignore[attr-defined]
        assert auditor.get(f"/controls/{control_id}/exceptions").status_code == 409  # type: ignore[attr-defined]
    finally:
        path.write_bytes(original)  # type: ignore[attr-defined]


def test_catalog_filters(demo: Workspace, auditor: object) -> None:
    rows = auditor.get("/api/controls?status=fail").json()  # type: ignore[attr-defined]
    assert rows and all(r["status"] == "fail" for r in rows)
    rows = auditor.get("/api/controls?area=custody").json()  # type: ignore[attr-defined]
    assert rows and all(r["area"] == "custody" for r in rows)
    html = auditor.get("/controls?severity=critical").text  # type: ignore[attr-defined]
    assert "<td>critical</td>" in html and "<td>low</td>" not in html


def test_every_page_renders(demo: Workspace, auditor: object) -> None:
    control_id, _ = a_failing_control(demo)
    for path in ("/", "/controls", f"/controls/{control_id}", "/findings", "/findings?status=all",
                 "/data", "/runs", "/account"):  # fmt: skip
        assert auditor.get(path).status_code == 200, path  # type: ignore[attr-defined]


def test_japanese_pages(demo: Workspace, auditor: object) -> None:
    r = auditor.get("/lang/ja?next=/controls")  # type: ignore[attr-defined]
    assert r.status_code == 303 and r.headers["location"] == "/controls"
    assert "統制" in auditor.get("/controls").text  # type: ignore[attr-defined]
    auditor.get("/lang/en")  # type: ignore[attr-defined]
    assert auditor.get("/lang/en?next=//evil.example").headers["location"] == "/"  # type: ignore[attr-defined]


def test_api_token_scoped_hashed_and_revocable(demo: Workspace, auditor: object) -> None:
    page = auditor.get("/account")  # type: ignore[attr-defined]
    r = auditor.post("/account/tokens", data={"name": "ci", "role": "viewer", "days": "7",  # type: ignore[attr-defined]
                                              "csrf": csrf_of(page.text)})  # fmt: skip
    token = r.text.split('id="new-token">')[1].split("<")[0]
    api = client(demo)
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/overview", headers=headers).status_code == 200
    assert api.post("/api/verify", headers=headers).status_code == 403  # viewer scope
    with Database(demo.database_url) as db, db.session() as s:
        from kansa.appdb import ApiToken

        stored = [t.token_hash for t in s.scalars(select(ApiToken))]
    assert token not in stored and all(len(h) == 64 for h in stored)
    more = auditor.post("/account/tokens", data={"name": "x", "role": "admin", "days": "7",  # type: ignore[attr-defined]
                                                 "csrf": csrf_of(page.text)})  # fmt: skip
    assert more.status_code == 400  # never more than one's own role
    tid = auditor.get("/account").text.split('action="/account/tokens/')[1].split("/")[0]  # type: ignore[attr-defined]
    auditor.post(f"/account/tokens/{tid}/revoke", data={"csrf": csrf_of(page.text)})  # type: ignore[attr-defined]
    assert api.get("/api/overview", headers=headers).status_code == 401
    assert api.get("/api/overview", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_auditor_token_can_verify_without_csrf(demo: Workspace, auditor: object) -> None:
    page = auditor.get("/account")  # type: ignore[attr-defined]
    r = auditor.post("/account/tokens", data={"name": "bot", "role": "auditor", "days": "1",  # type: ignore[attr-defined]
                                              "csrf": csrf_of(page.text)})  # fmt: skip
    token = r.text.split('id="new-token">')[1].split("<")[0]
    res = client(demo).post("/api/verify", headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 200 and res.json()["ok"] is True


def test_openapi_document_lists_the_api(demo: Workspace, auditor: object) -> None:
    doc = auditor.get("/api/openapi.json").json()  # type: ignore[attr-defined]
    assert "/api/controls/{control_id}/exceptions" in doc["paths"]
    assert not any(p.startswith("/login") for p in doc["paths"])  # pages stay out of it
    assert client(demo).get("/api/openapi.json").status_code == 401
    assert client(demo).get("/docs").status_code == 404  # no CDN-hosted docs page


def test_xlsx_export_has_every_row(demo: Workspace, auditor: object) -> None:
    from openpyxl import load_workbook

    control_id, _ = a_failing_control(demo)
    _path, total = _rows_file(demo, control_id)
    r = auditor.get(f"/controls/{control_id}/exceptions.xlsx")  # type: ignore[attr-defined]
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content), read_only=True)["exceptions"]
    assert sum(1 for _ in sheet.iter_rows()) == total + 1
    assert auditor.get(f"/controls/{control_id}/exceptions.exe").status_code == 404  # type: ignore[attr-defined]


def test_reports_are_listed_and_downloaded_with_their_hash_checked(
    demo: Workspace, auditor: object
) -> None:
    import hashlib

    from helpers_web import kansa, web_entries

    kansa("-w", str(demo.root), "report", "--out", str(demo.root / "reports" / "r.html"))
    page = auditor.get("/reports").text  # type: ignore[attr-defined]
    seq = page.split('href="/reports/')[1].split("/")[0]
    r = auditor.get(f"/reports/{seq}/download")  # type: ignore[attr-defined]
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    last = web_entries(demo)[-1]
    assert (
        last["action"] == "download_report"
        and last["sha256"] == hashlib.sha256(r.content).hexdigest()
    )


def test_overview_heat_map_and_ages_match_the_database(demo: Workspace, auditor: object) -> None:
    from collections import Counter

    from kansa.controls import load_catalog

    body = auditor.get("/api/overview").json()  # type: ignore[attr-defined]
    heat = body["heat_map"]
    newest_run = body["runs"][0]["id"]
    catalog = load_catalog()
    with Database(demo.database_url) as db, db.session() as s:
        rows = list(s.scalars(select(ControlResult).where(ControlResult.run_id == newest_run)))
    bad = Counter(catalog[r.control_id].area for r in rows if r.status in ("fail", "error"))
    for area, cells in heat["grid"]:
        assert cells[-1]["run"] == newest_run and cells[-1]["fail"] == bad.get(area, 0), area
    assert sum(body["findings_by_age"].values()) == body["open_findings"]
    assert 'class="heat"' in auditor.get("/").text  # type: ignore[attr-defined]
