"""What a demo run is asked for, and the calendar derived from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from kansa.errors import KansaError
from kansa.i18n import tr

MIN_DAYS = 7
MAX_DAYS = 365


@dataclass(frozen=True)
class DemoParams:
    """``customers`` x ``days`` from ``start`` (UTC dates), all randomness from ``seed``."""

    customers: int = 100_000
    days: int = 30
    seed: int = 7
    start: date = date(2026, 10, 27)
    file_format: str = "parquet"

    def __post_init__(self) -> None:
        if not MIN_DAYS <= self.days <= MAX_DAYS:
            raise KansaError(
                tr(
                    f"--days must be between {MIN_DAYS} and {MAX_DAYS} (got {self.days}).",
                    f"--days は {MIN_DAYS} 以上 {MAX_DAYS} 以下です（指定値 {self.days}）。",
                )
            )
        if not 100 <= self.customers <= 100_000_000:
            raise KansaError(
                tr(
                    "--customers must be between 100 and 100,000,000.",
                    "--customers は 100 以上 1 億以下です。",
                )
            )
        if self.file_format not in ("parquet", "csv"):
            raise KansaError(tr("--format is parquet or csv.", "--format は parquet か csv です。"))

    @property
    def end(self) -> date:
        """The last day of the period (the default as-of date of a run)."""
        return self.start + timedelta(days=self.days - 1)

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def at(self, index: int, hours: float = 0.0) -> datetime:
        """UTC instant ``hours`` after midnight of day ``index`` (negative index: before start)."""
        return datetime.combine(self.day(index), time(), tzinfo=UTC) + timedelta(hours=hours)

    @property
    def period_end(self) -> datetime:
        """The first instant after the period."""
        return self.at(self.days)
