"""Precision and recall of a run against a demo's ground truth.

Ground truth (``ground_truth.json``, docs/controls-spec.md) lists ``(control, key)`` pairs; a run
gives, per control, its exception rows projected on the control's key columns. Both sides are
compared as sets of ``(control, frozenset(key items))`` with every value a string: dates ISO
``YYYY-MM-DD``, whole numbers as decimal strings (see :func:`key_string`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa

KeyItems = frozenset[tuple[str, str]]


def key_string(value: Any) -> str:
    """A key value as the ground truth writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def exception_keys(table: pa.Table, key: Sequence[str]) -> list[dict[str, str]]:
    """The exception rows of a control projected on its key columns, as strings."""
    missing = [k for k in key if k not in table.column_names]
    if missing:
        raise KeyError(f"exception rows lack key columns {missing}")
    columns = [table.column(k).to_pylist() for k in key]
    return [
        {k: key_string(v) for k, v in zip(key, values, strict=True)}
        for values in zip(*columns, strict=True)
    ]


def _items(key: Mapping[str, Any]) -> KeyItems:
    return frozenset((str(k), v if isinstance(v, str) else key_string(v)) for k, v in key.items())


@dataclass(frozen=True)
class ControlScore:
    control: str
    tp: int
    fp: int
    fn: int
    missed: list[dict[str, str]] = field(default_factory=list)
    extra: list[dict[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Share of flagged records that are real violations (1.0 when nothing was flagged)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of real violations that were flagged (1.0 when there were none)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "control": self.control,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "missed": self.missed,
            "extra": self.extra,
        }


@dataclass(frozen=True)
class Score:
    overall: ControlScore
    per_control: dict[str, ControlScore]

    @property
    def precision(self) -> float:
        return self.overall.precision

    @property
    def recall(self) -> float:
        return self.overall.recall

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "tp": self.overall.tp,
            "fp": self.overall.fp,
            "fn": self.overall.fn,
            "controls": {cid: s.as_dict() for cid, s in self.per_control.items()},
        }


def truth_pairs(ground_truth: Mapping[str, Any]) -> dict[str, set[KeyItems]]:
    """Control id -> set of keys, over every scenario of a ground-truth document."""
    out: dict[str, set[KeyItems]] = {}
    for scenario in ground_truth.get("scenarios", []):
        for violation in scenario.get("violations", []):
            out.setdefault(str(violation["control"]), set()).add(_items(violation["key"]))
    return out


def score(
    ground_truth: Mapping[str, Any], exceptions: Mapping[str, Iterable[Mapping[str, Any]]]
) -> Score:
    """Compare a run's exception keys (control id -> key dicts) with the ground truth.

    A control in the ground truth but absent from ``exceptions`` counts as all missed; a control
    in ``exceptions`` but not in the ground truth counts its rows as false positives.
    """
    truth = truth_pairs(ground_truth)
    found = {cid: {_items(k) for k in keys} for cid, keys in exceptions.items()}
    per: dict[str, ControlScore] = {}
    for cid in sorted(set(truth) | set(found)):
        expected, got = truth.get(cid, set()), found.get(cid, set())
        per[cid] = ControlScore(
            control=cid,
            tp=len(expected & got),
            fp=len(got - expected),
            fn=len(expected - got),
            missed=sorted((dict(k) for k in expected - got), key=_sort_key),
            extra=sorted((dict(k) for k in got - expected), key=_sort_key),
        )
    overall = ControlScore(
        control="*",
        tp=sum(s.tp for s in per.values()),
        fp=sum(s.fp for s in per.values()),
        fn=sum(s.fn for s in per.values()),
    )
    return Score(overall=overall, per_control=per)


def _sort_key(key: Mapping[str, str]) -> list[tuple[str, str]]:
    return sorted(key.items())
