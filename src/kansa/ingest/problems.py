"""What is wrong with a file, said precisely: file, line, column, value and what was expected.

An ingest collects at most :data:`MAX_REPORTED` problems (the first ones in file order) and counts
the rest, so a file with a million bad rows still gives a short, useful answer. Whatever comes
from the file is cut when a :class:`Problem` is made (a column name to
:data:`MAX_NAME_CHARS`, a value to :data:`MAX_VALUE_CHARS` when shown, the explanation to
:data:`MAX_MESSAGE_CHARS`): a 128 MB column name or value is never rendered, so an error
message has a fixed maximum size whatever the input.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from kansa.errors import KansaError
from kansa.i18n import tr

MAX_REPORTED = 50
MAX_VALUE_CHARS = 60
MAX_NAME_CHARS = 200
MAX_MESSAGE_CHARS = 500


def clip(value: str | None, limit: int = MAX_VALUE_CHARS) -> str | None:
    """Shorten a shown value (errors name the value, they do not dump it)."""
    if value is None or len(value) <= limit:
        return value
    return value[: limit - 1] + "…"


def clip_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """Shorten a message that may quote the file (e.g. DuckDB's first line of an error)."""
    return clip(text, limit) or ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input.

    ``line`` is the physical line in the file (1-based, counting the header and any newlines
    inside quoted fields); ``row`` is the data record number (1-based) when lines do not apply
    (Parquet) or cannot be known. Both are ``None`` for a file-level problem.
    """

    file: str
    line: int | None
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __post_init__(self) -> None:
        # the value is kept at up to 200 characters (the SQL fetches no more) and cut to 60
        # when shown; a name or message quoting the file is cut here, once for every renderer
        object.__setattr__(self, "column", clip(self.column, MAX_NAME_CHARS))
        object.__setattr__(self, "value", clip(self.value, 4 * MAX_VALUE_CHARS))
        object.__setattr__(self, "expected", clip_message(self.expected))
        object.__setattr__(self, "file", clip_message(self.file, MAX_NAME_CHARS))

    def where(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(tr(f"line {self.line}", f"{self.line}行目"))
        elif self.row is not None:
            parts.append(tr(f"row {self.row}", f"{self.row}件目"))
        if self.column is not None:
            parts.append(tr(f"column {self.column}", f"列 {self.column}"))
        return ", ".join(parts)

    def describe(self) -> str:
        if self.value is None and self.column is None:
            return f"{self.where()}: {self.expected}"
        got = tr("empty", "空") if self.value is None else repr(clip(self.value))
        return tr(
            f"{self.where()}: {got}; expected {self.expected}",
            f"{self.where()}: {got}（期待: {self.expected}）",
        )

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["value"] = clip(self.value)
        return d


class InvalidData(KansaError):
    """The input breaks its contract; nothing was changed. Exit code 1."""

    exit_code = 1

    def __init__(self, file: str, problems: list[Problem], total: int | None = None) -> None:
        self.file = file
        self.problems = sorted(problems, key=_order)[:MAX_REPORTED]
        self.total = max(total if total is not None else len(problems), len(self.problems))
        super().__init__(self._message(), hint=_hint())

    def _message(self) -> str:
        head = tr(
            f"{self.file}: {self.total} problem(s); nothing was ingested.",
            f"{self.file}: 問題 {self.total} 件。取り込みは行っていません。",
        )
        lines = [head, *("  " + p.describe() for p in self.problems)]
        rest = self.total - len(self.problems)
        if rest > 0:
            lines.append(tr(f"  ... and {rest} more", f"  ... ほか {rest} 件"))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": False,
            "file": self.file,
            "total": self.total,
            "shown": len(self.problems),
            "problems": [p.to_json() for p in self.problems],
        }


def _order(p: Problem) -> tuple[int, int, str]:
    return (p.line or p.row or 0, p.row or 0, p.column or "")


def _hint() -> str:
    return tr(
        "Fix the file (or map it in kansa.toml mappings.DATASET) and ingest it again.",
        "ファイルを修正する（または kansa.toml の mappings.DATASET で対応付ける）か、再度取り込んでください。",
    )


def file_problem(file: str, expected: str, *, line: int | None = None) -> InvalidData:
    """An error about the file as a whole (or one line of it, with no column)."""
    return InvalidData(file, [Problem(file, line, None, None, None, expected)])
