"""Phishing simulations: two campaigns before the period and one early in it (if long enough).

Anyone who clicks completes phishing-remediation training within a week (PPL-003 allows 14
days), unless a scenario says otherwise.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kansa.demo import roster
from kansa.demo.randomness import pystream
from kansa.demo.world import World

CLICK_RATE = 0.06


def campaign_times(world: World) -> list[datetime]:
    p = world.params
    # -24: after every current vendor account exists (opened 25+ days before the start)
    times = [p.at(-60, 1), p.at(-24, 1)]
    if p.days >= 14:
        times.append(p.at(2, 1))
    return times


def phishing_campaigns(world: World) -> None:
    rng = pystream(world.params.seed, "phishing")
    times = campaign_times(world)
    forced_campaign = times[1]
    for sent in times:
        in_period = sent >= world.params.at(0)
        for person in world.people:
            if not person.active_on(sent.date()) or (in_period and person.left_on is not None):
                continue
            clicked = rng.random() < CLICK_RATE
            forced = person.person_id in world.must_click
            if forced:
                clicked = sent == forced_campaign
            clicked_at = sent + timedelta(minutes=rng.randint(5, 2000)) if clicked else None
            world.add(
                "phishing_tests",
                {
                    "test_id": world.next_id("PH", 6),
                    "person_id": person.person_id,
                    "sent_at": sent,
                    "clicked": clicked,
                    "clicked_at": clicked_at,
                },
            )
            if clicked_at is not None and person.person_id not in world.no_remediation:
                done = clicked_at.date() + timedelta(days=rng.randint(2, 6))
                roster.train(world, person, "phishing_remediation", done)
