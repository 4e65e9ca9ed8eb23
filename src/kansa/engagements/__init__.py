"""The audit plan: the audit universe scored for risk, the annual plan of engagements, each
engagement's programme and the work linked to it, roll-forward, and the self-assessment
against the FSA's maturity ladder. Every change is an ``engagement`` ledger entry.

Public surface: :func:`add_entity`, :func:`entities`, :func:`score_universe`,
:func:`record_scores`, :class:`EngagementSpec`, :func:`add_engagement`, :func:`build_plan`,
:func:`engagements`, :func:`get_engagement`, :func:`update_engagement`, :func:`roll_forward`,
:func:`link_item`, :func:`items_of`, :func:`assess`, :func:`ladder`, :func:`reached`.
The report is in :mod:`kansa.engagements.report`. See docs/engagements.md.
"""

from kansa.engagements.items import items_of, link_item
from kansa.engagements.maturity import LADDER, STAGES, assess, ladder, reached
from kansa.engagements.plan import (
    STATUSES,
    EngagementSpec,
    add_engagement,
    build_plan,
    engagement_fields,
    engagements,
    get_engagement,
    uncovered_high_risk,
)
from kansa.engagements.progress import roll_forward, update_engagement
from kansa.engagements.scoring import WEIGHTS, RiskScore, record_scores, score_universe
from kansa.engagements.universe import KINDS, add_entity, entities

__all__ = [
    "KINDS",
    "LADDER",
    "STAGES",
    "STATUSES",
    "WEIGHTS",
    "EngagementSpec",
    "RiskScore",
    "add_engagement",
    "add_entity",
    "assess",
    "build_plan",
    "engagement_fields",
    "engagements",
    "entities",
    "get_engagement",
    "items_of",
    "ladder",
    "link_item",
    "reached",
    "record_scores",
    "roll_forward",
    "score_universe",
    "uncovered_high_risk",
    "update_engagement",
]
