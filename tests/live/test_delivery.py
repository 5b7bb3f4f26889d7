"""Per-socket delivery: direct writes, coalescing for slow sockets, the bound, the outcome."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from graphql import GraphQLError

from drf_graphql_live.live import delivery
from drf_graphql_live.live.delivery import CLOSE_4008_TOO_SLOW, Change, WireSubscriber


class SlowSocket:
    """A socket whose writes wait until released, like a client that reads slowly."""

    def __init__(self, *, open_: bool = False) -> None:
        self.frames: list[dict] = []
        self.closed: tuple[int, str] | None = None
        self.release = asyncio.Event()
        if open_:
            self.release.set()

    async def send(self, frame: str) -> None:
        await self.release.wait()
        self.frames.append(json.loads(frame))

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)

    def kinds(self) -> list[str]:
        return [f["payload"]["data"]["kind"] for f in self.frames]

    def versions(self) -> list[Any]:
        return [f["payload"]["data"]["node"] for f in self.frames]


class Objects:
    """What a group decides: one state for all its subscribers, a Change per change."""

    def __init__(self) -> None:
        self.state: dict[str, int] = {}

    def change(self, pk: str, version: int | None) -> Change:
        had = pk in self.state
        if version is None:
            del self.state[pk]
            kind = "REMOVED"
        else:
            self.state[pk] = version
            kind = "MODIFIED" if had else "ADDED"
        node = None if version is None else {"v": version}
        bodies = {
            k: json.dumps({"data": {"kind": k, "id": pk, "node": node}})
            for k in ("ADDED", "MODIFIED", "REMOVED")
        }
        return Change(pk, kind, node, had, bodies=bodies)


def subscriber(socket: SlowSocket) -> WireSubscriber:
    return WireSubscriber(operation_id="op", send=socket.send, close=socket.close)


async def test_a_socket_that_takes_writes_gets_them_at_once_without_a_task():
    socket, objects = SlowSocket(open_=True), Objects()
    sub = subscriber(socket)
    for version in range(1, 200):
        sub.offer(objects.change("1", version))
        # written synchronously, in the offering call: no writer task, nothing queued
        assert sub.writer is None
        assert not sub.pending
        assert len(socket.frames) == version
    assert [f["id"] for f in socket.frames] == ["op"] * 199
    assert socket.versions() == [{"v": v} for v in range(1, 200)]  # nothing lost, in order


async def test_a_slow_socket_gets_the_latest_state_per_object_in_order():
    socket, objects = SlowSocket(), Objects()
    sub = subscriber(socket)
    sub.offer(objects.change("1", 1))  # being written: the socket pushes back
    assert sub.writer is not None
    for version in range(2, 50):  # piles up while the socket is slow
        sub.offer(objects.change("1", version))
        sub.offer(objects.change("2", version))
    assert len(sub.pending) == 2  # one entry per object, whatever the number of changes
    await asyncio.sleep(0.02)  # the writer task waits for the socket, it does not give up
    assert sub.writer is not None
    assert not sub.outcome.done()
    sub.offer(objects.change("3", 1))
    sub.offer(objects.change("3", None))  # added and removed before it was written: nothing
    socket.release.set()
    await asyncio.sleep(0.05)
    assert socket.kinds() == ["ADDED", "MODIFIED", "ADDED"]
    assert socket.versions() == [{"v": 1}, {"v": 49}, {"v": 49}]  # the latest state
    assert sub.writer is None  # drained: back to direct writes
    sub.offer(objects.change("1", 50))
    assert socket.versions()[-1] == {"v": 50}
    assert sub.writer is None


async def test_removed_after_unwritten_modification_is_one_removed():
    socket, objects = SlowSocket(), Objects()
    objects.state["1"] = 0  # the client has object 1
    sub = subscriber(socket)
    sub.offer(objects.change("2", 1))  # blocks the socket
    sub.offer(objects.change("1", 2))
    sub.offer(objects.change("1", None))
    socket.release.set()
    await asyncio.sleep(0.05)
    assert socket.kinds() == ["ADDED", "REMOVED"]


async def test_a_coalesced_object_needs_the_kind_the_client_is_owed():
    """Added while the socket was slow, then modified: the client must get ADDED."""
    socket, objects = SlowSocket(), Objects()
    sub = subscriber(socket)
    sub.offer(objects.change("0", 1))  # blocks the socket
    sub.offer(objects.change("1", 1))  # ADDED, unwritten
    modified = objects.change("1", 2)
    assert modified.kind == "MODIFIED"  # for the group ...
    assert sub.kinds_needed(modified) == ("ADDED",)  # ... but this client never had it
    fresh = subscriber(SlowSocket(open_=True))
    assert fresh.kinds_needed(modified) == ("MODIFIED",)


async def test_past_the_bound_the_socket_is_closed_with_4008(monkeypatch):
    monkeypatch.setattr(delivery, "MAX_PENDING", 10)
    socket, objects = SlowSocket(), Objects()
    sub = subscriber(socket)
    for pk in range(12):
        sub.offer(objects.change(str(pk), 1))
    await asyncio.sleep(0)
    assert socket.closed == (CLOSE_4008_TOO_SLOW, "Too slow")
    assert not sub.pending  # memory released at once
    sub.offer(objects.change("99", 1))
    assert not sub.pending  # and nothing more is queued for it
    assert await asyncio.wait_for(sub.finished(), 1) == "overflowed"
    sub.stop()


async def test_a_failure_is_written_last_then_the_subscription_ends():
    socket, objects = SlowSocket(), Objects()
    sub = subscriber(socket)
    sub.offer(objects.change("1", 1))  # blocks the socket
    sub.fail(GraphQLError("boom", extensions={"code": "INTERNAL_SERVER_ERROR"}))
    sub.offer(objects.change("2", 1))  # after the error: never written
    socket.release.set()
    assert await asyncio.wait_for(sub.finished(), 1) == "failed"
    assert len(socket.frames) == 2
    assert socket.frames[0]["payload"]["data"]["kind"] == "ADDED"
    error = socket.frames[-1]["payload"]
    assert error["data"] is None
    assert error["errors"][0]["extensions"]["code"] == ("INTERNAL_SERVER_ERROR")


async def test_a_closed_socket_ends_the_subscription():
    objects = Objects()

    async def gone(frame: str) -> None:
        raise OSError("connection reset")

    async def close(code: int, reason: str) -> None: ...

    sub = WireSubscriber(operation_id="op", send=gone, close=close)
    sub.offer(objects.change("1", 1))
    assert await asyncio.wait_for(sub.finished(), 1) == "disconnected"


async def test_leaving_cancels_a_blocked_writer():
    socket, objects = SlowSocket(), Objects()
    sub = subscriber(socket)
    sub.offer(objects.change("1", 1))
    writer = sub.writer
    sub.stop()
    await asyncio.sleep(0)
    assert writer is not None
    assert writer.cancelled()
    socket.release.set()
    await asyncio.sleep(0.01)
    assert socket.frames == []  # the blocked write was abandoned, not completed later


async def test_past_the_bound_the_frame_still_waiting_is_dropped_before_the_close(monkeypatch):
    """The close must not queue behind a write the stalled client has not taken."""
    monkeypatch.setattr(delivery, "MAX_PENDING", 2)
    socket, objects = SlowSocket(), Objects()
    sub = subscriber(socket)
    for pk in range(4):
        sub.offer(objects.change(str(pk), 1))  # 0 is being written, 1..3 overflow
    await asyncio.wait_for(sub.finished(), 1)
    await asyncio.sleep(0)
    assert socket.closed == (CLOSE_4008_TOO_SLOW, "Too slow")
    socket.release.set()  # the client reads again
    await asyncio.sleep(0)
    assert socket.frames == []  # only the close was left to send
    assert sub.writer is None or sub.writer.done()
