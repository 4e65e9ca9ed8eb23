"""Who may review and who may accept a risk: the ``[workflow]`` table of kansa.toml.

::

    [workflow]
    reviewers = ["Sato Hanako", "Kimura"]     # may approve re-ratings, close findings, review
    risk_acceptors = ["CAE Tanaka"]            # may accept a finding's risk until a date

An empty (or absent) ``reviewers`` list lets anyone review, but never their own work (the
segregation rules hold regardless). An empty ``risk_acceptors`` list lets nobody accept a risk:
accepting a risk is a management decision that must be given to someone by name. The web app
builds the same :class:`Policy` from its roles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kansa.errors import KansaError
from kansa.i18n import tr


class WorkflowError(KansaError):
    """A workflow step refused (wrong state, wrong person, missing reason): exit 2."""


@dataclass(frozen=True)
class Policy:
    reviewers: frozenset[str] = field(default_factory=frozenset)
    risk_acceptors: frozenset[str] = field(default_factory=frozenset)


def _names(table: Mapping[str, Any], key: str) -> frozenset[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise KansaError(
            tr(
                f"[workflow] {key} must be a list of names.",
                f"[workflow] {key} は名前のリストで指定してください。",
            ),
            hint=f'{key} = ["Sato Hanako"]',
        )
    return frozenset(v.strip() for v in value)


def workflow_policy(raw: Mapping[str, Any]) -> Policy:
    """``[workflow]`` of kansa.toml (``raw`` is the whole parsed file), checked."""
    table = raw.get("workflow", {})
    if not isinstance(table, dict):
        raise KansaError(
            tr("[workflow] must be a table.", "[workflow] はテーブルで指定してください。")
        )
    return Policy(_names(table, "reviewers"), _names(table, "risk_acceptors"))


def require_reviewer(policy: Policy, actor: str) -> None:
    if policy.reviewers and actor not in policy.reviewers:
        raise WorkflowError(
            tr(
                f"{actor} is not a reviewer ([workflow] reviewers in kansa.toml).",
                f"{actor} はレビュー担当者ではありません（kansa.toml の [workflow] reviewers）。",
            )
        )


def require_acceptor(policy: Policy, actor: str) -> None:
    if actor not in policy.risk_acceptors:
        raise WorkflowError(
            tr(
                f"{actor} may not accept risks: only the names in [workflow] risk_acceptors "
                "of kansa.toml may.",
                f"{actor} にはリスク受容の権限がありません（kansa.toml の [workflow] "
                "risk_acceptors に記載された者のみ）。",
            )
        )
