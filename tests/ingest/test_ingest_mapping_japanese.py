"""Japanese exports of the customer-side, wallet-state and yen datasets map without a
hand-written mapping: ``kansa map suggest`` proposes a block that renames every column (none
dropped, no TODO), and ``kansa ingest`` then stores exactly the rows worked out by hand.

Issue 10's new-user trial: on ログインID, 顧客ID, 日時, 端末, 国, 結果 the assistant matched
only 顧客ID and proposed dropping the other five.
"""

from __future__ import annotations

import tempfile
import tomllib
import unicodedata
from pathlib import Path

import duckdb
import pytest
from exchange_exports import _csv_bytes
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from japanese_exports import EXPORTS, Export

from cli_entry import run_kansa as kansa
from kansa.contracts import get_contract, load_contracts
from kansa.ingest.dataset_headers import DATASET_HEADERS
from kansa.ingest.suggest import header_words, norm, suggest
from kansa.vault import Vault
from kansa.workspace import Workspace


def _write(export: Export, path: Path) -> Path:
    path.write_bytes(_csv_bytes(export.header, export.rows, export.encoding))
    return path


def _stored(ws: Workspace, dataset: str) -> list[tuple[str | None, ...]]:
    """The dataset's rows in the vault, every value as text (times in UTC), by primary key."""
    contract = get_contract(dataset)
    snap = Vault(ws.vault_dir).latest(dataset)
    assert snap is not None
    files = ", ".join(f"'{path}'" for path, _ in snap.files)
    columns = ", ".join(f'CAST("{c.name}" AS VARCHAR)' for c in contract.columns)
    order = ", ".join(f'"{k}"' for k in contract.primary_key)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        rows = con.execute(f"SELECT {columns} FROM read_parquet([{files}]) ORDER BY {order}")
        return [tuple(r) for r in rows.fetchall()]
    finally:
        con.close()


@pytest.mark.parametrize("dataset", sorted(EXPORTS))
def test_a_japanese_export_maps_every_column_and_loads(
    dataset: str,
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    export = EXPORTS[dataset]
    path = _write(export, tmp_path / f"{dataset}_20261101.csv")
    code, _, err = kansa(workspace, capsys, monkeypatch, "map", "suggest", dataset, str(path),
                         "--append")  # fmt: skip
    assert code == 0, err
    text = (workspace.root / "kansa.toml").read_text(encoding="utf-8")
    block = text.split(f"[mappings.{dataset}]", 1)[1]
    assert "drop" not in block and "TODO" not in block, block
    mapping = tomllib.loads(text)["mappings"][dataset]
    contract = get_contract(dataset)
    assert sorted(mapping["rename"]) == sorted(export.header)
    assert sorted(mapping["rename"].values()) == sorted(contract.column_names)
    code, _, err = kansa(workspace, capsys, monkeypatch, "ingest", dataset, str(path))
    assert code == 0, err
    assert _stored(workspace, dataset) == export.expected


def test_the_trial_header_is_proposed_word_for_word(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the reviewer of issue 10's trial should have seen: six renames, the JST format,
    the CP932 encoding and the four results, nothing to drop."""
    path = _write(EXPORTS["customer_logins"], tmp_path / "ログイン履歴.csv")
    code, out, _ = kansa(workspace, capsys, monkeypatch, "map", "suggest", "customer_logins",
                         str(path))  # fmt: skip
    assert code == 0
    for line in (
        'encoding = "cp932"',
        '"ログインID" = "login_id"',
        '"日時" = "logged_in_at"',
        '"端末" = "device_id"',
        '"国" = "ip_country"',
        '"結果" = "result"',
        'logged_in_at = ["%Y/%m/%d %H:%M:%S"]',
        '"二段階認証失敗" = "mfa_failed"',
        '"ブロック" = "blocked"',
    ):
        assert line in out, line


def test_yen_amounts_are_read_in_yen_not_left_as_a_todo(tmp_path: Path) -> None:
    """A yen column has no asset column to take decimals from; its unit is yen (JPY, no
    decimals), so the proposal reads it in yen instead of leaving a TODO."""
    export = EXPORTS["yen_movements"]
    proposal = suggest(get_contract("yen_movements"), _write(export, tmp_path / "m.csv"))
    assert proposal.amounts == {"amount": '{ asset = "JPY" }'}
    deposits = suggest(get_contract("deposits"), _write(EXPORTS["deposits"], tmp_path / "d.csv"))
    assert deposits.amounts == {"amount": '{ asset_column = "asset" }'}


def test_no_header_word_names_two_columns_of_one_contract() -> None:
    """A word listed for two columns of one contract would be matched by column order."""
    for contract in load_contracts().values():
        seen: dict[str, str] = {}
        for col in contract.columns:
            for word in {norm(col.name), *map(norm, header_words(contract.name, col.name))}:
                assert seen.setdefault(word, col.name) == col.name, (contract.name, word)


def test_dataset_words_name_real_contracts_and_columns() -> None:
    contracts = load_contracts()
    for dataset, columns in DATASET_HEADERS.items():
        assert dataset in contracts
        assert set(columns) <= set(contracts[dataset].column_names), dataset
    assert set(EXPORTS) <= set(DATASET_HEADERS)


# -- the same headers as people type them ---------------------------------------------------

_HALF_KANA = {
    unicodedata.normalize("NFKC", chr(c)): chr(c)
    for c in range(0xFF61, 0xFFA0)
    if len(unicodedata.normalize("NFKC", chr(c))) == 1
}


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _half_width_kana(text: str) -> str:
    return "".join(_HALF_KANA.get(c, c) for c in unicodedata.normalize("NFD", text))


STYLES = {
    "as is": lambda h: h,
    "spaces": lambda h: f" {h}\u3000",
    "full-width ASCII": _full_width,
    "half-width kana": _half_width_kana,
}


def _cases(dataset: str) -> st.SearchStrategy[tuple[str, list[int], list[str]]]:
    n = len(EXPORTS[dataset].header)
    return st.tuples(
        st.just(dataset),
        st.permutations(range(n)),
        st.lists(st.sampled_from(sorted(STYLES)), min_size=n, max_size=n),
    )


TRIAL_HALF_WIDTH = ("customer_logins", list(range(6)), ["half-width kana"] * 6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(sorted(EXPORTS)).flatmap(_cases))
@example(case=TRIAL_HALF_WIDTH)
def test_header_order_spaces_and_widths_do_not_change_the_match(
    case: tuple[str, list[int], list[str]],
) -> None:
    """Columns in another order, headers padded with (ideographic) spaces, typed in full-width
    ASCII (ＩＤ) or half-width katakana (ﾛｸﾞｲﾝID): the same columns are found."""
    dataset, order, styles = case
    export = EXPORTS[dataset]
    header = [STYLES[styles[i]](export.header[i]) for i in order]
    rows = [[row[i] for i in order] for row in export.rows]
    contract = get_contract(dataset)
    with tempfile.TemporaryDirectory() as tmp:
        typed = suggest(contract, _write(Export(header, rows, []), Path(tmp) / "typed.csv"),
                        timezone_known=True)  # fmt: skip
        plain = suggest(contract, _write(export, Path(tmp) / "plain.csv"), timezone_known=True)
    assert typed.drop == [] and typed.missing == []
    assert {h: typed.rename[h] for h in header} == {
        STYLES[styles[i]](export.header[i]): plain.rename[export.header[i]] for i in order
    }
    assert typed.values == plain.values and typed.formats == plain.formats


def test_a_flag_seen_one_way_is_mapped_both_ways(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sample held only yes words for the originator's name (有, ○, あり); the next day's
    export has 無, × and なし. The proposal maps both words of each pair, so that day loads
    without editing the mapping."""
    export = EXPORTS["travel_rule_messages"]
    first = _write(export, tmp_path / "通知_1101.csv")
    kansa(workspace, capsys, monkeypatch, "map", "suggest", "travel_rule_messages", str(first),
          "--append")  # fmt: skip
    mapping = tomllib.loads((workspace.root / "kansa.toml").read_text(encoding="utf-8"))
    names = mapping["mappings"]["travel_rule_messages"]["values"]["originator_name_present"]
    assert names == {"有": "true", "○": "true", "あり": "true", "無": "false", "×": "false",
                     "なし": "false"}  # fmt: skip
    next_day = [["T4", "W3", "送信", "事業者", "Example VASP K.K.", "無", "×", "なし", "無", "有",
                 "2026/11/02 10:00:00"]]  # fmt: skip
    second = tmp_path / "通知_1102.csv"
    second.write_bytes(_csv_bytes(export.header, next_day, export.encoding))
    code, _, err = kansa(workspace, capsys, monkeypatch, "ingest", "travel_rule_messages",
                         str(second))  # fmt: skip
    assert code == 0, err
    flags = _stored(workspace, "travel_rule_messages")[-1][5:10]
    assert flags == ("false", "false", "false", "false", "true")
