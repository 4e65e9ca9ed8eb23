"""Write the catalog reference (docs/controls.md) from the catalog itself, so it cannot drift.

``python -m kansa.controls.reference > docs/controls.md`` regenerates it; a test checks the
committed file equals the output.
"""

from __future__ import annotations

from collections.abc import Mapping

from kansa.controls.frameworks import coverage_summary, load_frameworks
from kansa.controls.loader import load_catalog
from kansa.controls.model import AREAS, FRAMEWORKS, Control
from kansa.controls.views import builtin_views, closure

HEADER = """\
# Control catalog reference / コントロールカタログ

Generated from `src/kansa/controls/catalog/` by `python -m kansa.controls.reference`; do not edit
by hand. The rules, key columns and semantics every control follows are fixed in
[controls-spec.md](controls-spec.md); framework sources and what is still to verify are in
[frameworks.md](frameworks.md).

```
kansa controls                          # one line per control
kansa controls --framework ccss         # coverage per requirement, with gaps
kansa controls show WDR-001             # objective, rule, parameters (effective values), SQL
kansa controls lint                     # parse, render, bind against the contracts
kansa controls score --ground-truth demo/source/ground_truth.json [--run ID | --direct]
```

`score` compares a run's exceptions (or, with `--direct`, the catalog run straight on the latest
snapshots) with a demo's ground truth: precision and recall per control. A control whose input
was never loaded or holds no rows is listed as **not tested** with the reason, as `kansa run`
decides it: it is not an error and the score still exits 0, but it is never a pass either: the
truth's violations of a not-tested control count as missed. Exit 1 on any miss, false positive
or errored control. `score` は正解データとの照合です。入力が 0 行のコントロールは「未実施」
として理由とともに表示され（エラーではありません）、そのコントロールの正解違反は見逃しとして数えます。

## Writing a control

A control is `catalog/<area>/ID.yaml` (metadata) beside `ID.sql` with two blocks:
`-- name: population` (what is tested; the engine counts its rows) and `-- name: test` (the
failing rows, each carrying the `key` columns and the figures behind the verdict). Parameters
appear as `{{ name }}` and are substituted as quoted literals only; `{{ as_of }}` (a DATE) is
always available. Days are business days of the workspace's time zone (`{{ tz }}`): write
`(ts at time zone {{ tz }})::date`, never a bare cast nor a zone of its own.
A control whose logic SQL cannot express names `logic: "package.module:function"` instead.
On Spark such a control reads its datasets on the driver, at most `[spark] driver_max_rows`
rows; a block `-- name: driver_<dataset>` in its SQL file says what it needs of a large one
(CUS-008: the as-of day's balances summed per asset and sign), and Spark runs that query, so
the driver receives only its rows (docs/spark.md).

Shared views (dbt-style models) hold the definitions many controls use, written once:
`catalog/_views/NAME.sql` is one SELECT over datasets or other shared views, under a header
`-- depends: a, b` and a comment saying what it means. A control lists those it reads in
`views: [...]` and reads them like datasets; `datasets:` still lists every dataset it reads,
through views too (lint checks both). A view may use `{{ as_of }}` and no other parameter. The
engine creates the views before its lock-down, the direct runner and the fixture database do the
same; a change to a view changes the version hash of every control that uses it.
A workspace adds its own controls with `[controls] paths = ["controls"]` in `kansa.toml` and
overrides parameters with `[controls.parameters.ID]`; `kansa controls lint` checks both.

"""

SHORT = {"jp": "JP", "ccss": "CCSS", "iso27001_2022": "ISO 27001", "nist_csf_2": "NIST CSF"}


def _params(c: Control) -> str:
    return ", ".join(f"`{p.name}` = {p.default!r}" for p in c.parameters.values()) or "-"


def _refs(c: Control) -> str:
    parts = [f"{SHORT[k]}: {', '.join(c.frameworks[k])}" for k in FRAMEWORKS if c.frameworks.get(k)]
    return "; ".join(parts) or "-"


def _summary_table(catalog: Mapping[str, Control]) -> list[str]:
    lines = ["## Summary", "", "| area | controls |", "|---|---|"]
    for area in AREAS:
        ids = [c.id for c in catalog.values() if c.area == area]
        if ids:
            lines.append(f"| {area} | {len(ids)}: {', '.join(ids)} |")
    lines += ["", f"{len(catalog)} controls.", "", "| framework | requirements | covered | gaps |"]
    lines.append("|---|---|---|---|")
    for key, s in coverage_summary(catalog).items():
        name = load_frameworks()[key].name
        lines.append(f"| {name} | {s['requirements']} | {s['covered']} | {s['gaps']} |")
    return [*lines, ""]


def _shared_views_table(catalog: Mapping[str, Control]) -> list[str]:
    lines = ["## Shared views", "", "| view | reads | used by |", "|---|---|---|"]
    for name, view in builtin_views().items():
        users = [c.id for c in catalog.values() if name in closure(c.views, builtin_views())]
        lines.append(f"| `{name}` | {', '.join(view.depends)} | {', '.join(users) or '-'} |")
    return [*lines, ""]


def _control_section(c: Control) -> list[str]:
    logic = f"Python logic `{c.logic}`" if c.logic else "SQL"
    views = f"; views {', '.join(c.views)}" if c.views else ""
    return [
        f"### {c.id} {c.title.en}",
        f"{c.title.ja}",
        "",
        f"*{c.severity}, {c.frequency}, owner {c.owner}; {logic}; key `{', '.join(c.key)}`;"
        f" datasets {', '.join(c.datasets)}{views}*",
        "",
        c.objective.en,
        "",
        c.objective.ja,
        "",
        f"Rule: {c.rule.en}",
        "",
        f"Parameters: {_params(c)}. Frameworks: {_refs(c)}.",
        "",
    ]


def render_reference(catalog: Mapping[str, Control] | None = None) -> str:
    catalog = catalog if catalog is not None else load_catalog()
    lines = [*HEADER.splitlines(), *_summary_table(catalog), *_shared_views_table(catalog)]
    for area in AREAS:
        controls = [c for c in catalog.values() if c.area == area]
        if not controls:
            continue
        lines += [f"## {area}", "", "| id | title | severity | key | parameters |"]
        lines.append("|---|---|---|---|---|")
        for c in controls:
            lines.append(
                f"| {c.id} | {c.title.en} / {c.title.ja} | {c.severity} | {', '.join(c.key)} |"
                f" {_params(c)} |"
            )
        lines.append("")
        for c in controls:
            lines += _control_section(c)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render_reference(), end="")
