"""The words of each notice, in English and Japanese: a subject line and a short body.

Only the facts of :class:`kansa.notify.notices.Notice` go in (ids, control ids and titles,
ratings, units, dates, a link), so a message can be read on any device without exposing a
customer or a secret.
"""

from __future__ import annotations

from typing import Any

from kansa.notify.notices import Notice

RATING = {
    "material_weakness": ("material weakness", "開示すべき重要な不備"),
    "significant_deficiency": ("significant deficiency", "重要な不備"),
    "deficiency": ("deficiency", "不備"),
}


def _title(facts: dict[str, Any], lang: str) -> str:
    t = facts.get("control_title") or {}
    return str(t.get(lang, "")) if isinstance(t, dict) else ""


def _asked(facts: dict[str, Any], ja: bool) -> str:
    if facts.get("contract"):
        return f"データセット {facts['contract']}" if ja else f"dataset {facts['contract']}"
    return str(facts.get("description", ""))


def _en(n: Notice) -> tuple[str, str]:
    f = n.facts
    rating = RATING.get(str(f.get("rating")), (f.get("rating"), ""))[0]
    match n.event:
        case "material_weakness":
            return (f"[Kansa] Material weakness: finding {f['finding_id']} ({f['control_id']})",
                    f"Finding {f['finding_id']} on {f['control_id']} {_title(f, 'en')} is rated "
                    f"{rating}. Unit: {f['unit']}.")  # fmt: skip
        case "finding_due":
            return (f"[Kansa] Finding {f['finding_id']} is due on {f['due']}",
                    f"Finding {f['finding_id']} ({f['control_id']} {_title(f, 'en')}, {rating}) "
                    f"is due on {f['due']}. State: {f['state']}.")  # fmt: skip
        case "finding_overdue":
            return (f"[Kansa] Overdue: finding {f['finding_id']}, {f['days_overdue']} day(s)",
                    f"Finding {f['finding_id']} ({f['control_id']} {_title(f, 'en')}, {rating}) "
                    f"was due on {f['due']} and is {f['days_overdue']} day(s) overdue. "
                    f"State: {f['state']}. Unit: {f['unit']}.")  # fmt: skip
        case "review_request":
            return (f"[Kansa] Review requested: {f['item']}",
                    f"{f['preparer']} signed {f['item']} (ledger #{f['item_seq']}) as preparer; "
                    f"it awaits a reviewer. Open review notes: {f['open_notes']}.")  # fmt: skip
        case "evidence_request":
            return (f"[Kansa] Evidence requested by {f['requested_by']}, due {f['due']}",
                    f"{f['requested_by']} asks for {_asked(f, False)} by {f['due']} "
                    f"(request {f['request_id']}). Upload it in Kansa.")  # fmt: skip
        case _:
            return (f"[Kansa] Overdue evidence request {f['request_id']}",
                    f"Request {f['request_id']} for {_asked(f, False)} was due on {f['due']} "
                    f"({f['days_overdue']} day(s) overdue).")  # fmt: skip


def _ja(n: Notice) -> tuple[str, str]:
    f = n.facts
    rating = RATING.get(str(f.get("rating")), ("", f.get("rating")))[1]
    match n.event:
        case "material_weakness":
            return (f"[Kansa] 開示すべき重要な不備: 指摘事項 {f['finding_id']}（{f['control_id']}）",
                    f"指摘事項 {f['finding_id']}（{f['control_id']} {_title(f, 'ja')}）は"
                    f"「{rating}」と評価されました。部署: {f['unit']}。")  # fmt: skip
        case "finding_due":
            return (f"[Kansa] 指摘事項 {f['finding_id']} の期限は {f['due']} です",
                    f"指摘事項 {f['finding_id']}（{f['control_id']} {_title(f, 'ja')}、{rating}）"
                    f"の期限は {f['due']} です。状態: {f['state']}。")  # fmt: skip
        case "finding_overdue":
            return (f"[Kansa] 期限超過: 指摘事項 {f['finding_id']}（{f['days_overdue']} 日）",
                    f"指摘事項 {f['finding_id']}（{f['control_id']} {_title(f, 'ja')}、{rating}）"
                    f"は期限 {f['due']} を {f['days_overdue']} 日超過しています。"
                    f"状態: {f['state']}。部署: {f['unit']}。")  # fmt: skip
        case "review_request":
            return (f"[Kansa] レビュー依頼: {f['item']}",
                    f"{f['preparer']} が {f['item']}（台帳 #{f['item_seq']}）に作成者署名しました。"
                    f"レビュー署名をお願いします。未解消ノート: {f['open_notes']} 件。")  # fmt: skip
        case "evidence_request":
            return (f"[Kansa] 証跡依頼（{f['requested_by']}、期限 {f['due']}）",
                    f"{f['requested_by']} から {_asked(f, True)} の提出依頼があります（期限 "
                    f"{f['due']}、依頼 {f['request_id']}）。Kansa でアップロードしてください。")  # fmt: skip
        case _:
            return (f"[Kansa] 期限超過の証跡依頼 {f['request_id']}",
                    f"依頼 {f['request_id']}（{_asked(f, True)}）は期限 {f['due']} を "
                    f"{f['days_overdue']} 日超過しています。")  # fmt: skip


def words(n: Notice, lang: str, app_url: str) -> tuple[str, str]:
    """(subject, body) of ``n`` in ``lang``, with a link when the app's URL is known."""
    subject, body = _ja(n) if lang == "ja" else _en(n)
    if app_url and n.facts.get("path"):
        body += f"\n\n{app_url}{n.facts['path']}"
    return subject, body
