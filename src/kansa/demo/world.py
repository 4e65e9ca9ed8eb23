"""The demo exchange being built: small tables as records, plus the facts generators share.

Generators append rows (dicts keyed by contract column names) to ``world.tables[dataset]``.
Scenarios keep references to the rows they seed; keys are read when the ground truth is
written, after ids such as per-host event numbers have been assigned.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kansa.demo.params import DemoParams

Row = dict[str, Any]


@dataclass
class Person:
    """One person on the roster and what the generators need to know about them."""

    person_id: str
    team: str
    row: Row
    laptop: str = ""
    accounts: dict[str, str] = field(default_factory=dict)  # system -> account_id
    roles: list[str] = field(default_factory=list)

    @property
    def hired_on(self) -> date:
        return self.row["hired_on"]

    @property
    def left_on(self) -> date | None:
        return self.row["left_on"]

    def active_on(self, day: date) -> bool:
        return self.hired_on <= day and (self.left_on is None or day < self.left_on)


@dataclass
class Violation:
    """A seeded break: ``control`` flags the row, identified by ``key_columns`` of ``row``."""

    control: str
    row: Row
    key_columns: tuple[str, ...]
    rename: dict[str, str] = field(default_factory=dict)

    def key(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for col in self.key_columns:
            value = self.row[col]
            text = value.isoformat() if isinstance(value, date | datetime) else str(value)
            out[self.rename.get(col, col)] = text
        return out


@dataclass
class ScenarioRecord:
    id: str
    title_en: str
    title_ja: str
    violations: list[Violation] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        pairs = sorted(
            {(v.control, tuple(sorted(v.key().items()))) for v in self.violations},
        )
        return {
            "id": self.id,
            "title": {"en": self.title_en, "ja": self.title_ja},
            "violations": [{"control": c, "key": dict(k)} for c, k in pairs],
        }


@dataclass
class World:
    params: DemoParams
    tables: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    people: list[Person] = field(default_factory=list)
    scenarios: list[ScenarioRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # person_ids whose phishing clicks are never remediated / who must click (scenarios)
    no_remediation: set[str] = field(default_factory=set)
    must_click: set[str] = field(default_factory=set)
    # person_ids kept out of the generated approval and signing flows (scenario actors)
    bystanders: set[str] = field(default_factory=set)
    counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    shared: dict[str, Any] = field(default_factory=dict)

    def next_id(self, prefix: str, width: int = 6) -> str:
        """``PREFIX000001``, ``PREFIX000002``...: deterministic in generation order."""
        self.counters[prefix] += 1
        return f"{prefix}{self.counters[prefix]:0{width}d}"

    def team(self, name: str) -> list[Person]:
        return [p for p in self.people if p.team == name]

    def person(self, person_id: str) -> Person:
        for p in self.people:
            if p.person_id == person_id:
                return p
        raise KeyError(person_id)

    def add(self, dataset: str, row: Row) -> Row:
        self.tables[dataset].append(row)
        return row
