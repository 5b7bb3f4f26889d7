"""Convergence, the contract's core: at rest every client holds exactly its REST list.

Real servers (two uvicorn processes on one Redis, SQLite file or PostgreSQL), a writer
process, several users each subscribed with their own filter and selection, and a
random history on every model shape: REST creates, edits and deletes by different
users, ORM saves from another process, memberships that show and hide rows, a related
row renamed and deleted (SET_NULL), reconnections with ``after:`` to the other server,
and one server restart. A failing seed is printed; ``DGL_CONVERGENCE_SEED=<seed>``
replays it (``DGL_CONVERGENCE_STEPS`` makes the history longer).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.servers import RedisServer, fresh_postgres_database

from .history import History
from .matrix import Shape
from .models import SHAPES
from .servers import ShapesSite

SEED = int(os.environ.get("DGL_CONVERGENCE_SEED") or random.randrange(1_000_000))
STEPS = int(os.environ.get("DGL_CONVERGENCE_STEPS") or 30)


def _required(message: str) -> None:
    if "1" in (os.environ.get("DGL_REQUIRE_SERVICES"), os.environ.get("DGL_CONVERGENCE_REQUIRED")):
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def _redis(tmp: Any) -> Iterator[str]:
    given = os.environ.get("REDIS_URL") or os.environ.get("DGL_CONVERGENCE_REDIS_URL")
    if given:
        yield given  # each site has its own REDIS_PREFIX
        return
    if not shutil.which("redis-server"):
        _required("NEEDS redis-server (or REDIS_URL): two server processes share changes")
    with RedisServer.running(tmp) as server:
        yield server.url


@contextlib.contextmanager
def _database() -> Iterator[str | None]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield None
        return
    with fresh_postgres_database(url) as fresh:
        yield fresh


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ShapesSite, list[str], Any]]:
    tmp = tmp_path_factory.mktemp("convergence")
    with _redis(tmp) as redis_url, _database() as database_url:
        with ShapesSite(tmp, database_url, redis_url) as site:
            people = site.write({"op": "setup", "users": 4})
            with site.server() as first, site.server() as second:
                yield site, [first, second], people


@pytest.mark.parametrize("name", list(SHAPES))
async def test_every_client_converges_to_its_rest_list(name, served):
    site, urls, people = served
    seed = f"{SEED}-{name}"
    history = History(site, urls, people, Shape.of(name), random.Random(seed))
    try:
        await history.subscribe()
        await history.run(STEPS, restart=urls[1])
        await history.converged()
    except AssertionError as failure:
        raise AssertionError(f"DGL_CONVERGENCE_SEED={SEED} ({name}): {failure}") from None
    finally:
        await history.close()
