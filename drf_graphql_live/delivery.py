"""Per-socket delivery: what one subscriber does with a change its group computed.

A :class:`~drf_graphql_live.groups.Group` decides once, for all its subscribers, what a
change is (ADDED, MODIFIED, REMOVED) and renders it once; subscribers only deliver:

* :class:`WireSubscriber` (the graphql-transport-ws fast path) writes the pre-rendered
  frame to its socket *synchronously, from the group's loop* while the socket takes
  writes at once — no task, future or queue entry per delivery, so nothing per event
  outlives the delivery (a per-subscriber wake-up future per event was what filled the
  garbage collector's old generation and made its full pauses frequent). Only when the
  socket pushes back does it start a writer task; meanwhile changes wait in a bounded,
  per-object queue where several changes of one object coalesce into its latest state.
  Past :data:`MAX_PENDING` objects the socket is closed with
  :data:`CLOSE_4008_TOO_SLOW`, so the client resubscribes with ``initial: true``
  instead of silently missing data.
* :class:`Subscriber` (Strawberry's path: the legacy protocol, documents the fast path
  does not take) queues event dicts for Strawberry's async iterator.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

from graphql import GraphQLError

__all__ = [
    "CLOSE_4008_TOO_SLOW",
    "MAX_PENDING",
    "Change",
    "Subscriber",
    "WireSubscriber",
    "combined_kind",
]

#: Objects with unsent changes a slow socket may accumulate before it is closed.
MAX_PENDING = 1000
#: Close code for a socket that cannot keep up: resubscribe with ``initial: true``.
CLOSE_4008_TOO_SLOW = 4008

Send = Callable[[str], Coroutine[Any, Any, None]]
Close = Callable[[int, str], Awaitable[None]]


@dataclasses.dataclass(slots=True)
class Change:
    """One object's change as every subscriber of a group sees it.

    ``had``: whether the subscribers had the object before (so a slow socket can
    combine it with changes it has not written yet); ``bodies``: the rendered ``next``
    payload per kind, filled by the group before the fan-out.
    """

    pk: str
    kind: str
    node: Any
    had: bool
    bodies: dict[str, str] = dataclasses.field(default_factory=dict)

    def event(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.pk, "node": self.node}


def combined_kind(had_before: bool, has_now: bool) -> str | None:
    """The one event that replaces several unwritten ones for the same object."""
    if had_before:
        return "MODIFIED" if has_now else "REMOVED"
    return "ADDED" if has_now else None


class Subscriber:
    """A subscription served by Strawberry: a queue of events for its async iterator."""

    pending = ()  # never backlogged here: Strawberry's queue holds what is not sent yet

    def __init__(self) -> None:
        self.group: Any = None  # set by the group it joins
        self.queue: asyncio.Queue[dict[str, Any] | BaseException] = asyncio.Queue()

    def kinds_needed(self, change: Change) -> tuple[str, ...]:
        return ()  # Strawberry renders

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
    """A graphql-transport-ws subscription fed pre-rendered frames (see the module doc)."""

    __slots__ = ("close", "ended", "group", "outcome", "pending", "prefix", "send", "writer")

    def __init__(self, operation_id: str, send: Send, close: Close) -> None:
        self.group: Any = None  # set by the group it joins
        self.prefix = '{"id":' + json.dumps(operation_id) + ',"type":"next","payload":'
        self.send, self.close = send, close
        #: pk -> (the client had the object before this frame, frame): written in order
        self.pending: OrderedDict[str, tuple[bool, str]] = OrderedDict()
        self.writer: asyncio.Task | None = None  # only while the socket pushes back
        self.ended = False  # failed, overflowed, disconnected or left: nothing more
        #: resolved with why it ended ("failed", "overflowed", "disconnected")
        self.outcome: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def kinds_needed(self, change: Change) -> tuple[str, ...]:
        """The kinds this subscriber will write for ``change`` (to render before the fan-out)."""
        if change.pk not in self.pending:
            return (change.kind,)
        kind = combined_kind(self.pending[change.pk][0], change.node is not None)
        return () if kind is None else (kind,)

    def offer(self, change: Change) -> None:
        """Write ``change`` now if the socket takes it, else queue it (coalesced, bounded)."""
        if self.ended:
            return
        kind, had = change.kind, change.had
        if change.pk in self.pending:  # an unwritten change of this object: replace it
            had = self.pending.pop(change.pk)[0]
            kind = combined_kind(had, change.node is not None)
            if kind is None:
                return  # added and removed before the client heard of it
        frame = self.prefix + change.bodies[kind] + "}"
        if self.writer is None:
            self._write(frame)
            return
        self.pending[change.pk] = (had, frame)
        if len(self.pending) > MAX_PENDING:
            self._end("overflowed")
            self.pending.clear()  # memory back at once
            asyncio.get_running_loop().create_task(self.close(CLOSE_4008_TOO_SLOW, "Too slow"))

    def fail(self, error: BaseException) -> None:
        """Write ``error`` as the last result; the protocol then sends ``complete``."""
        if self.ended:
            return
        self.ended = True  # nothing after the error
        frame = self.prefix + json.dumps({"data": None, "errors": [_formatted(error)]}) + "}"
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

    def _write(self, frame: str) -> None:
        """Run the socket's ``send`` to its first suspension (Python 3.12's eager tasks).

        An ASGI server's ``send`` completes without suspending while the transport takes
        data (uvicorn only waits while the transport is paused): then the frame is written
        with no task at all. If it does suspend, a writer task finishes it and drains
        what queued meanwhile.
        """
        coroutine = self.send(frame)
        try:
            awaiting = coroutine.send(None)
        except StopIteration:
            return
        except Exception:
            self._end("disconnected")
            return
        self.writer = asyncio.get_running_loop().create_task(self._drain(coroutine, awaiting))

    async def _drain(self, coroutine: Coroutine[Any, Any, None], awaiting: Any) -> None:
        try:
            await _finish(coroutine, awaiting)
            while self.pending:
                _pk, (_had, frame) = self.pending.popitem(last=False)
                await self.send(frame)
        except asyncio.CancelledError:
            raise
        except Exception:
            self._end("disconnected")
        finally:
            self.writer = None
        if self.ended:  # a failure's error frame is written: the subscription is over
            self._end("failed")


async def _finish(coroutine: Coroutine[Any, Any, None], awaiting: Any) -> None:
    """Drive a coroutine already stepped by hand to its end, from the current task.

    ``awaiting`` is what it yielded: the future it waits on (asyncio's protocol) or None
    (a bare yield, as in ``asyncio.sleep(0)``). The coroutine reads the future's outcome
    itself when resumed; if *this* task is cancelled, the coroutine is closed.
    """
    try:
        while True:
            if awaiting is None:
                await asyncio.sleep(0)
            else:
                # What Task.__step does with a yielded future before waiting on it: a
                # future still marked "blocking" refuses a second await.
                awaiting._asyncio_future_blocking = False
                try:
                    await awaiting
                except asyncio.CancelledError:
                    task = asyncio.current_task()
                    if task is not None and task.cancelling():
                        raise  # we are cancelled, not just the future it waits on
                except Exception:
                    pass  # the coroutine gets the future's exception when resumed
            awaiting = coroutine.send(None)
    except StopIteration:
        return
    finally:
        with contextlib.suppress(RuntimeError):  # closing a finished coroutine is a no-op
            coroutine.close()


def _formatted(error: BaseException) -> dict[str, Any]:
    return error.formatted if isinstance(error, GraphQLError) else {"message": str(error)}
