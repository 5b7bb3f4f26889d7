"""The ChangeEvent: what a committed write announces to every server process.

    {"type": "dgl.change", "model": "board.task", "pk": "7", "deleted": False,
     "affects": {"board.task": ["7"]}}

One event per changed row, sent once per process on the channel layer (group
:data:`CHANGES_GROUP`). ``affects`` lists, per registered model, the primary keys whose
*representation* may have changed because of this row: a task whose nested assignee
was renamed, the tasks of a project whose members changed. The writer computes it
while the related rows still exist (before a delete), so the hub never has to guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

__all__ = [
    "CHANGES_GROUP",
    "EVENT_TYPE",
    "RESYNC_TYPE",
    "ChangeEvent",
    "Resync",
    "make_event",
    "merged",
    "resync_message",
    "rows_event",
]

#: The channel-layer group every process's hub listens on.
CHANGES_GROUP = "drf_graphql_live.changes"
#: Channels dispatches on ``type``; dots become underscores in handler names.
EVENT_TYPE = "dgl.change"
#: "These models' rows changed in ways no event names" (a TRUNCATE, a bulk insert whose
#: keys the database did not return): the hubs resynchronise the groups of ``roots``.
RESYNC_TYPE = "dgl.resync"


class ChangeEvent(TypedDict):
    """A committed change of one row, as carried by the channel layer."""

    type: str
    model: str
    pk: str
    deleted: bool
    affects: dict[str, list[str]]


def make_event(
    model: str, pk: object, *, deleted: bool, affects: dict[str, set[str]]
) -> ChangeEvent:
    """A :class:`ChangeEvent` (primary keys as strings: JSON-safe, layer-agnostic)."""
    return {
        "type": EVENT_TYPE,
        "model": model,
        "pk": str(pk),
        "deleted": deleted,
        "affects": {label: sorted(pks) for label, pks in affects.items() if pks},
    }


@dataclass(frozen=True)
class Resync:
    """On a hub's dispatch queue: resynchronise the groups of these root models."""

    roots: frozenset[str]


def rows_event(
    model: str, pks: list[str], *, deleted: bool, affects: dict[str, set[str]]
) -> ChangeEvent:
    """One event for many rows of one model: a bulk write, a captured statement.

    Shaped like :func:`merged`'s (the rows in ``affects`` under their own model), so a
    100,000-row ``update()`` is one message per chunk, not one per row. Deleted rows of
    several are not marked deleted: each group re-reads them, finds them gone, and says
    REMOVED as for a row out of sight.
    """
    if len(pks) == 1:
        return make_event(model, pks[0], deleted=deleted, affects=affects)
    own = {**affects, model: set(affects.get(model, ())) | set(pks)}
    return make_event(model, pks[0], deleted=False, affects=own)


def resync_message(roots: set[str]) -> dict:
    """The channel-layer message asking every hub to resynchronise ``roots``' groups."""
    return {"type": RESYNC_TYPE, "roots": sorted(roots)}


def merged(events: list[ChangeEvent]) -> ChangeEvent:
    """One event standing for several updates (none a delete) not processed yet.

    The hub evaluates an object at its state *now*, not at its commit, so events that
    queued up while it was busy cost one pass for all of them instead of one each:
    every changed object is evaluated once, at its latest state (what processing
    them one by one would send last), in the order they were first changed.
    """
    affects: dict[str, dict[str, None]] = {}
    for event in events:
        affects.setdefault(event["model"], {})[event["pk"]] = None
        for label, pks in event["affects"].items():
            affects.setdefault(label, {}).update(dict.fromkeys(pks))
    return {**events[0], "affects": {label: list(pks) for label, pks in affects.items()}}
