"""Labels for the columns controls compute themselves (not in any data contract), so that an
exception sample reads in the report's language too. Contract columns are labelled by their
contract (:func:`kansa.reports.presentation.column_labels`); these come after them."""

from __future__ import annotations

# column -> (English, Japanese)
COMPUTED: dict[str, tuple[str, str]] = {
    "difference": ("Difference", "差額"),
    "ledger_amount": ("Ledger total", "元帳合計"),
    "wallet_amount": ("Wallet total", "ウォレット合計"),
    "tolerance_bps": ("Tolerance (bps)", "許容差（bps）"),
    "tolerance_amount": ("Tolerance (amount)", "許容差（数量）"),
    "liabilities": ("Customer liabilities", "顧客への負債"),
    "reserves": ("Reserves", "準備金"),
    "ratio": ("Reserve ratio", "準備率"),
    "shortfall": ("Shortfall", "不足額"),
    "cold_amount": ("In cold wallets", "コールドウォレット残高"),
    "total_customer_amount": ("Customer assets total", "顧客資産合計"),
    "non_cold_customer_amount": ("Customer assets outside cold", "コールド以外の顧客資産"),
    "guarantee_amount": ("Guarantee held", "履行保証暗号資産"),
    "cold_share": ("Cold share", "コールド比率"),
    "min_cold_share": ("Minimum cold share", "コールド比率の下限"),
    "wallet_share": ("Wallet share", "ウォレット比率"),
    "max_wallet_share": ("Maximum wallet share", "ウォレット比率の上限"),
    "asset_total": ("Asset total", "資産合計"),
    "deadline": ("Deadline", "期限"),
    "days_after_leaving": ("Days after leaving", "退職後の日数"),
    "reason": ("Reason", "理由"),
    "requested_amount": ("Requested amount", "依頼金額"),
    "signed_amount": ("Signed amount", "署名金額"),
    "requested_destination": ("Requested destination", "依頼された送付先"),
    "signed_destination": ("Signed destination", "署名された送付先"),
    "signed_asset": ("Signed asset", "署名された資産"),
    "signed_wallet_id": ("Signing wallet", "署名したウォレット"),
    "mismatch": ("Mismatch", "不一致の内容"),
    "auto_limit": ("Auto-approval limit", "自動承認上限"),
    "min_approvals": ("Approvals required", "必要な承認数"),
    "independent_approvers": ("Independent approvers", "独立した承認者数"),
    "first_trained_on": ("First trained on", "初回研修日"),
    "last_completed_on": ("Last training", "直近の研修日"),
    "days_since_training": ("Days since training", "研修からの日数"),
    "max_age_days": ("Maximum age (days)", "上限日数"),
    "lists": ("Lists", "該当リスト"),
    "listed_on": ("Listed on", "掲載日"),
    "list_sources": ("List sources", "リストの出典"),
    "first_record_day": ("First recorded day", "最初の記録日"),
}


def computed_label(column: str, language: str) -> str | None:
    pair = COMPUTED.get(column)
    return None if pair is None else pair[1 if language == "ja" else 0]
