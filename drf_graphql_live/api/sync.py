"""Running the synchronous DRF/ORM work from async code, with healthy connections.

Like Channels' ``database_sync_to_async`` (stale connections are closed before and after,
as Django does around a request) except that a connection inside an atomic block is
left alone: closing it there would poison the transaction, which is exactly the state
of a test wrapped in a transaction::

    data = await run_sync(run_action, field, context, arguments, selection)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.db import connections

__all__ = ["close_stale_connections", "run_sync"]

T = TypeVar("T")


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


async def run_sync(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``func(*args, **kwargs)`` on Django's thread-sensitive executor."""
    return await sync_to_async(_fresh, thread_sensitive=True)(func, *args, **kwargs)
