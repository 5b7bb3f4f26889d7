"""The resume log (live/journal.py) and its stores (live/resume_store.py), without sockets.

A group's log must let any process rebuild what a client had at any cursor handed out
within the window, stay bounded, and refuse what it cannot know.
"""

from __future__ import annotations

import uuid

import pytest

from drf_graphql_live.live import journal as journal_module
from drf_graphql_live.live.cursors import Cursor, Position, decode, encode
from drf_graphql_live.live.journal import Journal, Missed, catch_up, digest, merged, replay
from drf_graphql_live.live.resume_store import MemoryResumeStore, RedisResumeStore


class Group:
    """A group's state as groups.py keeps it, logged through a Journal."""

    def __init__(self, state: dict[str, str], window: float = 120) -> None:
        self.state = dict(state)
        self.journal = Journal("key", window)
        self.journal.start(self.state)
        self.stored: list[list] = []

    def change(self, pk: str, fingerprint: str | None) -> int:
        if fingerprint is None:
            self.state.pop(pk, None)
        else:
            self.state[pk] = fingerprint
        self.journal.record(pk, fingerprint, self.state)
        return self.journal.version

    def save(self) -> None:
        entries, drop = self.journal.take()
        self.stored.extend(entries)
        del self.stored[:drop]

    def had(self, version: int) -> dict[str, str] | None:
        missed = replay(self.stored, version, "key")
        return None if missed is None else missed.had


def digests(state: dict[str, str]) -> dict[str, str]:
    return {pk: digest(fp) for pk, fp in state.items()}


def test_every_version_handed_out_rebuilds_the_state_it_named():
    group = Group({"1": "a", "2": "b"})
    states = {group.journal.version: digests(group.state)}
    for n in range(300):  # enough for several bases
        pk = str(n % 7)
        version = group.change(pk, None if n % 5 == 0 else f"v{n}")
        states[version] = digests(group.state)
        group.save()
    assert sum(1 for entry in group.stored if entry[0] == "b") > 1
    for version, state in states.items():
        assert group.had(version) == state


def test_a_version_never_saved_or_from_another_key_cannot_be_rebuilt():
    group = Group({"1": "a"})
    group.save()
    unsaved = group.change("1", "b")  # the process died before saving it
    assert group.had(unsaved) is None
    assert replay(group.stored, 1, "another key") is None
    assert replay([], 1, "key") is None


def test_the_log_is_bounded_and_keeps_what_the_window_needs(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(journal_module, "clock", lambda: now[0])
    group = Group({str(pk): "x" for pk in range(10)}, window=120)
    group.save()
    versions = []
    for _ in range(2000):  # 2,000 changes over 2,000 s
        now[0] += 1
        versions.append((now[0], group.change("3", f"v{now[0]}")))
        group.save()
    # bounded by the window: bases every ~half window, deltas of ~one and a half windows
    assert len(group.stored) < 400
    recent = [v for at, v in versions if at >= now[0] - 120]
    assert all(group.had(v) is not None for v in recent)
    assert group.had(versions[0][1]) is None  # 2,000 s old: gone


def test_catch_up_sends_what_changed_and_nothing_about_what_it_never_saw():
    missed = Missed(had={"1": "a", "2": "b", "3": "c"}, touched={"2", "5", "6"}, known={"5"})
    now = {"1": "a", "2": "b", "4": "d"}
    assert catch_up(missed, now, order=["4", "2", "1"]) == [
        ("3", "REMOVED"),  # it had it, it may not see it now
        ("5", "REMOVED"),  # told of it before its cursor, changed since, gone now
        ("4", "ADDED"),
        ("2", "MODIFIED"),  # changed and back: a partly applied backlog may differ
    ]  # nothing for "6": touched after the cursor but never heard of, and not visible


def test_cursors_are_signed_increase_and_name_their_log():
    group = Group({})
    cursor = decode(group.journal.cursor())
    assert cursor is not None
    assert cursor.positions == (group.journal.position,)
    assert not cursor.partial
    assert decode(group.journal.cursor() + "x") is None
    assert decode("a.1.b") is None
    cursors = [group.journal.cursor() for _ in range(50)]
    assert cursors == sorted(cursors)
    assert len(set(cursors)) == 50
    partial = encode([Position("a", 1), group.journal.position], partial=True)
    assert decode(partial) == Cursor((Position("a", 1), group.journal.position), True)


def test_a_partial_cursor_resends_everything_the_client_may_hold():
    start = Missed(had={"1": "a", "2": "b"}, touched=set(), known={"1", "2"})
    end = Missed(had={"2": "b2", "3": "c"}, touched=set(), known={"2", "3"})
    now = {"2": "b2", "4": "d"}
    assert catch_up(merged([start, end]), now, order=["4", "2"]) == [
        ("1", "REMOVED"),
        ("3", "REMOVED"),  # a burst row it may have applied, deleted since
        ("4", "ADDED"),
        ("2", "MODIFIED"),  # may hold "b": sent again
    ]


async def test_memory_store_keeps_logs_a_window(monkeypatch):
    from drf_graphql_live.live import resume_store

    store = MemoryResumeStore()
    await store.save([("log", [["b", 1, 0, "k", {}], ["d", 2, 0, "1", "x"]], 0)])
    await store.save([("log", [["b", 3, 0, "k", {"1": "x"}]], 1)])  # drops the first
    assert await store.load("log") == [["d", 2, 0, "1", "x"], ["b", 3, 0, "k", {"1": "x"}]]
    later = resume_store.clock() + 121
    monkeypatch.setattr(resume_store, "clock", lambda: later)
    assert await store.load("log") is None


async def test_redis_store_round_trip_and_expiry(redis_url):
    from channels_redis.utils import decode_hosts

    prefix = f"dgl-test-{uuid.uuid4().hex[:8]}"
    store = RedisResumeStore(decode_hosts([redis_url])[0], prefix)
    try:
        entries = [["b", 1, 0.0, "k", {"1": "x"}], ["d", 2, 0.0, "1", None]]
        await store.save([("log", entries, 0), ("other", entries[:1], 0)])
        assert await store.load("log") == entries
        await store.save([("log", [["b", 2, 0.0, "k", {}]], 2)])
        assert await store.load("log") == [["b", 2, 0.0, "k", {}]]
        assert await store.load("missing") is None
        ttl = await store._redis.ttl(f"{prefix}:dgl:resume:log")
        assert 120 < ttl <= 150  # a window and a quarter: writes refresh it now and then
        await store._redis.expire(f"{prefix}:dgl:resume:log", 1)
        await store.keep(["log"])  # a live group keeps its log
        assert await store._redis.ttl(f"{prefix}:dgl:resume:log") > 100
    finally:
        await store._redis.delete(f"{prefix}:dgl:resume:log", f"{prefix}:dgl:resume:other")
        await store.close()


async def test_redis_store_sets_the_ttl_once_a_quarter_window_not_every_write(
    redis_url, monkeypatch
):
    from channels_redis.utils import decode_hosts
    from redis.asyncio.client import Pipeline

    expired: list[str] = []
    original = Pipeline.expire

    def expire(self, name, *args, **kwargs):
        expired.append(name)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "expire", expire)
    prefix = f"dgl-test-{uuid.uuid4().hex[:8]}"
    key = f"{prefix}:dgl:resume:log"
    store = RedisResumeStore(decode_hosts([redis_url])[0], prefix)
    now = [1000.0]
    store._clock = lambda: now[0]
    try:
        await store.save([("log", [["b", 1, 0.0, "k", {}]], 0)])
        assert expired == [key]  # created: its TTL at once
        for version in range(2, 31):  # a change a second for 29 s (< a quarter window)
            now[0] += 1
            await store.save([("log", [["d", version, 0.0, "1", f"v{version}"]], 0)])
        assert expired == [key]
        assert await store._redis.ttl(key) > 120  # still a window after the last write
        now[0] += 1  # 30 s after the last EXPIRE: the next write refreshes it
        await store.save([("log", [["d", 31, 0.0, "1", "v31"]], 0)])
        assert expired == [key, key]
        await store._redis.delete(key)  # Redis flushed under us: RPUSH makes a new list
        now[0] += 1
        await store.save([("log", [["b", 32, 0.0, "k", {"1": "v31"}]], 0)])
        assert 120 < await store._redis.ttl(key) <= 150
        assert len(await store.load("log")) == 1
    finally:
        await store._redis.delete(key)
        await store.close()


@pytest.mark.parametrize("window", [1, 120])
def test_a_base_is_written_at_least_every_half_window(monkeypatch, window):
    now = [0.0]
    monkeypatch.setattr(journal_module, "clock", lambda: now[0])
    group = Group({"1": "a"}, window=window)
    for step in range(10):
        now[0] += window
        group.change("1", f"v{step}")
        group.save()
    bases = [entry for entry in group.stored if entry[0] == "b"]
    assert len(bases) >= 2
