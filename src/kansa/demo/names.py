"""Pseudonymous Japanese names, departments and (fictional) vendors for the demo roster.

Names are drawn from common surnames and given names; any resemblance to a real person is the
nature of common names. Vendor companies are invented.
"""

from __future__ import annotations

import random

SURNAMES = (
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤",
    "吉田", "山田", "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水",
    "山崎", "森", "池田", "橋本", "阿部", "石川", "山下", "中島", "石井", "小川",
    "前田", "岡田", "長谷川", "藤田", "後藤", "近藤", "村上", "遠藤", "青木", "坂本",
)  # fmt: skip
GIVEN_NAMES = (
    "翔太", "大輔", "健太", "拓也", "直樹", "亮", "誠", "学", "剛", "隆",
    "陽菜", "結衣", "美咲", "彩", "愛", "真由美", "恵", "裕子", "智子", "由美",
    "蓮", "湊", "悠真", "大和", "陽向", "花子", "葵", "凛", "咲良", "楓",
)  # fmt: skip

# department key -> Japanese name shown in the roster
DEPARTMENTS = {
    "executive": "経営企画部",
    "treasury": "財務・カストディ部",
    "custody": "カストディ運用課",
    "asset_control": "顧客資産管理部",
    "systems": "システム運用部",
    "development": "システム開発部",
    "infosec": "情報セキュリティ部",
    "system_risk": "システムリスク管理部",
    "compliance": "コンプライアンス部",
    "audit": "内部監査部",
    "hr": "人事部",
    "support": "カスタマーサポート部",
}

WALLET_VENDOR = "星ウォレットテック株式会社"  # fictional wallet-software vendor
CLOUD_VENDOR = "桜クラウドオペレーションズ株式会社"  # fictional managed cloud operations
STAFFING_AGENCY = "青葉テクノスタッフ株式会社"  # fictional contractor agency


def person_name(rng: random.Random) -> str:
    """A pseudonymous name, surname first as written in Japan."""
    return f"{rng.choice(SURNAMES)} {rng.choice(GIVEN_NAMES)}"
