"""Writing to a socket without a task: the send coroutine, stepped by hand.

An ASGI server's ``send`` completes without suspending while the transport takes data
(uvicorn only waits while the transport is paused). Stepping the coroutine by hand to
its first suspension, as Python 3.12's eager tasks do, writes a frame with no task,
future or queue entry at all; measured, that is what keeps the fan-out's garbage out of
the collector's old generation (benchmarks/README.md). Only a send that suspends gets
a task, which finishes it::

    pending = step(send(frame), stand_in)        # None: written, nothing left to do
    if pending is not None:
        stand_in.task = asyncio.create_task(finish(pending))

No ASGI server promises that this is safe, so the trick lives here, alone, hardened
against what a ``send`` may do (tests/live/test_stepped_send.py):

* it may read ``asyncio.current_task()`` (``asyncio.timeout()`` does, to cancel it
  later): while stepped, the current task is a :class:`StandIn` for the write, which
  forwards to the task that finishes it, never the caller's task (the hub's);
* it may raise anything, ``CancelledError`` included: that is :class:`SendFailed`, the
  socket's failure, never an exception in the caller;
* the future it waits on may be cancelled by someone else: the send then raises, which
  is again :class:`SendFailed`, not a silently dead writer.

The private asyncio names it relies on (``asyncio.tasks._enter_task``/``_leave_task``,
``Future._asyncio_future_blocking``) are used here only, and a test fails if a Python
upgrade removes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from asyncio import tasks as _asyncio_tasks
from collections.abc import Coroutine
from typing import Any, cast

__all__ = ["Pending", "SendFailed", "StandIn", "abandon", "finish", "fresh", "step"]

SendCoroutine = Coroutine[Any, Any, None]
#: ``finish`` starts a coroutine nobody stepped yet with this.
_NOT_STARTED = object()


class SendFailed(Exception):
    """The socket's send raised (its ``__cause__``): that socket is done, nothing else."""


class StandIn:
    """``asyncio.current_task()`` while a send is stepped by hand.

    Task-like where a send may use its task later: ``asyncio.timeout()`` cancels it and
    then uncancels it. Those calls go to :attr:`task`, the task that finishes the write,
    which the caller sets as soon as :func:`step` returns a :class:`Pending` (nothing
    can fire in between: the caller does not yield to the loop).
    """

    __slots__ = ("task",)

    def __init__(self) -> None:
        self.task: asyncio.Task[Any] | None = None

    def cancel(self, msg: Any = None) -> bool:
        return self.task.cancel(msg) if self.task is not None else False

    def cancelling(self) -> int:
        return self.task.cancelling() if self.task is not None else 0

    def uncancel(self) -> int:
        return self.task.uncancel() if self.task is not None else 0

    def done(self) -> bool:
        return self.task.done() if self.task is not None else False

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()


class Pending:
    """A send that suspended: its coroutine and what it waits on."""

    __slots__ = ("awaiting", "coroutine")

    def __init__(self, coroutine: SendCoroutine, awaiting: Any) -> None:
        self.coroutine = coroutine
        self.awaiting = awaiting


def step(coroutine: SendCoroutine, stand_in: StandIn) -> Pending | None:
    """Run ``coroutine`` to its first suspension as ``stand_in``; None when it completed.

    Raises :class:`SendFailed` for anything the send raised.
    """
    loop = asyncio.get_running_loop()
    caller = asyncio.current_task(loop)
    if caller is not None:
        _asyncio_tasks._leave_task(loop, caller)
    _asyncio_tasks._enter_task(loop, cast(asyncio.Task, stand_in))
    try:
        awaiting = coroutine.send(None)
    except StopIteration:
        return None
    except (Exception, asyncio.CancelledError) as exc:
        raise SendFailed(repr(exc)) from exc
    finally:
        _asyncio_tasks._leave_task(loop, cast(asyncio.Task, stand_in))
        if caller is not None:
            _asyncio_tasks._enter_task(loop, caller)
    return Pending(coroutine, awaiting)


async def finish(pending: Pending) -> None:
    """Drive a stepped (or fresh) send to its end from the current task.

    As ``Task.__step`` would: wait for what it waits on, resume it, and when *this*
    task is cancelled, throw the cancellation into the send (so its own
    ``asyncio.timeout()`` turns it into ``TimeoutError``). Raises :class:`SendFailed`
    for what the send raised, ``CancelledError`` only when this task is cancelled.
    """
    coroutine, awaiting = pending.coroutine, pending.awaiting
    task = asyncio.current_task()
    try:
        while True:
            cancelled = awaiting is not _NOT_STARTED and await _wait(awaiting, task)
            try:
                if cancelled:
                    awaiting = coroutine.throw(asyncio.CancelledError())
                else:
                    awaiting = coroutine.send(None)
            except StopIteration:
                return
            except asyncio.CancelledError as exc:
                if task is not None and task.cancelling():
                    raise
                raise SendFailed(repr(exc)) from exc
            except Exception as exc:
                raise SendFailed(repr(exc)) from exc
    finally:
        with contextlib.suppress(RuntimeError):  # closing a finished coroutine is a no-op
            coroutine.close()


def abandon(pending: Pending) -> None:
    """Cancel a stepped send that is still suspended (its writer ended without finishing it).

    A writer task cancelled before its first step never runs :func:`finish`; the send
    still gets its ``CancelledError``, as it would had a task been running it.
    """
    coroutine = pending.coroutine
    if inspect.getcoroutinestate(coroutine) != inspect.CORO_SUSPENDED:
        return
    with contextlib.suppress(Exception, asyncio.CancelledError, StopIteration):
        coroutine.throw(asyncio.CancelledError())
    coroutine.close()


def fresh(coroutine: SendCoroutine) -> Pending:
    """A :class:`Pending` for a send nobody stepped yet (``finish`` starts it)."""
    return Pending(coroutine, _NOT_STARTED)


async def _wait(awaiting: Any, task: asyncio.Task[Any] | None) -> bool:
    """Wait for what a stepped coroutine yielded; True when *this* task was cancelled.

    ``awaiting`` is a future (asyncio's protocol) or None (a bare yield, as in
    ``asyncio.sleep(0)``). The coroutine reads the future's outcome itself when resumed.
    """
    try:
        if awaiting is None:
            await asyncio.sleep(0)
        else:
            # What Task.__step does with a yielded future before waiting on it: a future
            # still marked "blocking" refuses a second await.
            awaiting._asyncio_future_blocking = False
            await awaiting
    except asyncio.CancelledError:
        return task is not None and task.cancelling() > 0
    except Exception:
        pass  # the future's exception: the coroutine raises it when resumed
    return False
