"""What a data contract says, as typed objects.

Column types (and how they are stored in the vault's Parquet):

=================  =====================  ==================================================
type               storage (DuckDB)       meaning
=================  =====================  ==================================================
``string``         VARCHAR                text
``integer``        BIGINT                 whole number (counts, sequence numbers)
``amount``         DECIMAL(38,0)          an asset's smallest unit (satoshi, wei), >= 0;
                                          38 digits hold any real wei amount (> 64 bits)
``signed_amount``  DECIMAL(38,0)          as ``amount`` but may be negative (balances)
``number``         DOUBLE                 a measured quantity (ratios, prices)
``boolean``        BOOLEAN                true/false (also 1/0, yes/no)
``date``           DATE                   calendar date, ISO 8601
``timestamp``      TIMESTAMPTZ            instant, ISO 8601 with zone; stored in UTC
=================  =====================  ==================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

COLUMN_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "amount": "DECIMAL(38,0)",
    "signed_amount": "DECIMAL(38,0)",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMPTZ",
}


@dataclass(frozen=True)
class Text:
    """A text in English and Japanese."""

    en: str
    ja: str

    def get(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: Text
    nullable: bool = False
    # An optional column may be absent from a file (and from snapshots ingested before it was
    # added): it then reads as NULL, so a contract can grow without refusing existing data.
    optional: bool = False
    unit: str | None = None
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    unique: bool = False

    @property
    def duckdb_type(self) -> str:
        return COLUMN_TYPES[self.type]

    def expected(self) -> str:
        """Plain words for what a value of this column must be (used in ingest errors)."""
        words = {
            "string": "text",
            "integer": "a whole number",
            "amount": "a non-negative whole number in the asset's smallest unit",
            "signed_amount": "a whole number in the asset's smallest unit",
            "number": "a number",
            "boolean": "true or false",
            "date": "a date YYYY-MM-DD",
            "timestamp": "a timestamp ISO 8601 with zone (e.g. 2026-11-20T09:00:00Z)",
        }[self.type]
        if self.allowed:
            words = "one of " + ", ".join(self.allowed)
        if self.pattern:
            words += f" matching {self.pattern}"
        return words


@dataclass(frozen=True)
class Contract:
    name: str
    version: int
    title: Text
    description: Text
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    references: dict[str, str] = field(default_factory=dict)
    digest: str = ""
    business_date: str | None = None

    @property
    def dated(self) -> bool:
        """Stored by business day (an ingest adds or replaces whole days), not as one table."""
        return self.business_date is not None

    def day_sql(self, expr: str, zone: str) -> str:
        """SQL for the business day of ``expr`` (a row's ``business_date`` column).

        A ``date`` column is its own day; a ``timestamp`` is an instant, whose day is the
        calendar day in the workspace's time zone ``zone`` (the one day boundary every ingest,
        control and report uses).
        """
        if self.business_date is None:
            raise ValueError(f"{self.name} has no business_date")
        if self.column(self.business_date).type == "date":
            return expr
        return f"CAST(timezone('{zone.replace(chr(39), chr(39) * 2)}', {expr}) AS DATE)"

    @property
    def version_id(self) -> str:
        """``VERSION+DIGEST12``: changes whenever the contract text changes."""
        return f"{self.version}+{self.digest[:12]}"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version_id,
            "columns": len(self.columns),
            "primary_key": list(self.primary_key),
            "business_date": self.business_date,
            "title": {"en": self.title.en, "ja": self.title.ja},
        }
