"""Where resume logs (:mod:`.journal`) live: Redis with channels-redis, else memory.

A client may reconnect to any server process, so with a Redis channel layer every
group's log is a Redis list (``<prefix>:dgl:resume:<log id>``) on the layer's first
host, written before the events it covers go out, expiring between one and 1.25
``RESUME_WINDOW`` after its last write or keep-alive: the TTL (1.25 windows) is set
when the list is created and refreshed by a write at most once a quarter window, not
by every write (an EXPIRE per group and change was half the store's Redis commands,
benchmarks/README.md "Resume cost"). With the in-memory layer there is one process: the logs are
in its memory, bounded by the same window (a restart forgets them, and a resume after
it gets RESUME_EXPIRED).

    store = resume_store()
    await store.save([(log_id, entries, drop)])     # one round trip for every group
    entries = await store.load(log_id)              # None: unknown or expired
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from typing import Any, Protocol

from django.conf import settings

from ..settings import live_settings
from .journal import Entry

__all__ = ["MemoryResumeStore", "RedisResumeStore", "ResumeStore", "resume_store"]

logger = logging.getLogger("drf_graphql_live")

#: The store's clock (tests move it; never patch ``time`` itself: asyncio reads it).
clock = time.monotonic
_COMPACT = (",", ":")
Write = tuple[str, list[Entry], int]  # (log id, entries to append, entries to drop first)


class ResumeStore(Protocol):
    async def save(self, writes: list[Write]) -> None: ...
    async def load(self, log: str) -> list[Entry] | None: ...
    async def keep(self, logs: list[str]) -> None: ...


class MemoryResumeStore:
    """The single-process store: logs in a dict, dropped a window after their last write."""

    def __init__(self) -> None:
        self._logs: dict[str, tuple[deque[Entry], float]] = {}
        self._swept = 0.0

    @property
    def window(self) -> float:
        return float(live_settings.RESUME_WINDOW)

    async def save(self, writes: list[Write]) -> None:
        now = clock()
        for log, entries, drop in writes:
            kept = self._logs.get(log)
            stored = kept[0] if kept else deque()
            stored.extend(entries)
            for _ in range(min(drop, len(stored))):
                stored.popleft()
            self._logs[log] = (stored, now + self.window)
        if now - self._swept > self.window / 4:
            self._swept = now
            for log in [log for log, (_, until) in self._logs.items() if until < now]:
                del self._logs[log]

    async def load(self, log: str) -> list[Entry] | None:
        kept = self._logs.get(log)
        if kept is None or kept[1] < clock():
            return None
        return list(kept[0])

    async def keep(self, logs: list[str]) -> None:
        until = clock() + self.window
        for log in logs:
            if log in self._logs:
                self._logs[log] = (self._logs[log][0], until)

    def __len__(self) -> int:
        return sum(len(entries) for entries, _ in self._logs.values())


class RedisResumeStore:
    """Logs as Redis lists, so that any process can resume any client.

    A log is written by its own process only, so the store remembers when it last set
    each log's TTL (``_ttl_set``): a write sends EXPIRE only if that was a quarter window
    ago or more (or the list was just created: RPUSH answers its new length), with a
    TTL of 1.25 windows, so the list still outlives every write by a whole window.
    """

    def __init__(self, host: dict[str, Any], prefix: str) -> None:
        from channels_redis.utils import create_pool
        from redis import asyncio as aioredis

        self._redis = aioredis.Redis(connection_pool=create_pool(host))
        self._prefix = f"{prefix}:dgl:resume:"
        self._clock = time.monotonic
        self._ttl_set: dict[str, float] = {}  # log -> self._clock() of its last EXPIRE
        self._swept = self._clock()

    @property
    def window(self) -> int:
        return max(1, round(live_settings.RESUME_WINDOW))

    @property
    def _slack(self) -> float:
        return self.window / 4

    @property
    def _ttl(self) -> int:
        return self.window + max(1, round(self._slack))

    async def save(self, writes: list[Write]) -> None:
        now = self._clock()
        pushed: list[tuple[int, str, int]] = []  # (reply index, log, entries) of RPUSHes
        expiring: list[str] = []
        async with self._redis.pipeline(transaction=False) as pipe:
            for log, entries, drop in writes:
                key = self._prefix + log
                if entries:
                    pushed.append((len(pipe), log, len(entries)))
                    pipe.rpush(key, *[json.dumps(entry, separators=_COMPACT) for entry in entries])
                if drop:
                    pipe.ltrim(key, drop, -1)
                if now - self._ttl_set.get(log, -1e18) >= self._slack:
                    pipe.expire(key, self._ttl)
                    expiring.append(log)
            replies = await pipe.execute()
        for log in expiring:
            self._ttl_set[log] = now
        # A list RPUSH created (Redis flushed or restarted under us) has no TTL yet.
        created = [
            log for index, log, count in pushed if replies[index] == count and log not in expiring
        ]
        if created:
            await self._expire(created, now)
        if now - self._swept > self._slack:  # forget logs whose TTL has run out
            self._swept = now
            stale = now - self._ttl
            for log in [log for log, at in self._ttl_set.items() if at < stale]:
                del self._ttl_set[log]

    async def load(self, log: str) -> list[Entry] | None:
        raw = await self._redis.lrange(self._prefix + log, 0, -1)
        return [json.loads(item) for item in raw] if raw else None

    async def keep(self, logs: list[str]) -> None:
        await self._expire(logs, self._clock())

    async def _expire(self, logs: list[str], now: float) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for log in logs:
                pipe.expire(self._prefix + log, self._ttl)
            await pipe.execute()
        for log in logs:
            self._ttl_set[log] = now

    async def close(self) -> None:
        await self._redis.aclose()


_MEMORY = MemoryResumeStore()


def resume_store() -> ResumeStore:
    """The store for the configured channel layer (one per event loop for Redis)."""
    layer = getattr(settings, "CHANNEL_LAYERS", {}).get(live_settings.CHANNEL_LAYER, {})
    if str(layer.get("BACKEND", "")).startswith("channels_redis."):
        from channels_redis.utils import decode_hosts

        config = layer.get("CONFIG", {})
        hosts = decode_hosts(config.get("hosts"))
        return RedisResumeStore(hosts[0], str(config.get("prefix", "asgi")))
    return _MEMORY
