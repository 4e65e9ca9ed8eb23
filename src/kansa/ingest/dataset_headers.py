"""Header words of exchanges' exports for one dataset, for the mapping assistant.

:data:`kansa.ingest.synonyms.HEADERS` holds words by column name, for every contract that has
the column. That does not work when one name means different things in different contracts:
``direction`` is 借方/貸方 in the customer ledger, 送信/受信 for a Travel Rule message, 入金/出金
for yen, and ``as_of`` is a balance day in one contract and the day a KYC rating starts in
another. The words here apply only to the dataset they are listed under, on top of the shared
ones (both are "strong" matches, :func:`kansa.ingest.suggest.suggest`).

Why these words: the headers an exchange's back office writes in its CSV exports (the new-user
trial of issue 10 had ログインID, 顧客ID, 日時, 端末, 国, 結果 for customer logins), the words of
the statutes the datasets evidence (資金決済法 and 内閣府令: 信託, 拠出, 受託者; 犯罪収益移転防止法:
送付人, 受取人, 通知), and the usual English export names. A word listed for two columns of
one contract would make the match depend on column order, so a test refuses that.
"""

from __future__ import annotations

DATASET_HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "customer_logins": {
        "login_id": ("ログインID", "ログイン番号", "ログイン履歴ID", "履歴ID", "イベントID"),
        "customer_id": ("ユーザーID", "お客様番号", "user id", "uid"),
        "logged_in_at": (
            "日時",
            "ログイン日時",
            "試行日時",
            "アクセス日時",
            "認証日時",
            "発生日時",
            "login time",
            "timestamp",
            "time",
        ),
        "device_id": ("端末", "端末ID", "端末識別子", "デバイス", "デバイスID", "device"),
        "ip_country": (
            "国",
            "国コード",
            "接続元国",
            "接続国",
            "アクセス元国",
            "IP国",
            "country",
            "ip country",
            "country code",
        ),
        "result": ("結果", "ログイン結果", "認証結果", "ステータス", "status", "outcome"),
    },
    "withdrawal_address_changes": {
        "change_id": ("変更ID", "変更番号", "履歴ID", "操作ID"),
        "customer_id": ("ユーザーID", "お客様番号", "user id"),
        "changed_at": ("変更日時", "日時", "操作日時", "処理日時", "登録日時", "changed at"),
        "address": (
            "アドレス",
            "出金先アドレス",
            "送付先アドレス",
            "宛先アドレス",
            "送金先アドレス",
            "登録アドレス",
        ),
        "action": ("操作", "操作種別", "変更内容", "変更区分", "処理区分", "区分", "種別"),
    },
    "deposits": {
        "deposit_id": ("入庫ID", "入庫番号", "入金ID", "入金番号", "預入ID"),
        "customer_id": ("ユーザーID", "お客様番号", "user id"),
        "source_address": (
            "送付元アドレス",
            "入庫元アドレス",
            "送金元アドレス",
            "送信元アドレス",
            "入金元アドレス",
            "from address",
            "from",
        ),
        "amount": ("入庫数量", "入金数量", "入庫額", "入金額"),
        "credited_at": ("入庫日時", "入金日時", "計上日時", "反映日時", "着金日時", "credited at"),
        "txid": (
            "トランザクションID",
            "トランザクションハッシュ",
            "txハッシュ",
            "tx hash",
            "ハッシュ",
        ),
    },
    "customer_ledger_entries": {
        "entry_id": ("仕訳ID", "仕訳番号", "明細ID", "明細番号", "元帳ID", "取引明細ID"),
        "customer_id": ("ユーザーID", "お客様番号", "user id"),
        "direction": ("貸借区分", "貸借", "借方貸方", "増減区分", "増減", "入出区分"),
        "amount": ("計上額", "計上数量", "仕訳金額"),
        "kind": ("取引種別", "取引区分", "種別", "仕訳種別", "摘要"),
        "deposit_id": ("入庫ID", "入庫番号", "入金ID", "入金番号"),
        "posted_at": ("計上日時", "記帳日時", "仕訳日時", "日時", "posted at"),
    },
    "customer_kyc": {
        "customer_id": ("ユーザーID", "お客様番号", "user id"),
        "as_of": ("適用開始日", "有効開始日", "適用日", "変更日", "更新日", "判定日", "確認日"),
        "status": (
            "本人確認状況",
            "本人確認ステータス",
            "KYCステータス",
            "確認状況",
            "審査状況",
            "本人確認",
            "kyc status",
        ),
        "risk_rating": (
            "リスク評価",
            "リスク格付",
            "リスクランク",
            "リスク区分",
            "リスク",
            "顧客リスク",
            "risk",
            "risk rating",
        ),
    },
    "travel_rule_messages": {
        "message_id": ("通知ID", "通知番号", "メッセージID", "電文ID"),
        "transfer_id": ("移転ID", "送付ID", "取引ID", "対象取引ID", "出金入庫ID", "出金/入庫ID"),
        "direction": ("送受信区分", "送信受信", "送付受領区分", "方向", "区分"),
        "counterparty_kind": ("相手方種別", "相手方区分", "相手先種別", "移転先種別"),
        "counterparty_vasp": (
            "相手方事業者",
            "相手方事業者名",
            "相手先事業者",
            "相手方交換業者",
            "相手方VASP",
        ),
        "originator_name_present": ("送付人氏名", "送付人名", "送付人氏名有無", "依頼人氏名"),
        "originator_account_present": (
            "送付人アドレス",
            "送付人口座",
            "送付人口座番号",
            "送付人アドレス有無",
        ),
        "originator_identifier_present": (
            "送付人住所等",
            "送付人住所",
            "送付人識別情報",
            "送付人顧客識別番号",
            "送付人生年月日",
        ),
        "beneficiary_name_present": ("受取人氏名", "受取人名", "受取人氏名有無"),
        "beneficiary_account_present": (
            "受取人アドレス",
            "受取人口座",
            "受取人口座番号",
            "受取人アドレス有無",
        ),
        "sent_at": ("送信日時", "通知日時", "送受信日時", "受信日時"),
    },
    "wallet_state": {
        "as_of": ("観測日",),
        "observed_at": ("観測日時", "取得日時", "読取日時", "ブロック時刻", "確認日時"),
        "block_number": ("ブロック番号", "ブロック高", "ブロック", "block"),
        "implementation": (
            "実装",
            "実装アドレス",
            "シングルトン",
            "マスターコピー",
            "mastercopy",
            "singleton",
        ),
        "owners": ("所有者", "所有者一覧", "オーナー", "オーナー一覧", "署名者"),
        "threshold": ("閾値", "しきい値", "必要署名数", "署名閾値"),
        "modules": ("モジュール", "有効モジュール", "モジュール一覧"),
        "guard": ("ガード", "トランザクションガード"),
        "fallback_handler": (
            "フォールバックハンドラ",
            "フォールバックハンドラー",
            "フォールバック",
        ),
        "nonce": ("ノンス",),
    },
    "customer_yen_balances": {
        "customer_id": ("ユーザーID", "お客様番号", "user id"),
        "balance": ("円残高", "日本円残高", "預り金残高", "預り金", "残高円", "jpy balance"),
    },
    "yen_trust_balances": {
        "trust_account_id": ("信託口座", "信託口座ID", "信託口座番号", "口座番号"),
        "trust_bank": ("信託銀行", "受託者", "受託銀行", "信託会社"),
        "balance": ("信託元本", "信託残高", "元本残高"),
    },
    "yen_trust_movements": {
        "trust_reference": ("参照番号", "明細番号", "取引番号", "照会番号", "整理番号"),
        "trust_account_id": ("信託口座", "信託口座ID", "信託口座番号", "口座番号"),
        "direction": ("入出金区分", "入出区分", "取引区分", "区分"),
        "amount": ("入出金額",),
        "booked_on": ("勘定日", "取引日", "起算日", "日付"),
        "purpose": ("摘要", "内容", "取引内容"),
    },
    "yen_movements": {
        "movement_id": ("入出金ID", "入出金番号", "取引ID", "明細ID"),
        "customer_id": ("ユーザーID", "お客様番号", "user id"),
        "direction": ("入出金区分", "入出区分", "取引区分", "区分"),
        "amount": ("入出金額",),
        "booked_at": ("計上日時", "入出金日時", "反映日時", "処理日時", "日時"),
        "trust_account_id": ("信託口座", "信託口座ID", "信託口座番号"),
        "trust_reference": ("信託参照番号", "信託明細番号", "信託明細参照", "参照番号"),
    },
}


def dataset_words(dataset: str, column: str) -> tuple[str, ...]:
    """The header words listed for ``column`` of ``dataset`` only (none if not listed)."""
    return DATASET_HEADERS.get(dataset, {}).get(column, ())
