"""``kansa map suggest``: propose a ``[mappings.DATASET]`` block from a file's header and rows.

What it proposes, for a person to review (nothing is written to the workspace):

* ``rename`` from header names matched to contract columns: by the column's name, its English
  and Japanese descriptions and common export words (:mod:`kansa.ingest.synonyms`, and
  :mod:`kansa.ingest.dataset_headers` for words that mean a column of one dataset only);
* ``long`` when numbered columns (``承認者1``, ``承認者2``...) match contract columns the rest of
  the header lacks, with a ``templates`` key for an unmatched primary key;
* ``formats`` from the formats the sampled dates and times are written in, ``timezone`` when they
  carry no offset and the workspace has no zone;
* ``amounts`` when amounts are written with decimals, separators or currency signs (in yen for
  a column whose unit is yen);
* ``values`` for columns with allowed values: the words it knows, the values already allowed,
  and, commented out, each value it cannot place (a commented value stays unmapped: an ingest
  refuses it until someone decides);
* ``encoding``, ``delimiter``, ``sheet``, ``member`` as detected; ``drop`` for the rest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kansa.contracts import Column, Contract
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.ingest.checks import DATE_RE, FALSE_WORDS, NAIVE_TS_RE, TRUE_WORDS, ZONED_TS_RE
from kansa.ingest.dataset_headers import dataset_words
from kansa.ingest.sample import Sample, read_sample
from kansa.ingest.synonyms import HEADERS, OPPOSITES, VALUES

DATE_FORMATS = ("ISO", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d", "%Y.%m.%d")
TIME_FORMATS = (
    "ISO",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S.%f",
    "%Y年%m月%d日 %H時%M分%S秒",
    "%Y年%m月%d日 %H時%M分",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y%m%d%H%M%S",
)
MAX_VALUES = 40
_WIDE = re.compile(r"^(.*?\D)[_\- ]?([0-9]{1,2})$")
_AMOUNT_SIGNS = set(".,¥￥\\円△▲")


def norm(text: str) -> str:
    """Compare header names the way people read them: width, case, spaces, separators."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s_\-・/()（）]", "", folded)


def header_words(dataset: str, column: str) -> tuple[str, ...]:
    """The export words that name ``column`` of ``dataset``: the shared ones and the dataset's."""
    return HEADERS.get(column, ()) + dataset_words(dataset, column)


def _names(col: Column, dataset: str) -> tuple[set[str], set[str]]:
    strong = {norm(col.name), *(norm(w) for w in header_words(dataset, col.name))}
    weak = {norm(col.description.en), norm(col.description.ja)}
    return strong, weak


def _score(header: str, col: Column, dataset: str) -> int:
    h = norm(header)
    strong, weak = _names(col, dataset)
    if h in strong:
        return 3
    if h in weak:
        return 2
    return 0


def _match(headers: list[str], columns: list[Column], dataset: str) -> dict[str, str]:
    """Header -> contract column of ``dataset``, best matches first, each used once."""
    pairs = sorted(
        ((_score(h, c, dataset), i, h, c.name) for i, h in enumerate(headers) for c in columns),
        key=lambda p: (-p[0], p[1]),
    )
    out: dict[str, str] = {}
    taken: set[str] = set()
    for score, _, h, name in pairs:
        if score and h not in out and name not in taken:
            out[h] = name
            taken.add(name)
    return out


@dataclass
class Proposal:
    """A proposed mapping, rendered by :meth:`toml`."""

    dataset: str
    source: str
    sample: Sample
    rename: dict[str, str] = field(default_factory=dict)
    drop: list[str] = field(default_factory=list)
    formats: dict[str, list[str]] = field(default_factory=dict)
    unparsed: dict[str, list[str]] = field(default_factory=dict)
    amounts: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    unknown_values: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    long: dict[str, str] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    missing: list[Column] = field(default_factory=list)
    timezone: str | None = None
    skipped: list[str] = field(default_factory=list)

    def toml(self, contract: Contract) -> str:
        return _render(self, contract)


def suggest(
    contract: Contract,
    path: Path,
    *,
    sheet: str | None = None,
    member: str | None = None,
    timezone_known: bool = False,
    also: tuple[Path, ...] = (),
) -> Proposal:
    """The proposal for the table in ``path`` (the sheet or zip member that fits best); the
    rows of ``also`` (more exports of the same layout) join the sample."""
    columns = list(contract.columns)
    sample = _best(path, contract, sheet, member)
    skipped: list[str] = []
    for more in also:
        other = _best(more, contract, sheet, member)
        if other.header == sample.header:
            sample = dataclasses.replace(sample, rows=sample.rows + other.rows)
        else:
            skipped.append(more.name)
    p = Proposal(contract.name, path.name, sample, skipped=skipped)
    wide = _wide_families(sample.header)
    long_sources = _long_form(p, wide, contract)
    long_targets = set(long_sources)
    in_long = {h for headers in long_sources.values() for h in headers}
    plain = [h for h in sample.header if h not in in_long]
    matched = _match(plain, [c for c in columns if c.name not in long_targets], contract.name)
    p.rename = {h: c for h, c in matched.items() if h != c}
    present = set(matched.values()) | set(long_targets)
    _templates(p, contract, present)
    present |= set(p.templates)
    used_by_templates = {m for t in p.templates.values() for m in re.findall(r"{([^}]*)}", t)}
    p.drop = _drop(plain, matched, wide, used_by_templates)
    p.missing = [c for c in columns if c.name not in present]
    for col in columns:
        if col.name not in present or col.name in p.templates:
            continue
        values = _values_of(sample, col.name, matched, long_sources)
        _propose_for(p, col, values, present, timezone_known)
    return p


def _best(path: Path, contract: Contract, sheet: str | None, member: str | None) -> Sample:
    samples = list(read_sample(path, sheet=sheet, member=member))
    if not samples:
        raise KansaError(tr(f"{path.name}: no table found.", f"{path.name}: 表が見つかりません。"))
    columns = list(contract.columns)
    best = max(samples, key=lambda s: len(_match(s.header, columns, contract.name)))
    if best.member is not None and member is None:
        members = [s.member for s in samples]
        pattern = re.sub(r"[0-9]+", "*", best.member)
        if sum(fnmatch.fnmatchcase(m or "", pattern) for m in members) == 1:
            best = dataclasses.replace(best, member=pattern)
    return best


def _wide_families(header: list[str]) -> dict[str, dict[int, str]]:
    """Stem -> {n: header} for numbered columns that come at least twice."""
    found: dict[str, dict[int, str]] = {}
    for h in header:
        m = _WIDE.match(h)
        if m:
            found.setdefault(m[1], {})[int(m[2])] = h
    return {stem: by_n for stem, by_n in found.items() if len(by_n) >= 2}


def _long_form(
    p: Proposal, wide: dict[str, dict[int, str]], contract: Contract
) -> dict[str, list[str]]:
    """Numbered families whose stems match contract columns become ``long``; returns each
    target column's source headers."""
    sources: dict[str, list[str]] = {}
    for stem, target in _match(list(wide), list(contract.columns), contract.name).items():
        n, name = min(wide[stem].items())
        p.long[name[: len(name) - len(str(n))] + "{n}"] = target
        sources[target] = list(wide[stem].values())
    return sources


def _templates(p: Proposal, contract: Contract, present: set[str]) -> None:
    """In long form, an unmatched one-column primary key: the row's id and its number."""
    if not p.long or len(contract.primary_key) != 1 or contract.primary_key[0] in present:
        return
    ids = [c for c in p.rename.values() if c.endswith("_id") and c != contract.primary_key[0]]
    plain_ids = [h for h in p.sample.header if h.endswith("_id") and h in contract.column_names]
    parents = ids or plain_ids
    if parents:
        p.templates[contract.primary_key[0]] = "{" + parents[0] + "}-{n}"


def _drop(
    plain: list[str], matched: dict[str, str], wide: dict[str, dict[int, str]], used: set[str]
) -> list[str]:
    """Headers nothing uses; a numbered family as one pattern (``承認者*``) when that pattern
    cannot catch a kept column."""
    kept = [h for h in plain if h in matched or h in used]
    drop: list[str] = []
    for h in plain:
        if h in kept:
            continue
        stem = next((s for s, by_n in wide.items() if h in by_n.values()), None)
        if stem is not None and not any(k.startswith(stem) for k in kept):
            if stem + "*" not in drop:
                drop.append(stem + "*")
        else:
            drop.append(h)
    return drop


def _values_of(
    sample: Sample, name: str, matched: dict[str, str], long_sources: dict[str, list[str]]
) -> list[str]:
    """The sampled non-empty values of contract column ``name`` (all numbers of a family)."""
    headers = long_sources.get(name) or [h for h, c in matched.items() if c == name]
    return [v for h in headers for v in sample.column(h) if v.strip()]


def _propose_for(
    p: Proposal, col: Column, values: list[str], present: set[str], timezone_known: bool
) -> None:
    if col.type in ("date", "timestamp"):
        _formats(p, col, values, timezone_known)
    elif col.type in ("amount", "signed_amount"):
        if any(set(unicodedata.normalize("NFKC", v)) & _AMOUNT_SIGNS for v in values):
            p.amounts[col.name] = _amount_spec(col, present)
    elif col.allowed or col.type == "boolean":
        _value_map(p, col, values)


def _amount_spec(col: Column, present: set[str]) -> str:
    """How to read an amount written as people write it: in yen for a yen column (JPY has no
    decimals), else by the row's asset; a TODO when neither is known."""
    if col.unit == "yen":
        return '{ asset = "JPY" }'
    return '{ asset_column = "asset" }' if "asset" in present else "{ decimals = 0 }  # TODO"


def _parses(value: str, fmt: str, kind: str) -> bool:
    v = unicodedata.normalize("NFKC", value).strip()
    if fmt == "ISO":
        if kind == "date":
            return re.fullmatch(DATE_RE, v) is not None
        return re.fullmatch(ZONED_TS_RE, v) is not None or re.fullmatch(NAIVE_TS_RE, v) is not None
    try:
        parsed = dt.datetime.strptime(v, fmt)
    except ValueError:
        return False
    return kind != "date" or parsed.time() == dt.time()


def _formats(p: Proposal, col: Column, values: list[str], timezone_known: bool) -> None:
    candidates = DATE_FORMATS if col.type == "date" else TIME_FORMATS
    used: list[str] = []
    unparsed: list[str] = []
    for v in values:
        fmt = next((f for f in candidates if _parses(v, f, col.type)), None)
        if fmt is None:
            if v not in unparsed:
                unparsed.append(v)
        elif fmt not in used:
            used.append(fmt)
    if used and used != ["ISO"]:
        p.formats[col.name] = [f for f in candidates if f in used]
    if unparsed:
        p.unparsed[col.name] = unparsed[:5]
    naive = any(
        re.fullmatch(ZONED_TS_RE, unicodedata.normalize("NFKC", v).strip()) is None for v in values
    )
    if col.type == "timestamp" and naive and values and not timezone_known:
        p.timezone = "Asia/Tokyo"


def _value_map(p: Proposal, col: Column, values: list[str]) -> None:
    allowed = list(col.allowed or (TRUE_WORDS + FALSE_WORDS))
    counts = Counter(v.strip() for v in values)
    if all(v in allowed or v.lower() in allowed for v in counts):
        return
    table: dict[str, str] = {}
    unknown: list[tuple[str, int]] = []
    for v, n in counts.most_common(MAX_VALUES):
        target = _known(v, allowed)
        if target is None:
            unknown.append((v, n))
        else:
            table[v] = target
    if col.type == "boolean":
        _add_opposites(table)
    p.values[col.name] = table
    if unknown:
        p.unknown_values[col.name] = unknown


def _add_opposites(table: dict[str, str]) -> None:
    """Each yes/no word of a flag with its opposite (有 with 無), so that the next day's export
    does not stop on the word the sample happened not to hold."""
    for word, target in list(table.items()):
        other = OPPOSITES.get(word)
        if other is not None and other not in table and target in ("true", "false"):
            table[other] = "false" if target == "true" else "true"


def _known(value: str, allowed: list[str]) -> str | None:
    if value in allowed:
        return value
    if value.lower() in allowed:
        return value.lower()
    for word in (value, unicodedata.normalize("NFKC", value), value.upper()):
        for target in VALUES.get(word, ()):
            if target in allowed:
                return target
    return None


# -- rendering --------------------------------------------------------------------------------


def _q(text: str) -> str:
    """A TOML basic string (JSON's escaping is valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


def _render(p: Proposal, contract: Contract) -> str:
    head = f"mappings.{p.dataset}"
    s = p.sample
    lines = [
        f"# Proposed by: kansa map suggest {p.dataset} {p.source}",
        f"# Review every line, then check with: kansa map check {p.dataset} {p.source}",
        f"[{head}]",
    ]
    lines[2:2] = [
        f"# {name}: another header; not sampled (map it separately)" for name in p.skipped
    ]
    if s.encoding:
        lines.append(f"encoding = {_q(s.encoding)}")
    if s.delimiter != ",":
        lines.append(f"delimiter = {_q(s.delimiter)}")
    if s.sheet:
        lines.append(f"sheet = {_q(s.sheet)}")
    if s.member:
        lines.append(f"member = {_q(s.member)}")
    if p.timezone:
        lines.append(f"timezone = {_q(p.timezone)}  # the times carry no offset: check this zone")
    if p.drop:
        lines.append(f"drop = [{', '.join(_q(d) for d in p.drop)}]")
    for col in p.missing:
        if col.optional:
            continue  # may be left out of the file
        need = "required" if not col.nullable else "optional, but the column must exist"
        lines.append(
            f"# TODO {col.name} ({need}; {col.description.en} / {col.description.ja}): "
            "not found in the file; rename a column to it or set constants"
        )
    if p.rename:
        lines += ["", f"[{head}.rename]"] + [f"{_q(h)} = {_q(c)}" for h, c in p.rename.items()]
    if p.formats or p.unparsed:
        lines += ["", f"[{head}.formats]"]
        for col_name, fmts in p.formats.items():
            lines.append(f"{col_name} = [{', '.join(_q(f) for f in fmts)}]")
        for col_name, examples in p.unparsed.items():
            shown = ", ".join(_q(e) for e in examples)
            lines.append(f"# TODO {col_name}: no known format reads {shown}")
    if p.amounts:
        lines += ["", f"[{head}.amounts]"] + [f"{c} = {spec}" for c, spec in p.amounts.items()]
    if p.templates:
        lines += ["", f"[{head}.templates]"] + [f"{c} = {_q(t)}" for c, t in p.templates.items()]
    if p.long:
        lines += ["", f"[{head}.long]", 'index = "n"', f"[{head}.long.columns]"]
        lines += [f"{_q(pattern)} = {_q(target)}" for pattern, target in p.long.items()]
    for col_name, table in p.values.items():
        allowed = contract.column(col_name).allowed or ("true", "false")
        lines += ["", f"[{head}.values.{col_name}]"]
        lines += [f"{_q(raw)} = {_q(out)}" for raw, out in table.items()]
        for raw, n in p.unknown_values.get(col_name, []):
            lines.append(f'# {_q(raw)} = ""  # TODO {n} row(s); one of: {", ".join(allowed)}')
    return "\n".join(lines) + "\n"
