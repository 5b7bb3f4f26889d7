"""The resume log of one subscription group: what its subscribers had, at every version.

A group (:mod:`.groups`) keeps one state for all its subscribers (pk -> fingerprint of
the node as they last got it). Each change it hands out bumps its version; the cursor on
that event (:mod:`.cursors`) names the log and the version. To resume a client from a
cursor we must know the state it had then, so the log holds, in order::

    ["b", version, time, key, {pk: digest, ...}]    a base: the whole state
    ["d", version, 0, pk, digest or None]            a delta: one object changed / left

(A delta's time is not recorded, 0: nothing reads it, and as a JSON float it was a
third of the entry, benchmarks/README.md "Resume cost"; the trimming below goes by the
bases' times.)

The first base is written when the first cursor is handed out (a group whose documents
never select ``cursor`` logs nothing), a new one when the last is half a window old or
the deltas since outnumber the state twice; entries older than the window are dropped
from the front, keeping the base before them. ``key`` binds the log to who may resume
it (:func:`resume_key`): the same field, arguments, selection and user.

:func:`replay` rebuilds what a client had at a version and which objects changed since:
enough to bring it exactly current (:func:`catch_up`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any

from .cursors import Position, encode, new_log_id

__all__ = ["Journal", "Missed", "catch_up", "digest", "merged", "replay"]

Entry = list[Any]
#: The log's clock, wall time (its entries are read by other processes); tests move it.
clock = time.time


def digest(fingerprint: str) -> str:
    """A short, process-independent digest of a node's fingerprint (what the log keeps).

    Interned: every user's group logs the same digests of the objects they all see, and
    the in-memory store keeps each group's base (issue 26).
    """
    return sys.intern(hashlib.blake2b(fingerprint.encode(), digest_size=9).hexdigest())


class Journal:
    """One group's log, as written by its process (the store keeps the entries)."""

    def __init__(self, key: str, window: float) -> None:
        self.log = new_log_id()
        self.key = key
        self.window = window
        self.version = 1  # the state the group was primed with
        self.started = False  # a base is in the log: cursors can be handed out
        #: entries not yet in the store, and how many to drop from the store's front
        self.unsaved: list[Entry] = []
        self.drop = 0
        #: (time, index in the stored log) of every base kept, oldest first
        self._bases: list[tuple[float, int]] = []
        self._length = 0  # entries in the stored log (saved or not)
        self._deltas = 0  # since the last base

    @property
    def position(self) -> Position:
        return Position(self.log, self.version)

    def cursor(self) -> str:
        """The cursor of the state now (the last change recorded)."""
        return encode([self.position])

    def start(self, state: dict[str, str]) -> None:
        """Begin logging (the first cursor is about to be handed out)."""
        if not self.started:
            self.started = True
            self._base(state, clock())

    def record(self, pk: str, fingerprint: str | None, state: dict[str, str]) -> None:
        """The group's state changed for ``pk`` (``state`` already holds it): next version."""
        self.version += 1
        if not self.started:
            return
        now = clock()
        self._append(["d", self.version, 0, pk, digest(fingerprint) if fingerprint else None])
        self._deltas += 1
        if now - self._bases[-1][0] > self.window / 2 or self._deltas > 2 * len(state) + 64:
            self._base(state, now)

    def _base(self, state: dict[str, str], now: float) -> None:
        states = {pk: digest(fingerprint) for pk, fingerprint in state.items()}
        self._bases.append((now, self._length))
        self._append(["b", self.version, now, self.key, states])
        self._deltas = 0
        # Drop what precedes the newest base older than the window: a cursor handed out
        # within the window is at or after it.
        old = [index for at, index in self._bases if at <= now - self.window]
        if old and old[-1] > 0:
            cut = old[-1]
            self.drop += cut
            self._length -= cut
            self._bases = [(at, index - cut) for at, index in self._bases if index >= cut]
            # entries still unsaved are at the end; none of them is dropped

    def _append(self, entry: Entry) -> None:
        self.unsaved.append(entry)
        self._length += 1

    def take(self) -> tuple[list[Entry], int]:
        """What the store must append and drop from its front since the last call."""
        entries, drop = self.unsaved, self.drop
        self.unsaved, self.drop = [], 0
        return entries, drop


@dataclasses.dataclass
class Missed:
    """What a client at some version had, and what changed for the group after it."""

    had: dict[str, str]  # pk -> digest
    touched: set[str]  # objects changed after the version (in any way)
    #: where the cursor said the client was (a burst that resumes from here passes them on)
    positions: tuple[Position, ...] = ()
    #: objects the client was told of up to its version (a slow socket's coalesced
    #: backlog may have left one of them on it that ``had`` no longer holds)
    known: set[str] = dataclasses.field(default_factory=set)


def replay(entries: Sequence[Entry], version: int, key: str) -> Missed | None:
    """The client's state at ``version`` of this log, or None when it cannot be known.

    None when the log is for another key, starts after ``version`` (trimmed), or ends
    before it (a version never logged, or lost with its process before it was saved).
    """
    bases = [entry for entry in entries if entry[0] == "b"]
    if not bases or bases[0][3] != key:
        return None
    last = max(int(entry[1]) for entry in entries)
    if version > last:
        return None
    start = None
    for index, entry in enumerate(entries):
        if entry[0] == "b" and entry[1] <= version:
            start = index
    if start is None:
        return None
    had = dict(entries[start][4])
    known = set(had)
    for entry in entries[start + 1 :]:
        if entry[0] == "d" and entry[1] <= version:
            _apply(had, entry)
            known.add(entry[3])
    return Missed(had=had, touched=_touched(entries, version), known=known)


def merged(parts: Sequence[Missed]) -> Missed:
    """What a client holds *part of* (a partial cursor, from inside a burst).

    It may hold any object of any of those states, in any of their versions: each of
    them is sent again (latest state, or REMOVED), nothing else is.
    """
    had: dict[str, str] = {}
    touched: set[str] = set()
    known: set[str] = set()
    for part in parts:
        had.update(part.had)
        touched |= part.touched | set(part.had)
        known |= part.known | set(part.had)
    return Missed(had=had, touched=touched, known=known)


def _touched(entries: Iterable[Entry], version: int) -> set[str]:
    return {entry[3] for entry in entries if entry[0] == "d" and entry[1] > version}


def _apply(state: dict[str, str], entry: Entry) -> None:
    if entry[4] is None:
        state.pop(entry[3], None)
    else:
        state[entry[3]] = entry[4]


def catch_up(missed: Missed, now: dict[str, str], order: Sequence[str]) -> list[tuple[str, str]]:
    """(pk, kind) that bring a client from ``missed`` to ``now`` (pk -> digest).

    REMOVED for what it had that it may not see now (or was told of, and changed since),
    then ADDED/MODIFIED for what is new or different, in ``order`` (the list's) with
    the rest after. An object the client never heard of gets nothing, not even REMOVED.
    Objects changed after its version are sent even when their digest is back where it
    was: a client that applied part of a coalesced backlog may hold another version.
    """
    changes: list[tuple[str, str]] = []
    for pk in sorted(set(missed.had) | (missed.touched & missed.known)):
        if pk not in now:
            changes.append((pk, "REMOVED"))
    seen = set(order)
    for pk in [*order, *(pk for pk in now if pk not in seen)]:
        if pk not in now:
            continue
        if pk not in missed.had:
            changes.append((pk, "ADDED"))
        elif missed.had[pk] != now[pk] or pk in missed.touched:
            changes.append((pk, "MODIFIED"))
    return changes
