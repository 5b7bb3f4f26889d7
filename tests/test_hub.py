"""The hub's per-socket delivery: coalescing for slow sockets, the bound, the close code."""

from __future__ import annotations

import asyncio
import json

from drf_graphql_live import hub as hub_module
from drf_graphql_live.hub import CLOSE_4008_TOO_SLOW, WireSubscriber


async def render(kind: str) -> str:
    return json.dumps({"data": {"kind": kind}})


class SlowSocket:
    """A socket whose writes wait until released, like a client that reads slowly."""

    def __init__(self) -> None:
        self.frames: list[dict] = []
        self.closed: tuple[int, str] | None = None
        self.release = asyncio.Event()

    async def send(self, frame: str) -> None:
        await self.release.wait()
        self.frames.append(json.loads(frame))

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)


def subscriber(socket: SlowSocket) -> WireSubscriber:
    return WireSubscriber(group=None, operation_id="op", send=socket.send, close=socket.close)  # type: ignore[arg-type]


async def test_a_slow_socket_gets_the_latest_state_per_object_in_order():
    socket = SlowSocket()
    sub = subscriber(socket)
    writer = asyncio.create_task(sub.run())
    await sub.offer("1", {"v": 1}, "a", render)  # being written (socket blocked)
    await asyncio.sleep(0)
    for version in range(2, 50):  # piles up while the socket is slow
        await sub.offer("1", {"v": version}, f"v{version}", render)
        await sub.offer("2", {"v": version}, f"v{version}", render)
    assert len(sub.pending) == 2  # one entry per object, whatever the number of changes
    await sub.offer("3", {"v": 1}, "x", render)
    await sub.offer("3", None, None, render)  # added and removed before it was sent: nothing
    socket.release.set()
    await asyncio.sleep(0.05)
    assert [f["id"] for f in socket.frames] == ["op"] * 3
    assert kinds_of(socket) == ["ADDED", "MODIFIED", "ADDED"]
    writer.cancel()


def kinds_of(socket: SlowSocket) -> list[str]:
    return [f["payload"]["data"]["kind"] for f in socket.frames]


async def test_removed_after_unsent_modification_is_one_removed():
    socket = SlowSocket()
    sub = subscriber(socket)
    sub.sent = {"1": "old"}  # the client has object 1
    await sub.offer("1", {"v": 2}, "new", render)
    await sub.offer("1", None, None, render)
    socket.release.set()
    writer = asyncio.create_task(sub.run())
    await asyncio.sleep(0.05)
    assert kinds_of(socket) == ["REMOVED"]
    writer.cancel()


async def test_past_the_bound_the_socket_is_closed_with_4008(monkeypatch):
    monkeypatch.setattr(hub_module, "MAX_PENDING", 10)
    socket = SlowSocket()
    sub = subscriber(socket)
    for pk in range(11):
        await sub.offer(str(pk), {"v": 1}, "x", render)
    await asyncio.sleep(0)
    assert socket.closed == (CLOSE_4008_TOO_SLOW, "Too slow")
    assert not sub.pending  # memory released at once
    await sub.offer("99", {"v": 1}, "x", render)
    assert not sub.pending  # and nothing more is queued for it


async def test_a_subscriber_that_keeps_up_loses_nothing():
    socket = SlowSocket()
    socket.release.set()
    sub = subscriber(socket)
    writer = asyncio.create_task(sub.run())
    for version in range(1, 200):
        await sub.offer("1", {"v": version}, f"v{version}", render)
        await asyncio.sleep(0)  # the socket takes each frame as it comes
    await asyncio.sleep(0.05)
    assert len(socket.frames) == 199
    writer.cancel()
