"""The shipped contracts: complete per the catalog spec, consistent, exportable."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kansa.cli.app import app
from kansa.contracts import get_contract, load_contracts, to_json_schema
from kansa.contracts.loader import ContractError, parse_contract
from kansa.errors import KansaError

SPEC = Path(__file__).resolve().parents[2] / "docs" / "controls-spec.md"


def _spec_table() -> dict[str, tuple[list[str], list[str]]]:
    """dataset -> (primary key, required columns) parsed from the data-model table of the spec."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    text = SPEC.read_text(encoding="utf-8")
    section = text.split("## Data model", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("dataset", "") or set(cells[0]) <= {"-"}:
            continue
        pk = [k.strip() for k in cells[1].split(",")]
        plain = re.sub(r"\([^)]*\)", "", cells[2])
        cols = [c.strip() for c in plain.split(",") if c.strip()]
        out[cells[0]] = (pk, cols)
    return out


SPEC_TABLE = _spec_table()


def test_spec_table_was_parsed() -> None:
    assert len(SPEC_TABLE) == 33
    assert SPEC_TABLE["withdrawals"][1][:2] == ["kind", "customer_id"]


@pytest.mark.parametrize("dataset", sorted(SPEC_TABLE))
def test_contract_has_spec_columns_and_key(dataset: str) -> None:
    pk, cols = SPEC_TABLE[dataset]
    c = get_contract(dataset)
    assert list(c.primary_key) == pk
    missing = [col for col in [*pk, *cols] if col not in c.column_names]
    assert not missing, f"{dataset} lacks {missing}"
    assert c.title.en and c.title.ja and c.description.en and c.description.ja
    for col in c.columns:
        assert col.description.en and col.description.ja, f"{dataset}.{col.name}"


def test_amounts_and_times_use_wide_and_zoned_types() -> None:
    for c in load_contracts().values():
        for col in c.columns:
            if col.name in ("amount", "balance"):
                assert col.duckdb_type == "DECIMAL(38,0)", f"{c.name}.{col.name}"
            if col.name.endswith("_at") or col.name in ("event_time", "action_time"):
                assert col.type == "timestamp", f"{c.name}.{col.name}"
    assert get_contract("customer_balances").column("balance").type == "signed_amount"
    assert get_contract("wallet_balances").column("balance").type == "amount"


def test_references_point_at_existing_columns() -> None:
    contracts = load_contracts()
    for c in contracts.values():
        for col, target in c.references.items():
            dataset, column = target.split(".")
            assert dataset in contracts, f"{c.name}.{col} -> {target}"
            assert column in contracts[dataset].column_names, f"{c.name}.{col} -> {target}"


def test_unknown_dataset_is_a_clear_error() -> None:
    with pytest.raises(KansaError) as exc:
        get_contract("withdrawal")
    assert "withdrawal" in exc.value.message
    assert exc.value.hint is not None and "withdrawals" in exc.value.hint


def test_bad_reference_is_rejected() -> None:
    text = (
        "name: t\nversion: 1\ntitle: {en: T, ja: T}\ndescription: {en: D, ja: D}\n"
        "references: {nope: staff.person_id}\n"
        "columns:\n  - {name: a, type: string, description: {en: A, ja: A}}\n"
    )
    with pytest.raises(ContractError, match="unknown column"):
        parse_contract(text, "t.yaml")


def _sample_row(dataset: str) -> dict[str, object]:
    """A hand-written valid row of the withdrawals contract (exercises every JSON type)."""
    assert dataset == "withdrawals"
    return {
        "withdrawal_id": "W00000001",
        "kind": "customer",
        "customer_id": "C0000001",
        "wallet_id": "BTC-HOT-1",
        "asset": "ETH",
        "destination_address": "0x" + "ab" * 20,
        "amount": "123456789012345678901234",  # wider than 64 bits
        "requested_by": None,
        "requested_at": "2026-11-20T09:00:00Z",
        "request_payload_hash": "0" * 64,
        "status": "broadcast",
    }


def test_json_schema_accepts_a_valid_row_and_rejects_bad_ones() -> None:
    schema = to_json_schema(get_contract("withdrawals"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    row = _sample_row("withdrawals")
    assert not list(validator.iter_errors(row))
    for field, bad in (
        ("amount", "-5"),
        ("kind", "refund"),
        ("request_payload_hash", "XYZ"),
        ("withdrawal_id", None),
    ):
        assert list(validator.iter_errors({**row, field: bad})), field
    missing = dict(row)
    del missing["status"]
    assert list(validator.iter_errors(missing))
    assert list(validator.iter_errors({**row, "extra": 1}))


@pytest.mark.parametrize("dataset", sorted(SPEC_TABLE))
def test_every_json_schema_is_valid_draft_2020_12(dataset: str) -> None:
    schema = to_json_schema(get_contract(dataset))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["x-primary-key"] == list(get_contract(dataset).primary_key)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=10**38 - 1))
def test_amount_schema_takes_any_38_digit_amount(value: int) -> None:
    schema = to_json_schema(get_contract("signed_transactions"))["properties"]["amount"]
    assert not list(jsonschema.Draft202012Validator(schema).iter_errors(str(value)))


runner = CliRunner()


def test_cli_lists_every_dataset_one_line_each() -> None:
    result = runner.invoke(app, ["datasets"], env={"COLUMNS": "200", "KANSA_LANG": "en"})
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 + len(load_contracts())
    assert any(ln.startswith("withdrawals ") and "withdrawal_id" in ln for ln in lines)


def test_cli_lists_titles_in_japanese() -> None:
    result = runner.invoke(app, ["datasets"], env={"COLUMNS": "200", "KANSA_LANG": "ja"})
    assert "出金依頼" in result.output


def test_cli_show_json_schema_and_json() -> None:
    out = runner.invoke(app, ["datasets", "show", "withdrawals", "--format", "json-schema"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == to_json_schema(get_contract("withdrawals"))
    out = runner.invoke(app, ["datasets", "show", "wallets", "--format", "json"])
    data = json.loads(out.output)
    assert data["name"] == "wallets"
    assert [c["name"] for c in data["columns"]] == list(get_contract("wallets").column_names)


def test_cli_show_table_names_every_column() -> None:
    out = runner.invoke(app, ["datasets", "show", "keyholders"])
    assert out.exit_code == 0, out.output
    for name in get_contract("keyholders").column_names:
        assert name in out.output


def test_cli_unknown_dataset_exits_2() -> None:
    out = runner.invoke(app, ["datasets", "show", "nope"])
    assert out.exit_code != 0
    assert isinstance(out.exception, KansaError)
