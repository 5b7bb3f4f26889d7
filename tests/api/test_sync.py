"""run_sync: a pool of worker threads, the waiting sync caller's thread under async_to_sync."""

from __future__ import annotations

import asyncio
import threading

import pytest
from asgiref.sync import async_to_sync

from drf_graphql_live.api import sync
from drf_graphql_live.api.sync import run_sync

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def file_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in production: the test database is SQLite in memory, which keeps one thread."""
    monkeypatch.setattr(sync, "_one_thread_only", lambda: False)


async def test_run_sync_from_async_code_runs_on_a_pool_thread(file_database):
    name = await run_sync(lambda: threading.current_thread().name)
    assert name.startswith("drf-graphql-live")


def test_run_sync_under_async_to_sync_runs_on_the_callers_thread():
    """What a test inside its transaction (drf_graphql_live.testing.execute) relies on."""
    assert async_to_sync(run_sync)(threading.get_ident) == threading.get_ident()


async def test_run_sync_with_sqlite_in_memory_keeps_one_thread():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the test database is not SQLite in memory (DATABASE_URL is set)")
    assert sync._one_thread_only()
    first = await run_sync(threading.get_ident)
    assert await run_sync(threading.get_ident) == first


async def test_run_sync_answers_while_another_hop_is_busy(file_database):
    """One slow operation never holds up the others (a single thread would queue them)."""
    release = threading.Event()
    slow = asyncio.ensure_future(run_sync(release.wait, 30))
    try:
        assert await run_sync(lambda: "answered") == "answered"
        assert not slow.done()
    finally:
        release.set()
    assert await slow is True
