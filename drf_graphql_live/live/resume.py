"""Resuming: the logs groups save, and what a client with a cursor missed.

    missed = await missed_since(store, operation, after)   # raises RESUME_EXPIRED
    await group.join(subscriber, start, context, missed)    # catches it up

A cursor (:mod:`.cursors`) names a group's log and a version of it; the log
(:mod:`.journal`) lives in the :mod:`.resume_store`, written before the events it
covers go out (:func:`save_journals`), so whichever process a client reconnects to
reads what it had. A cursor that is not ours, names a log that expired, belongs to
another subscription or user, or a version never saved, cannot be resumed: the
subscription ends with RESUME_EXPIRED and the client subscribes with ``initial: true``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Protocol

from ..api.request import OperationRequest
from ..exceptions import RESUME_EXPIRED, LiveGraphQLError
from ..settings import live_settings
from .cursors import decode
from .journal import Journal, Missed, merged, replay
from .keys import resume_key
from .resume_store import ResumeStore


class Journaled(Protocol):
    """A group, as far as saving its log goes."""

    journal: Journal | None


__all__ = ["keep_last", "missed_since", "save_journals"]

logger = logging.getLogger("drf_graphql_live")

#: What a client whose cursor cannot be resumed is told.
EXPIRED = (
    "This subscription cannot be resumed from that cursor (unknown, or older than "
    "RESUME_WINDOW); subscribe again with initial: true."
)


async def missed_since(store: ResumeStore, operation: OperationRequest, after: str) -> Missed:
    """What the client had at ``after`` and what changed since; RESUME_EXPIRED if unknown."""
    cursor = decode(after)
    if cursor is None:
        raise LiveGraphQLError(EXPIRED, RESUME_EXPIRED)
    key = resume_key(operation)
    parts = []
    for position in cursor.positions:
        entries = await store.load(position.log)
        missed = replay(entries, position.version, key) if entries is not None else None
        if missed is None:
            raise LiveGraphQLError(EXPIRED, RESUME_EXPIRED)
        parts.append(missed)
    missed = merged(parts) if cursor.partial else parts[0]
    missed.positions = cursor.positions
    return missed


async def save_journals(store: ResumeStore, groups: Sequence[Journaled]) -> None:
    """Save what the groups logged, in one round trip.

    When the store fails (Redis restarting), the events still go out, live matters
    more; their cursors name versions the store does not have, so a resume from them
    gets RESUME_EXPIRED, and each group starts a new log at its next change.
    """
    writes = []
    for group in groups:
        journal = group.journal
        if journal is not None and journal.started and (journal.unsaved or journal.drop):
            writes.append((journal.log, *journal.take()))
    if not writes:
        return
    try:
        await store.save(writes)
    except Exception as exc:
        logger.warning("The resume log could not be saved (%r); starting new ones", exc)
        for group in groups:
            if group.journal is not None:
                group.journal = Journal(group.journal.key, live_settings.RESUME_WINDOW)


_KEEPING: set[asyncio.Task] = set()


def keep_last(store: ResumeStore, log: str) -> None:
    """Keep a forgotten group's log a whole window from now (its subscriber may resume)."""

    async def keep() -> None:
        try:
            await store.keep([log])
        except Exception:  # the store is down: the log expires a little earlier
            logger.debug("Keeping resume log %s failed", log, exc_info=True)

    task = asyncio.get_running_loop().create_task(keep())
    _KEEPING.add(task)
    task.add_done_callback(_KEEPING.discard)
