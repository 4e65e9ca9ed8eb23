"""Framework requirement lists and coverage per requirement."""

from __future__ import annotations

from kansa.controls import FRAMEWORKS, load_catalog
from kansa.controls.frameworks import coverage, coverage_summary, load_frameworks


def test_every_framework_has_a_source_and_unique_requirements() -> None:
    frameworks = load_frameworks()
    assert list(frameworks) == list(FRAMEWORKS)
    for fw in frameworks.values():
        ids = [r.id for r in fw.requirements]
        assert len(ids) == len(set(ids)) and fw.source and fw.scope
    assert len(frameworks["iso27001_2022"].requirements) == 93  # Annex A of the 2022 edition
    assert {"1.01", "2.04"} <= frameworks["ccss"].ids()


def test_coverage_lists_controls_per_requirement_and_the_gaps() -> None:
    catalog = load_catalog()
    rows = {r.requirement.id: r for r in coverage("iso27001_2022", catalog.values())}
    assert {"ACC-001", "OPS-010", "KEY-011"} <= set(rows["A.5.3"].controls)
    assert rows["A.8.17"].controls == ("OPS-004",)
    assert not rows["A.7.1"].covered  # physical perimeters: not testable on this data
    summary = coverage_summary(catalog)
    for key, s in summary.items():
        assert s["covered"] + s["gaps"] == s["requirements"], key
        assert s["covered"] > 0


def test_every_catalog_control_cites_at_least_one_framework() -> None:
    for control in load_catalog().values():
        assert any(control.frameworks.values()), control.id
