"""What one change computes once for all the groups it reaches: fingerprints and frames.

Every user is a group of their own, yet most users see an object the same way: the
batched evaluation (:mod:`.batch`) hands the groups that share a representation the
very same node objects. Fingerprinting a node (is it new to the subscriber?) and
rendering its frame for a document are then done once per change::

    scratch = ChangeScratch()
    for group, nodes in results:
        await group.apply(nodes, scratch)     # the 2nd..Nth group reuse the 1st's work
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Any

from .delivery import Change
from .render import CURSOR_SLOT, LiveDocument

__all__ = ["ChangeScratch", "fingerprint"]


def fingerprint(value: Any) -> str:
    """A stable text of a JSON-like value: equal renderings, equal fingerprints."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


class ChangeScratch:
    """What one change computes once for every group: fingerprints and renderings.

    Groups whose representation is shared (:mod:`.batch`) hold the very same node
    objects, so a node's fingerprint, and its frame for one document and kind, are
    computed once per change however many users' groups deliver it. Keyed by the node's
    identity: every node stays alive (in the evaluation's results) while this lives.
    """

    __slots__ = ("_alone", "_bodies", "_changes", "_fingerprints", "_nothing")

    def __init__(self) -> None:
        self._fingerprints: dict[int, str] = {}
        self._bodies: dict[tuple[Hashable, str, str, int], str] = {}
        self._changes: dict[tuple[str, str, int, bool], Change] = {}
        self._alone: dict[int, list[Change]] = {}
        self._nothing: dict[int, bool] = {}

    def alone(self, change: Change | None) -> list[Change]:
        """``[change]`` (``[]`` for None), one list per change for the groups sharing it.

        The lists are only read; a thousand groups staging the same change then leave
        one list for the collector, not a thousand.
        """
        key = id(change)
        if key not in self._alone:
            self._alone[key] = [] if change is None else [change]
        return self._alone[key]

    def sees_nothing(self, result: dict[str, Any]) -> bool:
        """Whether every node of an evaluation's ``result`` is None (shared results: once)."""
        key = id(result)
        if key not in self._nothing:
            self._nothing[key] = all(node is None for node in result.values())
        return self._nothing[key]

    def change(self, pk: str, kind: str, node: Any, had: bool) -> Change:
        """One :class:`Change` for every group that records the same (without a cursor).

        A group sets its frames on it right before offering it, and a socket copies the
        frame when offered, so groups can take turns with one object: a thousand users'
        groups then leave one object per change, not a thousand, for the collector.
        """
        key = (pk, kind, id(node), had)
        change = self._changes.get(key)
        if change is None:
            change = self._changes[key] = Change(pk, kind, node, had)
        return change

    def fingerprint(self, node: Any) -> str:
        key = id(node)
        if key not in self._fingerprints:
            self._fingerprints[key] = fingerprint(node)
        return self._fingerprints[key]

    def rendered(self, document: LiveDocument, kind: str, change: Change) -> str | None:
        """The frame if this change already rendered it (no coroutine for the usual case)."""
        return self._bodies.get((document.key, kind, change.pk, id(change.node)))

    async def render(self, document: LiveDocument, kind: str, change: Change) -> str:
        """The frame, with :data:`~.render.CURSOR_SLOT` where each group's cursor goes."""
        key = (document.key, kind, change.pk, id(change.node))
        if key not in self._bodies:
            self._bodies[key] = await document.render(change.event(kind, CURSOR_SLOT))
        return self._bodies[key]
