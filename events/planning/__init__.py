"""The city-clock planner: when is a moment in each participating city, which hours of a week
suit every city, and where a same-local-time ceremony rolls across the world.

``clocks`` and ``slots`` are pure (places and times in, values out); ``query`` reads the
question from query parameters; ``display`` words the answer in the reader's language for the
desk page and the API alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from events.planning.clocks import (
    Clock,
    Reference,
    RollEntry,
    read_clocks,
    resolve,
    same_local_roll,
)
from events.planning.query import Query
from events.planning.slots import Suggestion, suggest


@dataclass(frozen=True)
class Plan:
    query: Query
    reference: Reference
    clocks: list[Clock]
    suggestion: Suggestion
    roll: list[RollEntry]


def build_plan(query: Query) -> Plan:
    """Clocks at the typed time, the week's slots and the same-local-time roll."""
    places = query.places
    reference = resolve(query.home, query.wall, query.fold)
    return Plan(
        query=query,
        reference=reference,
        clocks=read_clocks(places, reference, query.rules),
        suggestion=suggest(
            places,
            query.home,
            query.wall.date(),
            query.rules,
            duration=query.duration,
            limit=query.limit,
        ),
        roll=same_local_roll(places, reference),
    )
