"""``[pipeline]`` in kansa.toml: where new files arrive and what the daily run writes.

```toml
[pipeline]
drop = "drop"                    # folder new exports are written to (relative: to the workspace)
processed = "drop/processed"     # ingested files are moved here, by day (default)
report_format = "html"           # html | pdf | xlsx
report_dir = "reports"           # report-<as of>.<format>
controls = "CUS-*,WDR-*"         # optional: the controls to run (default: all)
[pipeline.patterns]              # dataset -> file name pattern (glob) in the drop folder
withdrawals = "withdrawals_*.csv"
wallet_balances = "balances_*.csv"
```
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kansa.contracts import get_contract
from kansa.errors import ConfigError
from kansa.i18n import tr
from kansa.workspace import Workspace

REPORT_FORMATS = ("html", "pdf", "xlsx")
_KEYS = {"drop", "processed", "report_format", "report_dir", "controls", "patterns"}


@dataclass(frozen=True)
class PipelineConfig:
    drop: Path
    processed: Path
    patterns: dict[str, str]
    report_format: str = "html"
    report_dir: Path = Path("reports")
    controls: str | None = None


def _text(section: dict[str, Any], key: str, default: str | None) -> str | None:
    value = section.get(key, default)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError(
            tr(
                f"kansa.toml: pipeline.{key} must be a non-empty string, not {value!r}.",
                f"kansa.toml: pipeline.{key} は空でない文字列で指定してください（{value!r}）。",
            )
        )
    return value


def pipeline_config(ws: Workspace) -> PipelineConfig:
    """The checked ``[pipeline]`` section; a missing or wrong one names the key to fix."""
    section = ws.config.raw.get("pipeline")
    if not isinstance(section, dict):
        raise ConfigError(
            tr("kansa.toml has no [pipeline] section.", "kansa.toml に [pipeline] がありません。"),
            hint=tr(
                'Add [pipeline] with drop = "drop" and [pipeline.patterns]; see docs/daily.md.',
                '[pipeline]（drop = "drop"）と [pipeline.patterns] を追加してください'
                "（docs/daily.md）。",
            ),
        )
    unknown = sorted(set(section) - _KEYS)
    if unknown:
        raise ConfigError(
            tr(
                f"kansa.toml: [pipeline] has unknown keys {unknown}; known: {sorted(_KEYS)}.",
                f"kansa.toml: [pipeline] に不明なキー {unknown}。既知: {sorted(_KEYS)}",
            )
        )
    patterns = section.get("patterns", {})
    if not isinstance(patterns, dict) or not patterns:
        raise ConfigError(
            tr(
                "kansa.toml: [pipeline.patterns] must map datasets to file name patterns.",
                "kansa.toml: [pipeline.patterns] にデータセットとファイル名パターンを指定してください。",
            ),
            hint='withdrawals = "withdrawals_*.csv"',
        )
    for dataset, pattern in patterns.items():
        get_contract(dataset)  # an unknown dataset is an error, with "did you mean"
        if not isinstance(pattern, str) or not pattern.strip() or "/" in pattern:
            raise ConfigError(
                tr(
                    f"kansa.toml: pipeline.patterns.{dataset} must be a file name pattern "
                    f"such as 'withdrawals_*.csv', not {pattern!r}.",
                    f"kansa.toml: pipeline.patterns.{dataset} は 'withdrawals_*.csv' のような"
                    f"ファイル名パターンで指定してください（{pattern!r}）。",
                )
            )
    fmt = _text(section, "report_format", "html")
    if fmt not in REPORT_FORMATS:
        raise ConfigError(
            tr(
                f"kansa.toml: pipeline.report_format must be one of {REPORT_FORMATS}, not {fmt!r}.",
                f"kansa.toml: pipeline.report_format は {REPORT_FORMATS} のいずれかです（{fmt!r}）。",
            )
        )
    drop = ws.resolve(str(_text(section, "drop", None) or "drop"))
    processed = _text(section, "processed", None)
    return PipelineConfig(
        drop=drop,
        processed=ws.resolve(processed) if processed else drop / "processed",
        patterns={str(k): str(v) for k, v in patterns.items()},
        report_format=str(fmt),
        report_dir=ws.resolve(str(_text(section, "report_dir", "reports"))),
        controls=_text(section, "controls", None),
    )
