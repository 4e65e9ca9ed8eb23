"""The states a finding moves through, and which moves a person may make.

::

    open -> answered -> in_remediation -> ready_for_retest -> retest_passed -> closed
                            ^                   |                 (run)     (reviewer)
                            +-------------------+ (retest failed)

* ``answered``: management's response and action plan are in (``kansa findings respond``);
* ``in_remediation`` / ``ready_for_retest``: the owner is fixing it / says it is fixed;
* ``retest_passed``: a later complete run passed the control (only a run moves it there, from
  any state but ``closed``); a run that fails again sends it back to ``in_remediation``;
* ``closed``: a reviewer signed the closure of a finding whose retest passed;
* ``accepted``: management accepted the risk until a date; it reopens (``open``) then.

The finding's ``status`` column stays ``open`` until the closure is signed, so runs keep
updating it (one open finding per scope).
"""

from __future__ import annotations

OPEN = "open"
ANSWERED = "answered"
IN_REMEDIATION = "in_remediation"
READY_FOR_RETEST = "ready_for_retest"
RETEST_PASSED = "retest_passed"
ACCEPTED = "accepted"
CLOSED = "closed"

STATES = (OPEN, ANSWERED, IN_REMEDIATION, READY_FOR_RETEST, RETEST_PASSED, ACCEPTED, CLOSED)

# states a run's failure sends back to remediation (the fix did not hold)
WAITING_FOR_RETEST = frozenset({READY_FOR_RETEST, RETEST_PASSED})
# states in which the owner still owes work: these can be overdue
OWED = frozenset({OPEN, ANSWERED, IN_REMEDIATION})
# states from which management can accept the risk
ACCEPTABLE = frozenset({OPEN, ANSWERED, IN_REMEDIATION, READY_FOR_RETEST})

# moves a person makes with `kansa findings move` (the others have their own command)
MOVES: dict[str, frozenset[str]] = {
    ANSWERED: frozenset({IN_REMEDIATION}),
    IN_REMEDIATION: frozenset({READY_FOR_RETEST}),
    READY_FOR_RETEST: frozenset({IN_REMEDIATION}),
}

LABELS = {
    OPEN: ("open", "未対応"),
    ANSWERED: ("answered", "回答済"),
    IN_REMEDIATION: ("in remediation", "改善中"),
    READY_FOR_RETEST: ("ready for retest", "再テスト待ち"),
    RETEST_PASSED: ("retest passed, awaiting sign-off", "再テスト合格（承認待ち）"),
    ACCEPTED: ("risk accepted", "リスク受容"),
    CLOSED: ("closed", "クローズ"),
}
