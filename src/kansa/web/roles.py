"""The roles of the web app, and which of them can change anything.

Roles are fixed (not configurable) so the policy table in :mod:`kansa.web.policy` can be
reviewed, and tested, route by route.
"""

from __future__ import annotations

ADMIN = "admin"
AUDIT_MANAGER = "audit_manager"
AUDITOR = "auditor"
REVIEWER = "reviewer"
CONTROL_OWNER = "control_owner"
VIEWER = "viewer"
EXTERNAL_REVIEWER = "external_reviewer"

ROLES = (ADMIN, AUDIT_MANAGER, AUDITOR, REVIEWER, CONTROL_OWNER, VIEWER, EXTERNAL_REVIEWER)

# a second factor is required for every role that can change anything (issue 11)
CAN_CHANGE = frozenset({ADMIN, AUDIT_MANAGER, AUDITOR, REVIEWER, CONTROL_OWNER})
READ_ONLY = frozenset(ROLES) - CAN_CHANGE

TITLES: dict[str, tuple[str, str]] = {
    ADMIN: ("Administrator", "管理者"),
    AUDIT_MANAGER: ("Audit manager", "監査責任者"),
    AUDITOR: ("Auditor", "監査人"),
    REVIEWER: ("Reviewer", "レビュアー"),
    CONTROL_OWNER: ("Control owner", "統制オーナー"),
    VIEWER: ("Viewer (audit committee)", "閲覧者（監査委員会）"),
    EXTERNAL_REVIEWER: ("External reviewer", "外部レビュアー"),
}


def needs_second_factor(role: str) -> bool:
    return role in CAN_CHANGE
