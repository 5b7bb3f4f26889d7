"""The hand-stepped send (drf_graphql_live.live._stepped_send), and what a send may do to it.

Each socket below is a fake ASGI ``send``; the test's own task plays the hub's dispatch
task, which must never be cancelled, raised into or stalled by one socket.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from drf_graphql_live.live import _stepped_send
from drf_graphql_live.live._stepped_send import SendFailed, StandIn, finish, step
from drf_graphql_live.live.delivery import CLOSE_4008_TOO_SLOW, Change, WireSubscriber


def change(pk: str, version: int) -> Change:
    node = {"v": version}
    body = json.dumps({"data": {"kind": "MODIFIED", "id": pk, "node": node}})
    return Change(pk, "MODIFIED", node, had=True, bodies={"MODIFIED": body})


class Socket:
    """Records frames and closes; ``send`` is whatever the test gives it."""

    def __init__(self, send: Any) -> None:
        self.frames: list[dict[str, Any]] = []
        self.closed: tuple[int, str] | None = None
        self._send = send

    async def send(self, frame: str) -> None:
        await self._send(frame)
        self.frames.append(json.loads(frame))

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)


async def until(condition: Any, within: float = 5.0) -> None:
    """Wait for ``condition()`` with a bounded deadline (never a fixed sleep)."""
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


async def test_a_send_that_takes_the_write_completes_without_a_task():
    written: list[str] = []

    async def send(frame: str) -> None:
        written.append(frame)

    tasks_before = len(asyncio.all_tasks())
    assert step(send("a"), StandIn()) is None
    assert written == ["a"]
    assert len(asyncio.all_tasks()) == tasks_before


async def test_while_stepped_the_current_task_is_the_stand_in_not_the_caller():
    seen: list[Any] = []
    stand_in = StandIn()

    async def send(frame: str) -> None:
        seen.append(asyncio.current_task())

    caller = asyncio.current_task()
    step(send("a"), stand_in)
    assert seen == [stand_in]
    assert asyncio.current_task() is caller


async def test_a_send_wrapped_in_a_timeout_never_cancels_the_caller():
    """asyncio.timeout() inside the send used to cancel the hub's dispatch task."""
    never = asyncio.Event()

    async def send_with_timeout(frame: str) -> None:
        async with asyncio.timeout(0.05):
            await never.wait()

    stuck = Socket(send_with_timeout)
    healthy = Socket(lambda frame: asyncio.sleep(0))
    stuck_subscriber = WireSubscriber("1", stuck.send, stuck.close)
    healthy_subscriber = WireSubscriber("2", healthy.send, healthy.close)
    stuck_subscriber.offer(change("7", 1))
    healthy_subscriber.offer(change("7", 1))
    # The caller (the hub) keeps running past the timeout: no CancelledError here.
    await until(lambda: stuck.closed is not None)
    assert stuck.closed == (CLOSE_4008_TOO_SLOW, "Send failed")
    assert await stuck_subscriber.finished() == "disconnected"
    assert not asyncio.current_task().cancelling()
    healthy_subscriber.offer(change("7", 2))
    await until(lambda: len(healthy.frames) == 2)
    assert [f["payload"]["data"]["node"]["v"] for f in healthy.frames] == [1, 2]


async def test_a_timeout_that_does_not_fire_lets_the_write_finish():
    release = asyncio.Event()

    async def send_with_timeout(frame: str) -> None:
        async with asyncio.timeout(5):
            await release.wait()

    socket = Socket(send_with_timeout)
    subscriber = WireSubscriber("1", socket.send, socket.close)
    subscriber.offer(change("7", 1))
    subscriber.offer(change("8", 1))  # queued behind the suspended write
    release.set()
    await until(lambda: len(socket.frames) == 2)
    assert socket.closed is None
    assert not subscriber.ended


async def test_a_cancelled_error_raised_by_the_send_costs_that_socket_only():
    async def cancelled(frame: str) -> None:
        raise asyncio.CancelledError

    broken = Socket(cancelled)
    healthy = Socket(lambda frame: asyncio.sleep(0))
    subscribers = [
        WireSubscriber("1", broken.send, broken.close),
        WireSubscriber("2", healthy.send, healthy.close),
    ]
    for subscriber in subscribers:  # what a group's fan-out does; nothing escapes
        subscriber.offer(change("7", 1))
    await until(lambda: broken.closed is not None and len(healthy.frames) == 1)
    assert await subscribers[0].finished() == "disconnected"
    assert not subscribers[1].ended


async def test_an_exception_while_draining_ends_that_socket_and_frees_its_backlog():
    gate = asyncio.Event()
    calls = 0

    async def fails_second_time(frame: str) -> None:
        nonlocal calls
        calls += 1
        await gate.wait()
        if calls > 1:
            raise ConnectionResetError("peer gone")

    socket = Socket(fails_second_time)
    subscriber = WireSubscriber("1", socket.send, socket.close)
    for pk in ("1", "2", "3"):
        subscriber.offer(change(pk, 1))
    assert len(subscriber.pending) == 2
    gate.set()
    assert await asyncio.wait_for(subscriber.finished(), 5) == "disconnected"
    assert subscriber.pending == {}
    assert socket.closed == (CLOSE_4008_TOO_SLOW, "Send failed")


async def test_a_waiter_cancelled_by_someone_else_ends_the_socket_instead_of_sticking():
    """The send's own future cancelled from outside: frames used to stay in ``pending``."""
    loop = asyncio.get_running_loop()
    waiters: list[asyncio.Future[None]] = []

    async def send(frame: str) -> None:
        waiter = loop.create_future()
        waiters.append(waiter)
        await waiter

    socket = Socket(send)
    subscriber = WireSubscriber("1", socket.send, socket.close)
    subscriber.offer(change("7", 1))
    subscriber.offer(change("8", 1))
    assert subscriber.pending
    await until(lambda: bool(waiters))
    waiters[0].cancel()  # e.g. the server cancelled its flow-control waiter
    assert await asyncio.wait_for(subscriber.finished(), 5) == "disconnected"
    assert subscriber.pending == {}
    assert subscriber.writer is None
    assert socket.closed == (CLOSE_4008_TOO_SLOW, "Send failed")


async def test_stopping_a_subscriber_cancels_its_suspended_send():
    cancelled = asyncio.Event()
    never = asyncio.Event()

    async def send(frame: str) -> None:
        try:
            await never.wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    socket = Socket(send)
    subscriber = WireSubscriber("1", socket.send, socket.close)
    subscriber.offer(change("7", 1))
    assert subscriber.writer is not None
    subscriber.stop()
    await asyncio.wait_for(cancelled.wait(), 5)
    assert await subscriber.finished() == "disconnected"
    assert socket.closed is None  # the client left: nothing to tell it


async def test_finish_raises_cancelled_only_when_its_own_task_is_cancelled():
    never = asyncio.Event()

    async def send() -> None:
        await never.wait()

    stand_in = StandIn()
    pending = step(send(), stand_in)
    assert pending is not None
    writer = asyncio.create_task(finish(pending))
    stand_in.task = writer
    await asyncio.sleep(0)
    writer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await writer


async def test_finish_reports_the_sends_exception_as_send_failed():
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[None] = loop.create_future()

    async def send() -> None:
        await waiter

    pending = step(send(), StandIn())
    assert pending is not None
    waiter.set_exception(OSError("broken pipe"))
    with pytest.raises(SendFailed) as failed:
        await finish(pending)
    assert isinstance(failed.value.__cause__, OSError)


def test_the_private_asyncio_names_it_relies_on_still_exist():
    """Fails on a Python upgrade that removes what the hand-stepping uses."""
    assert callable(_stepped_send._asyncio_tasks._enter_task)
    assert callable(_stepped_send._asyncio_tasks._leave_task)
    loop = asyncio.new_event_loop()
    try:
        assert loop.create_future()._asyncio_future_blocking is False
    finally:
        loop.close()
