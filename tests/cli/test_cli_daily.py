"""The workspace time zone, ``kansa datasets status`` and ``kansa snapshots`` as a user types them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kansa.cli.app import main
from kansa.errors import ConfigError
from kansa.workspace import find_workspace
from kansa.workspace.clock import local_time

Kansa = Callable[..., tuple[int, str]]


@pytest.fixture
def kansa(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Kansa:
    """The real entry point in process: ``kansa(*args)`` -> exit code, stdout + stderr."""
    from kansa.cli.context import console

    # the console was made before this test; patch the field, not the property: undoing a
    # property patch would freeze the width it read (80 under capsys) for every later test
    monkeypatch.setattr(console, "_width", 200)

    def call(*args: str) -> tuple[int, str]:
        monkeypatch.setattr("sys.argv", ["kansa", *args])
        with pytest.raises(SystemExit) as info:
            main()
            raise SystemExit(0)
        out = capsys.readouterr()
        return int(info.value.code or 0), out.out + out.err

    return call


def test_init_offers_tokyo_and_keeps_utc_possible(tmp_path: Path, kansa: Kansa) -> None:
    code, out = kansa("init", str(tmp_path / "jp"))
    assert code == 0
    assert find_workspace(tmp_path / "jp").config.timezone == "Asia/Tokyo"
    code, _ = kansa("init", str(tmp_path / "utc"), "--timezone", "UTC")
    assert code == 0 and find_workspace(tmp_path / "utc").config.timezone == "UTC"
    code, out = kansa("init", str(tmp_path / "bad"), "--timezone", "Asia/Tokio")
    assert code == 2 and "not an IANA time zone" in out
    assert not (tmp_path / "bad").exists()


def test_a_misspelt_zone_in_kansa_toml_is_an_error_not_utc(tmp_path: Path, kansa: Kansa) -> None:
    kansa("init", str(tmp_path / "ws"))
    toml = tmp_path / "ws" / "kansa.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('"Asia/Tokyo"', '"Asia/Tokio"'), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"workspace\.timezone"):
        find_workspace(tmp_path / "ws")


def test_times_are_shown_in_the_workspace_zone() -> None:
    assert local_time("2026-11-20T09:30:12.5+00:00", "Asia/Tokyo") == "2026-11-20 18:30:12 +09:00"
    assert local_time("2026-11-20T09:30:12+00:00", "UTC") == "2026-11-20 09:30:12 +00:00"


def _day_file(folder: Path, day: str, rows: int) -> Path:
    path = folder / f"wb_{day}.csv"
    body = "".join(f"{day},W{i},BTC,{100 + i}\n" for i in range(rows))
    path.write_text("as_of,wallet_id,asset,balance\n" + body, encoding="utf-8")
    return path


def test_datasets_status_shows_days_gaps_rows_and_never_loaded(
    tmp_path: Path, kansa: Kansa
) -> None:
    ws = str(tmp_path / "ws")
    kansa("init", ws, "--timezone", "UTC")
    for day in ("2026-11-01", "2026-11-02", "2026-11-04"):
        assert (
            kansa("-w", ws, "ingest", "wallet_balances", str(_day_file(tmp_path, day, 3)))[0] == 0
        )
    code, out = kansa("-w", ws, "datasets", "status", "--json")
    assert code == 0
    body = json.loads(out)
    (wb,) = body["datasets"]
    assert (wb["dataset"], wb["first_day"], wb["last_day"], wb["days"]) == (
        "wallet_balances",
        "2026-11-01",
        "2026-11-04",
        3,
    )
    assert wb["gaps"] == ["2026-11-03"] and wb["rows_per_day"]["2026-11-02"] == 3
    assert wb["loads"] == 3 and "withdrawals" in body["never_loaded"]
    code, out = kansa("-w", ws, "datasets", "status")
    assert code == 0 and "2026-11-01 .. 2026-11-04 (3)" in out and "1: 2026-11-03" in out


def test_snapshots_lists_every_view_with_what_it_changed(tmp_path: Path, kansa: Kansa) -> None:
    ws = str(tmp_path / "ws")
    kansa("init", ws, "--timezone", "Asia/Tokyo")
    kansa("-w", ws, "ingest", "wallet_balances", str(_day_file(tmp_path, "2026-11-01", 2)))
    (tmp_path / "fix").mkdir()
    fix = _day_file(tmp_path / "fix", "2026-11-01", 1)
    assert kansa("-w", ws, "ingest", "wallet_balances", str(fix), "--replace")[0] == 0
    code, out = kansa("-w", ws, "snapshots", "--json")
    assert code == 0
    first, second = json.loads(out)
    assert first["days_added"] == ["2026-11-01"] and first["rows"] == 2
    assert second["days_replaced"] == [{"day": "2026-11-01", "rows_before": 2, "rows_after": 1}]
    assert second["rows"] == 1 and second["days"] == ["2026-11-01"]
    code, out = kansa("-w", ws, "snapshots")
    assert code == 0 and "+09:00" in out and "replaced 2026-11-01" in out
