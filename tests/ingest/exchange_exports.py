"""A set of exports written the way a Japanese exchange's back office writes them, by hand.

Not the demo generator: these files carry what real exports carry and the demo never does:
CP932 and UTF-8 (with BOM), Japanese headers, JST times with no zone, ``2026/11/01`` and
``2026年11月1日`` dates, thousands separators, full-width digits, ``¥``/``￥``/``\\`` (a yen
sign in CP932), ``△`` negatives, ○/× and はい/いいえ flags, amounts in coin units, approvals
``承認者1..3`` / ``承認日時1..3`` in the withdrawal's row, an ``.xlsx`` staff list (a second
sheet beside it, real date cells and dates typed as text), a ``.csv.gz`` and a ``.zip`` of CSVs.

Run ``python tests/ingest/exchange_exports.py DIR`` to write them into DIR; the tests call
:func:`write_exports`. :data:`REVIEWED_MAPPING` is the ``kansa.toml`` block that loads them with
declarative mappings alone (no SQL).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import sys
import zipfile
from pathlib import Path

WITHDRAWALS_HEADER = [
    "出金ID", "出金区分", "顧客番号", "出金元ウォレット", "通貨", "送付先アドレス", "出金数量",
    "依頼者", "依頼日時", "依頼内容ハッシュ", "ステータス",
    "承認者1", "承認アカウント1", "承認結果1", "承認日時1",
    "承認者2", "承認アカウント2", "承認結果2", "承認日時2",
    "承認者3", "承認アカウント3", "承認結果3", "承認日時3",
    "備考",
]  # fmt: skip

BTC_ADDR = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
ETH_ADDR = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _approvals(*items: tuple[str, str, str]) -> list[str]:
    """Up to three (person, result, time) approvals as the export's 12 wide cells."""
    cells: list[str] = []
    for person, result, at in items:
        cells += [person, f"A-{person}-wc", result, at]
    return cells + [""] * (12 - len(cells))


def withdrawals_day1() -> list[list[str]]:
    """2026-11-01: slashes and seconds, ASCII digits, one full-width amount."""
    t = "2026/11/01 "
    return [
        ["W-1101-001", "顧客", "C000123", "W-BTC-HOT-01", "BTC", BTC_ADDR, "0.11542972", "",
         t + "09:15:00", _hash("W-1101-001"), "送金済",
         *_approvals(("P0012", "承認", t + "09:20:11"), ("P0034", "承認", t + "09:31:02")), ""],
        ["W-1101-002", "顧客", "C000456", "W-ETH-HOT-01", "ETH", ETH_ADDR, "1,234.5", "",
         t + "10:02:45", _hash("W-1101-002"), "送金済",
         *_approvals(("P0012", "承認", t + "10:05:00"), ("P0034", "承認", t + "10:06:30")),
         "大口"],
        ["W-1101-003", "社内", "", "W-BTC-COLD-01", "BTC", BTC_ADDR, "１２.５", "A-P0007-wc",
         t + "13:00:00", _hash("W-1101-003"), "署名済",
         *_approvals(("P0012", "承認", t + "13:10:00"), ("P0034", "承認", t + "13:12:00"),
                     ("P0056", "承認", t + "13:40:00")),
         "コールド→ホット補充"],
        ["W-1101-004", "顧客", "C000789", "W-ETH-HOT-01", "USDC", ETH_ADDR, "10,000", "",
         t + "15:30:00", _hash("W-1101-004"), "却下",
         *_approvals(("P0034", "却下", t + "15:45:00")), "送付先要確認"],
        ["W-1101-005", "顧客", "C000123", "W-BTC-HOT-01", "BTC", BTC_ADDR, "0.5", "",
         t + "23:59:59", _hash("W-1101-005"), "依頼中", *_approvals(), ""],
    ]  # fmt: skip


def withdrawals_day2() -> list[list[str]]:
    """2026-11-02: 年月日 and 時分, full-width digits, a cancelled request."""
    return [
        ["W-1102-001", "顧客", "C000456", "W-ETH-HOT-01", "ETH", ETH_ADDR, "０．２５", "",
         "2026年11月2日 0時05分", _hash("W-1102-001"), "承認済",
         *_approvals(("P0012", "承認", "2026年11月2日 0時10分"),
                     ("P0034", "承認", "2026年11月2日 0時12分")), ""],
        ["W-1102-002", "顧客", "C000999", "W-BTC-HOT-01", "BTC", BTC_ADDR, "2,000", "",
         "2026年11月2日 11時00分", _hash("W-1102-002"), "取消", *_approvals(), "顧客都合"],
        ["W-1102-003", "顧客", "C000123", "W-ETH-HOT-01", "USDT", ETH_ADDR, "５００.１２３４５６", "",
         "2026年11月2日 18時30分", _hash("W-1102-003"), "送金済",
         *_approvals(("P0056", "承認", "2026年11月2日 18時31分"),
                     ("P0012", "承認", "2026年11月2日 18時40分")), ""],
    ]  # fmt: skip


def _csv_bytes(header: list[str], rows: list[list[str]], encoding: str) -> bytes:
    buf = io.StringIO()
    # Windows tools write CRLF and quote only what needs it
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


ACCOUNTS_HEADER = [
    "アカウントID", "社員番号", "システム", "種別", "特権", "多要素認証",
    "作成日時", "無効化日時", "有効期限", "最終ログイン",
]  # fmt: skip


def accounts() -> list[list[str]]:
    return [
        ["A-P0012-wc", "P0012", "wallet_console", "個人", "○", "ハードウェアキー",
         "2024-04-01 09:00:00", "", "", "2026-11-01 08:55:10"],
        ["A-P0034-wc", "P0034", "wallet_console", "個人", "○", "WebAuthn",
         "2024-04-01 09:00:00", "", "", "2026-11-01 09:30:00"],
        ["A-P0056-wc", "P0056", "wallet_console", "個人", "○", "ハードウェアキー",
         "2025-01-06 10:00:00", "", "", "2026-11-02 18:30:00"],
        ["A-P0007-wc", "P0007", "wallet_console", "個人", "×", "TOTP",
         "2023-10-02 09:00:00", "", "", "2026-11-01 12:58:00"],
        ["A-V0101-admin", "V0101", "exchange_admin", "委託", "×", "SMS",
         "2026-06-01 09:00:00", "", "2026-12-31 23:59:59", ""],
        ["svc-backup", "", "aws", "サービス", "×", "なし",
         "2022-01-01 00:00:00", "", "", ""],
    ]  # fmt: skip


BALANCES_HEADER = ["基準日", "顧客番号", "通貨", "残高"]


def customer_balances() -> list[list[str]]:
    """CP932: ``\\`` is how a yen sign comes out of a CP932 file; ``￥`` (full-width) too."""
    d = "2026年11月1日"
    return [
        [d, "C000123", "BTC", "1,234.56789012"],
        [d, "C000123", "JPY", "\\1,234,567"],
        [d, "C000456", "ETH", "3.000000000000000001"],
        [d, "C000456", "JPY", "￥12,000"],
        [d, "C000789", "USDC", "10,000.5"],
        [d, "C000789", "JPY", "△500"],
    ]


ROLES_HEADER = ["ロールID", "ロール名", "システム", "特権", "職務"]


def roles() -> list[list[str]]:
    return [
        ["R-WC-APPROVER", "出金承認者", "wallet_console", "はい", "出金承認"],
        ["R-WC-REQUESTER", "出金依頼者", "wallet_console", "はい", "出金依頼"],
        ["R-ADMIN", "システム管理者", "exchange_admin", "はい", "システム管理"],
        ["R-SUPPORT", "カスタマーサポート", "exchange_admin", "いいえ", "顧客対応"],
    ]


STAFF_HEADER = [
    "社員番号",
    "氏名",
    "所属部署",
    "雇用区分",
    "委託先",
    "入社日",
    "退職日",
    "身元調査日",
]


def staff_rows() -> list[list[object]]:
    """Dates as Excel date cells, and (as people type them) as text in two styles."""
    return [
        ["P0007", "佐藤 一郎", "財務部", "正社員", None, dt.datetime(2019, 4, 1), None, "2019/03/15"],
        ["P0012", "鈴木 花子", "カストディ部", "正社員", None, dt.datetime(2020, 4, 1), None, "2020/03/10"],
        ["P0034", "高橋 健", "カストディ部", "契約社員", None, dt.datetime(2021, 10, 1), None, None],
        ["P0056", "田中 美咲", "システム部", "正社員", None, "2025/01/06", None, "2024年12月20日"],
        ["P0078", "伊藤 誠", "財務部", "正社員", None, dt.datetime(2018, 4, 1), "2026年10月31日", "2018/03/01"],
        ["V0101", "山本 大輔", "運用委託", "業務委託", "株式会社テック保守", dt.datetime(2026, 6, 1),
         dt.datetime(2026, 12, 31), None],
    ]  # fmt: skip


def write_staff_xlsx(path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    notes = wb.active
    assert notes is not None
    notes.title = "凡例"
    notes.append(["雇用区分", "正社員 / 契約社員 / 業務委託"])
    ws = wb.create_sheet("職員一覧")
    ws.append(STAFF_HEADER)
    for row in staff_rows():
        ws.append(row)
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy/mm/dd"
    ws.append([])  # a formatted blank row at the end, as Excel keeps them
    wb.save(path)


def write_exports(folder: Path) -> dict[str, Path]:
    """Write every export into ``folder``; name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {
        "withdrawals_day1": folder / "出金一覧_20261101.csv",
        "withdrawals_day2": folder / "出金一覧_20261102.csv.gz",
        "accounts": folder / "accounts.csv",
        "staff": folder / "職員名簿.xlsx",
        "monthly": folder / "月次_202611.zip",
    }
    out["withdrawals_day1"].write_bytes(_csv_bytes(WITHDRAWALS_HEADER, withdrawals_day1(), "cp932"))
    out["withdrawals_day2"].write_bytes(
        gzip.compress(_csv_bytes(WITHDRAWALS_HEADER, withdrawals_day2(), "cp932"), mtime=0)
    )
    out["accounts"].write_bytes(b"\xef\xbb\xbf" + _csv_bytes(ACCOUNTS_HEADER, accounts(), "utf-8"))
    write_staff_xlsx(out["staff"])
    with zipfile.ZipFile(out["monthly"], "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "月次/顧客残高_20261101.csv",
            _csv_bytes(BALANCES_HEADER, customer_balances(), "cp932"),
        )
        zf.writestr("月次/ロール一覧.csv", _csv_bytes(ROLES_HEADER, roles(), "utf-8"))
    return out


WORKSPACE_TIMEZONE = 'timezone = "Asia/Tokyo"'  # goes under [workspace]

REVIEWED_MAPPING = """
[mappings.withdrawals]
encoding = "cp932"
rename = { "出金ID" = "withdrawal_id", "出金区分" = "kind", "顧客番号" = "customer_id", \
"出金元ウォレット" = "wallet_id", "通貨" = "asset", "送付先アドレス" = "destination_address", \
"出金数量" = "amount", "依頼者" = "requested_by", "依頼日時" = "requested_at", \
"依頼内容ハッシュ" = "request_payload_hash", "ステータス" = "status" }
drop = ["承認者*", "承認アカウント*", "承認結果*", "承認日時*", "備考"]
formats = { requested_at = ["%Y/%m/%d %H:%M:%S", "%Y年%m月%d日 %H時%M分"] }
amounts = { amount = { asset_column = "asset" } }
[mappings.withdrawals.values.kind]
"顧客" = "customer"
"社内" = "internal"
[mappings.withdrawals.values.status]
"依頼中" = "requested"
"承認済" = "approved"
"署名済" = "signed"
"送金済" = "broadcast"
"却下" = "rejected"
"取消" = "cancelled"

[mappings.withdrawal_approvals]
encoding = "cp932"
rename = { "出金ID" = "withdrawal_id" }
drop = ["出金区分", "顧客番号", "出金元ウォレット", "通貨", "送付先アドレス", "出金数量", \
"依頼者", "依頼日時", "ステータス", "備考"]
long = { index = "承認順", columns = { "承認者{n}" = "approver_person_id", \
"承認アカウント{n}" = "approver_account_id", "承認結果{n}" = "decision", \
"承認日時{n}" = "approved_at" } }
templates = { approval_id = "{withdrawal_id}-{承認順}", approved_payload_hash = "{依頼内容ハッシュ}" }
formats = { approved_at = ["%Y/%m/%d %H:%M:%S", "%Y年%m月%d日 %H時%M分"] }
values = { decision = { "承認" = "approve", "却下" = "reject" } }

[mappings.staff]
sheet = "職員一覧"
rename = { "社員番号" = "person_id", "氏名" = "display_name", "所属部署" = "department", \
"雇用区分" = "employment_type", "委託先" = "vendor", "入社日" = "hired_on", \
"退職日" = "left_on", "身元調査日" = "background_checked_on" }
formats = { hired_on = ["ISO", "%Y/%m/%d"], left_on = ["ISO", "%Y年%m月%d日"], \
background_checked_on = ["%Y/%m/%d", "%Y年%m月%d日"] }
values = { employment_type = { "正社員" = "employee", "契約社員" = "contractor", \
"業務委託" = "vendor" } }

[mappings.accounts]
rename = { "アカウントID" = "account_id", "社員番号" = "person_id", "システム" = "system", \
"種別" = "account_type", "特権" = "privileged", "多要素認証" = "mfa_method", \
"作成日時" = "created_at", "無効化日時" = "disabled_at", "有効期限" = "expires_at", \
"最終ログイン" = "last_login_at" }
values.account_type = { "個人" = "personal", "共有" = "shared", "サービス" = "service", \
"委託" = "vendor" }
values.privileged = { "○" = true, "×" = false }
values.mfa_method = { "なし" = "none", "SMS" = "sms", "TOTP" = "totp", \
"WebAuthn" = "webauthn", "ハードウェアキー" = "hardware_key" }

[mappings.customer_balances]
member = "*顧客残高_*.csv"
encoding = "cp932"
rename = { "基準日" = "as_of", "顧客番号" = "customer_id", "通貨" = "asset", "残高" = "balance" }
formats = { as_of = ["%Y年%m月%d日"] }
amounts = { balance = { asset_column = "asset" } }

[mappings.roles]
member = "*ロール一覧.csv"
rename = { "ロールID" = "role_id", "ロール名" = "name", "システム" = "system", \
"特権" = "privileged", "職務" = "duty" }
values.privileged = { "はい" = true, "いいえ" = false }
values.duty = { "出金承認" = "withdrawal_approver", "出金依頼" = "withdrawal_requester", \
"システム管理" = "system_admin", "顧客対応" = "customer_support" }
"""

# (dataset, export) pairs in the order a user loads them
LOADS = [
    ("staff", "staff"),
    ("accounts", "accounts"),
    ("roles", "monthly"),
    ("customer_balances", "monthly"),
    ("withdrawals", "withdrawals_day1"),
    ("withdrawal_approvals", "withdrawals_day1"),
    ("withdrawals", "withdrawals_day2"),
    ("withdrawal_approvals", "withdrawals_day2"),
]


if __name__ == "__main__":
    for name, path in write_exports(Path(sys.argv[1] if len(sys.argv) > 1 else ".")).items():
        print(f"{name}: {path}")
