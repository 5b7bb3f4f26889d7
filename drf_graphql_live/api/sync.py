"""Running the synchronous DRF/ORM work from async code, with healthy connections.

Like Channels' ``database_sync_to_async`` (stale connections are closed before and after,
as Django does around a request) except that a connection inside an atomic block is
left alone: closing it there would poison the transaction, which is exactly the state
of a test wrapped in a transaction::

    data = await run_sync(run_action, field, context, arguments, selection)

The work runs on a pool of threads (:data:`WORKERS`), not on asgiref's one
thread-sensitive thread: there, every operation and every live evaluation of the
process waited in one queue, so one slow query stalled every client. Callers keep
their own order (a connection's operations: :class:`~.request.LiveContext` ``serial``;
live events: the hub awaits each in turn). When a sync caller waits on this loop
(``async_to_sync``: a test inside its transaction, a sync view), the work lands on that
caller's thread instead, as ``thread_sensitive=True`` did; so does a process whose
database is SQLite in memory (tests), which cannot take concurrent threads.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from asgiref.sync import AsyncToSync, sync_to_async
from django.db import connections
from django.db.utils import load_backend

__all__ = [
    "WORKERS",
    "close_stale_connections",
    "close_worker_connections",
    "run_event_work",
    "run_sync",
]

T = TypeVar("T")

#: Threads running DRF and the ORM (each keeps its own database connection): Python's
#: default for I/O-bound pools.
WORKERS = min(32, (os.cpu_count() or 1) + 4)
_POOL = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="drf-graphql-live")


def close_stale_connections() -> None:
    """``close_old_connections()``, minus connections in an atomic block."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def _fresh(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    close_stale_connections()
    try:
        return func(*args, **kwargs)
    finally:
        close_stale_connections()


def _one_thread_only() -> bool:
    """Whether a database is SQLite in memory (a test database): its shared cache
    answers "table is locked" to concurrent threads instead of waiting, so the work
    stays on asgiref's one thread-sensitive thread, as before.

    Read from the databases' settings, not from ``connections.all()``: called on the
    event loop, that made a connection object per alias in every socket's context
    (``connections`` is context-local there), held as long as the socket (issue 26).
    """
    return any(_sqlite_in_memory(connections.settings[alias]) for alias in connections)


def _sqlite_in_memory(settings_dict: dict[str, Any]) -> bool:
    """``connection.vendor == "sqlite" and connection.is_in_memory_db()``, from its settings."""
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper
    if wrapper.vendor != "sqlite":
        return False
    return bool(wrapper.creation_class.is_in_memory_db(settings_dict["NAME"]))


def _sync_caller_waits() -> bool:
    """Whether a sync thread waits on this loop in ``async_to_sync`` (asgiref has no
    public accessor: these are the executors its ``thread_sensitive=True`` looks up)."""
    loop = asyncio.get_running_loop()
    current = getattr(AsyncToSync.executors, "current", None)
    return current is not None or loop in AsyncToSync.loop_thread_executors


async def run_sync(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``func(*args, **kwargs)`` on a worker thread (the waiting sync caller's, if any)."""
    if _sync_caller_waits() or _one_thread_only():
        return await sync_to_async(_fresh, thread_sensitive=True)(func, *args, **kwargs)
    hop = sync_to_async(_fresh, thread_sensitive=False, executor=_POOL)
    return await hop(func, *args, **kwargs)


#: The live events' evaluations (:mod:`~drf_graphql_live.live.dispatch`), on a thread of
#: their own: in the pool's one queue a change waited behind every subscribe request
#: queued before it, so a mass subscription (a deploy: every client back at once)
#: stalled every subscriber's changes for as long as the joins took.
_EVENTS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drf-graphql-live-events")


async def run_event_work(func: Callable[..., T], *args: Any) -> T:
    """:func:`run_sync` for the hub's change evaluations: never queued behind requests."""
    if _sync_caller_waits() or _one_thread_only():
        return await sync_to_async(_fresh, thread_sensitive=True)(func, *args)
    return await sync_to_async(_fresh, thread_sensitive=False, executor=_EVENTS)(func, *args)


def close_worker_connections(timeout: float = 30) -> None:
    """Close the database connections of every pool thread (before a test database is
    dropped: PostgreSQL refuses while a connection is open). One task per thread: each
    waits at a barrier until all threads hold one."""
    barrier = threading.Barrier(WORKERS, timeout=timeout)

    def close() -> None:
        barrier.wait()
        connections.close_all()

    for future in [_POOL.submit(close) for _ in range(WORKERS)]:
        future.result(timeout=timeout)
    _EVENTS.submit(connections.close_all).result(timeout=timeout)
