"""What one joining subscriber alone gets: the ``initial`` list, or a resume's catch-up.

Both are *bursts*: changes offered to that subscriber only, under its group's lock (so
the live events that follow have no gap), ending at the group's cursor. Until the last
event, each carries a partial cursor (:mod:`.cursors`): a client cut off in the middle
holds part of the way from where it started, and a resume from there re-sends all of it.
"""

from __future__ import annotations

from typing import Any, Protocol

from .cursors import Position
from .delivery import Change, Member
from .journal import Missed, catch_up, digest
from .render import CURSOR_SLOT, LiveDocument, with_cursor


class Group(Protocol):
    """A :class:`~.groups.Group`, as far as a burst goes."""

    nodes: dict[str, Any]
    state: dict[str, str]
    added: dict[str, str]
    document: LiveDocument | None

    def cursor(self, since: tuple[Position, ...] | None = None) -> str: ...


__all__ = ["catch_up_one", "welcome"]


async def welcome(group: Group, subscriber: Member, order: list[str]) -> None:
    """ADDED for what the group has, in ``order`` (the list's order at admission).

    Objects the admission query did not see yet follow (their change events have not
    reached the group yet); objects it saw but the group does not have yet will arrive as
    ADDED with their events.
    """
    ordered = [pk for pk in order if pk in group.nodes]
    seen = set(ordered)
    ordered += [pk for pk in group.nodes if pk not in seen]
    await _burst(group, subscriber, [(pk, "ADDED") for pk in ordered], group.cursor(since=()))


async def catch_up_one(group: Group, subscriber: Member, missed: Missed, order: list[str]) -> None:
    """What brings a resuming client from ``missed`` to the group's state."""
    now = {pk: digest(fp) for pk, fp in group.state.items()}
    changes = catch_up(missed, now, order)
    await _burst(group, subscriber, changes, group.cursor(missed.positions))


async def _burst(
    group: Group, subscriber: Member, changes: list[tuple[str, str]], first: str
) -> None:
    subscriber.expect(len(changes))
    for n, (pk, kind) in enumerate(changes, 1):
        cursor = group.cursor() if n == len(changes) else first
        node = None if kind == "REMOVED" else group.nodes[pk]
        change = Change(pk, kind, node, had=kind != "ADDED", cursor=cursor)
        if group.document is not None:
            template = group.added.get(pk) if kind == "ADDED" else None
            if template is None:
                template = await group.document.render(change.event(cursor=CURSOR_SLOT))
                if kind == "ADDED":
                    group.added[pk] = template
            change.bodies[kind] = with_cursor(template, cursor)
        subscriber.offer(change)
    if not subscriber.pending:  # all written: the usual bound again
        subscriber.expect(0)
