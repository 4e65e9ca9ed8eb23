"""The frameworks controls map to, their requirement lists, and coverage per requirement.

Each framework's requirements (id, title, source) live in ``framework_data/KEY.yaml``. Coverage
answers the auditor's question "which requirement does the catalog test, and which not?": every
requirement with the controls that reference it, and the gaps (requirements no control tests).
A control citing a requirement id that is not in the list is a lint error, so references cannot
drift into typos or invented clause numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kansa.contracts.model import Text
from kansa.controls.model import FRAMEWORKS, Control
from kansa.yamlio import load_yaml

DATA_DIR = Path(__file__).parent / "framework_data"


@dataclass(frozen=True)
class Requirement:
    id: str
    title: Text


@dataclass(frozen=True)
class Framework:
    key: str
    name: str
    source: str
    scope: str
    requirements: tuple[Requirement, ...]

    def ids(self) -> set[str]:
        return {r.id for r in self.requirements}


@dataclass(frozen=True)
class RequirementCoverage:
    requirement: Requirement
    controls: tuple[str, ...]

    @property
    def covered(self) -> bool:
        return bool(self.controls)


def _title(raw: Any) -> Text:
    if isinstance(raw, dict):
        return Text(en=str(raw["en"]), ja=str(raw.get("ja", raw["en"])))
    # standards' own titles are published in English; they are shown as written
    return Text(en=str(raw), ja=str(raw))


def _parse(path: Path) -> Framework:
    data = load_yaml(path.read_text(encoding="utf-8"))
    reqs = tuple(Requirement(id=str(k), title=_title(v)) for k, v in data["requirements"].items())
    return Framework(
        key=str(data["key"]),
        name=str(data["name"]),
        source=str(data["source"]),
        scope=str(data["scope"]),
        requirements=reqs,
    )


@cache
def load_frameworks() -> dict[str, Framework]:
    """Every framework in :data:`kansa.controls.model.FRAMEWORKS` order."""
    out = {}
    for key in FRAMEWORKS:
        fw = _parse(DATA_DIR / f"{key}.yaml")
        if fw.key != key:
            raise ValueError(f"{DATA_DIR / key}.yaml declares key {fw.key!r}")
        out[key] = fw
    return out


def coverage(framework: str, controls: Iterable[Control]) -> list[RequirementCoverage]:
    """Each requirement of ``framework`` with the ids of the controls that reference it."""
    fw = load_frameworks()[framework]
    by_req: dict[str, list[str]] = {r.id: [] for r in fw.requirements}
    for c in controls:
        for ref in c.frameworks.get(framework, ()):
            if ref in by_req:
                by_req[ref].append(c.id)
    return [RequirementCoverage(r, tuple(sorted(by_req[r.id]))) for r in fw.requirements]


def unknown_references(control: Control) -> list[tuple[str, str]]:
    """(framework, reference) pairs of ``control`` that name no known requirement."""
    frameworks = load_frameworks()
    return [
        (fw, ref)
        for fw, refs in control.frameworks.items()
        for ref in refs
        if ref not in frameworks[fw].ids()
    ]


def coverage_summary(controls: Mapping[str, Control]) -> dict[str, dict[str, int]]:
    """Per framework: requirements, covered, gaps (for overviews and docs)."""
    out = {}
    for key in load_frameworks():
        rows = coverage(key, controls.values())
        covered = sum(1 for r in rows if r.covered)
        out[key] = {"requirements": len(rows), "covered": covered, "gaps": len(rows) - covered}
    return out
