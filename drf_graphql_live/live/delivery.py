"""Per-socket delivery: what one subscriber does with a change its group computed.

A :class:`~drf_graphql_live.live.groups.Group` decides once, for all its subscribers, what a
change is (ADDED, MODIFIED, REMOVED) and renders it once; subscribers only deliver:

* :class:`WireSubscriber` (the graphql-transport-ws fast path) writes the pre-rendered
  frame to its socket *synchronously, from the group's loop* while the socket takes
  writes at once (:mod:`._stepped_send`) — no task, future or queue entry per delivery,
  so nothing per event outlives the delivery (a per-subscriber wake-up future per event
  was what filled the garbage collector's old generation and made its full pauses
  frequent). Only when the socket pushes back does it start a writer task; meanwhile
  changes wait in a bounded, per-object queue where several changes of one object
  coalesce into its latest state. Past :data:`MAX_PENDING` objects, or when the send
  fails, the socket is closed with :data:`CLOSE_4008_TOO_SLOW`, so the client
  resubscribes (``after:`` its last cursor, or ``initial: true``) instead of silently
  missing data. Whatever one
  socket's send does costs that socket only.
* :class:`Subscriber` (Strawberry's path: the legacy protocol, documents the fast path
  does not take) queues event dicts for Strawberry's async iterator.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, Protocol

from graphql import GraphQLError

from ._stepped_send import Pending, SendFailed, StandIn, abandon, finish, fresh, step

__all__ = [
    "CLOSE_4008_TOO_SLOW",
    "MAX_PENDING",
    "Change",
    "Member",
    "Subscriber",
    "WireSubscriber",
    "combined_kind",
]

#: Objects with unsent changes a slow socket may accumulate before it is closed.
MAX_PENDING = 1000
#: Close code for a socket that cannot keep up: resume with ``after:`` (or ``initial: true``).
CLOSE_4008_TOO_SLOW = 4008

Send = Callable[[str], Coroutine[Any, Any, None]]
Close = Callable[[int, str], Awaitable[None]]


@dataclasses.dataclass(slots=True)
class Change:
    """One object's change as every subscriber of a group sees it.

    ``had``: whether the subscribers had the object before (so a slow socket can
    combine it with changes it has not written yet); ``cursor``: where a client that
    applied it resumes from (:mod:`.journal`); ``bodies``: the rendered ``next`` payload
    per kind, filled by the group before the fan-out.
    """

    pk: str
    kind: str
    node: Any
    had: bool
    cursor: str = ""
    bodies: dict[str, str] = dataclasses.field(default_factory=dict)

    def event(self, kind: str | None = None, cursor: str | None = None) -> dict[str, Any]:
        return {
            "kind": kind or self.kind,
            "id": self.pk,
            "node": self.node,
            "cursor": self.cursor if cursor is None else cursor,
        }


def combined_kind(had_before: bool, has_now: bool) -> str | None:
    """The one event that replaces several unwritten ones for the same object."""
    if had_before:
        return "MODIFIED" if has_now else "REMOVED"
    return "ADDED" if has_now else None


class Member(Protocol):
    """What a group needs of a subscriber (:class:`Subscriber`, :class:`WireSubscriber`)."""

    group: Any
    pending: Any  # what a slow socket has not written yet (empty or absent: nothing)
    wants_cursor: bool  # its document selects the event's ``cursor``

    def kinds_needed(self, change: Change) -> tuple[str, ...]: ...
    def expect(self, count: int) -> None: ...
    def offer(self, change: Change) -> None: ...
    def fail(self, error: BaseException) -> None: ...
    def stop(self) -> None: ...


class Subscriber:
    """A subscription served by Strawberry: a queue of events for its async iterator."""

    pending = ()  # never backlogged here: Strawberry's queue holds what is not sent yet

    def __init__(self, *, wants_cursor: bool = False) -> None:
        self.group: Any = None  # set by the group it joins
        self.wants_cursor = wants_cursor  # its document selects ``cursor``
        self.queue: asyncio.Queue[dict[str, Any] | BaseException] = asyncio.Queue()

    def kinds_needed(self, change: Change) -> tuple[str, ...]:
        return ()  # Strawberry renders

    def expect(self, count: int) -> None:
        """A burst of ``count`` changes follows (nothing to bound here)."""

    def offer(self, change: Change) -> None:
        self.queue.put_nowait(change.event())

    def fail(self, error: BaseException) -> None:
        """End the subscription with ``error`` (the client may resubscribe)."""
        self.queue.put_nowait(error)

    def stop(self) -> None:
        """Left its group (nothing to release)."""

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            item = await self.queue.get()
            if isinstance(item, BaseException):
                raise item
            yield item


class WireSubscriber:
    """A subscription fed pre-rendered frames (see the module doc).

    graphql-transport-ws by default; the HTTP streams (graphql-sse, Apollo multipart,
    :mod:`drf_graphql_live.transport.http_streams`) pass their own ``wrap``.
    """

    __slots__ = (
        "close",
        "ended",
        "group",
        "limit",
        "outcome",
        "pending",
        "prefix",
        "send",
        "stand_in",
        "suffix",
        "wants_cursor",
        "writer",
    )

    def __init__(
        self,
        operation_id: str,
        send: Send,
        close: Close,
        *,
        wrap: tuple[str, str] | None = None,
        wants_cursor: bool = False,
    ) -> None:
        self.group: Any = None  # set by the group it joins
        self.wants_cursor = wants_cursor  # its document selects ``cursor``
        #: What goes around a rendered payload: the graphql-transport-ws ``next`` message
        #: by default; ``wrap`` gives another wire's (an SSE event, a multipart part).
        self.prefix, self.suffix = wrap or (
            '{"id":' + json.dumps(operation_id) + ',"type":"next","payload":',
            "}",
        )
        self.send, self.close = send, close
        #: pk -> (the client had the object before this frame, frame): written in order
        self.pending: OrderedDict[str, tuple[bool, str]] = OrderedDict()
        self.limit = MAX_PENDING  # objects pending before giving up (see :meth:`expect`)
        self.writer: asyncio.Task | None = None  # only while the socket pushes back
        self.stand_in = StandIn()  # the current task while a send is stepped by hand
        self.ended = False  # failed, overflowed, disconnected or left: nothing more
        #: resolved with why it ended ("failed", "overflowed", "disconnected")
        self.outcome: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def kinds_needed(self, change: Change) -> tuple[str, ...]:
        """The kinds this subscriber will write for ``change`` (to render before the fan-out)."""
        if change.pk not in self.pending:
            return (change.kind,)
        kind = combined_kind(self.pending[change.pk][0], change.node is not None)
        return () if kind is None else (kind,)

    def expect(self, count: int) -> None:
        """A burst of ``count`` changes follows (``initial``, or a resume's catch-up).

        They may all wait for the client to read them (its group has them all in memory
        anyway): the bound is raised by ``count`` until the backlog is written.
        """
        self.limit = MAX_PENDING + count

    def offer(self, change: Change) -> None:
        """Write ``change`` now if the socket takes it, else queue it (coalesced, bounded)."""
        if self.ended:
            return
        kind, had = change.kind, change.had
        if change.pk in self.pending:  # an unwritten change of this object: replace it
            had = self.pending.pop(change.pk)[0]
            combined = combined_kind(had, change.node is not None)
            if combined is None:
                return  # added and removed before the client heard of it
            kind = combined
        frame = self.prefix + change.bodies[kind] + self.suffix
        if self.writer is None:
            self._write(frame)
            return
        self.pending[change.pk] = (had, frame)
        if len(self.pending) > self.limit:
            self._give_up("overflowed", "Too slow")

    def fail(self, error: BaseException) -> None:
        """Write ``error`` as the last result; the protocol then sends ``complete``."""
        if self.ended:
            return
        self.ended = True  # nothing after the error
        frame = (
            self.prefix + json.dumps({"data": None, "errors": [_formatted(error)]}) + self.suffix
        )
        if self.writer is None:
            self._write(frame)
        else:
            self.pending[f"error:{id(error)}"] = (False, frame)
        if self.writer is None:
            self._end("failed")
        # else the writer resolves the outcome once the error frame is written

    def stop(self) -> None:
        """Left its group (client ``complete``, socket closed): release the writer."""
        self.ended = True
        if self.writer is not None:
            self.writer.cancel()
        self._end("disconnected")

    async def finished(self) -> str:
        """Wait until the subscription ends by itself; why ("failed", "overflowed", ...)."""
        return await self.outcome

    def _end(self, why: str) -> None:
        self.ended = True
        if not self.outcome.done():
            self.outcome.set_result(why)

    def _give_up(self, why: str, reason: str) -> None:
        """End the subscription and close the socket with 4008: the client resubscribes."""
        self._end(why)
        self.pending.clear()  # memory back at once
        if self.writer is not None and self.writer is not asyncio.current_task():
            # The frame it still waits to write would go out before the close (an ASGI
            # server's send waits while its transport is paused): drop it, so the close
            # is next in line once the client reads again. It resubscribes anyway.
            self.writer.cancel()
        asyncio.get_running_loop().create_task(self._close_quietly(reason))

    async def _close_quietly(self, reason: str) -> None:
        try:
            await self.close(CLOSE_4008_TOO_SLOW, reason)
        except Exception:  # the socket is already gone
            return

    def _write(self, frame: str) -> None:
        """Write now, with no task, if the socket takes it; else start a writer task."""
        try:
            suspended = step(self.send(frame), self.stand_in)
        except SendFailed:
            self._give_up("disconnected", "Send failed")
            return
        if suspended is not None:
            self.writer = asyncio.get_running_loop().create_task(self._drain(suspended))
            self.writer.add_done_callback(lambda _writer: abandon(suspended))
            self.stand_in.task = self.writer

    async def _drain(self, suspended: Pending) -> None:
        """Finish the suspended write, then write what queued meanwhile, in order."""
        try:
            await finish(suspended)
            while self.pending:
                _pk, (_had, frame) = self.pending.popitem(last=False)
                await finish(fresh(self.send(frame)))
            self.limit = MAX_PENDING  # a burst, if any, is written
        except SendFailed:
            self._give_up("disconnected", "Send failed")
        finally:
            self.writer = None
        if self.ended:  # a failure's error frame is written: the subscription is over
            self._end("failed")


def _formatted(error: BaseException) -> Any:
    return error.formatted if isinstance(error, GraphQLError) else {"message": str(error)}
