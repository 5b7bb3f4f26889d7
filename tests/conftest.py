"""Fixtures for the sample_site REST tests: three users and a small board.

alice and bob share "Shared"; "Alice only" is alice's alone; carol has "Carol only"
and shares nothing with them — the per-user visibility tests hinge on that.
"""

import os
import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.utils import timezone
from rest_framework.test import APIClient

from sample_site.board.models import Comment, Project, Task

User = get_user_model()


@dataclass
class Board:
    alice: AbstractUser
    bob: AbstractUser
    carol: AbstractUser
    shared: Project
    alice_only: Project
    carol_only: Project
    design: Task  # shared, in progress, high, assigned to alice
    docs: Task  # shared, todo, normal, assigned to bob
    backlog: Task  # shared, todo, low, unassigned
    errand: Task  # alice only, done, normal, assigned to alice
    lab: Task  # carol only
    alice_comment: Comment  # on design
    bob_comment: Comment  # on design


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None) -> Iterator[None]:
    """pytest-django's test database, whose drop must not find a connection still open.

    Resolvers and the hub run the ORM on run_sync's pool threads (tests' own
    ``sync_to_async`` on asgiref's thread-sensitive thread), which keep their connections
    between operations (``CONN_MAX_AGE``), as in production: close them before the
    database is dropped.
    """
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    from drf_graphql_live.api.sync import close_worker_connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=30)
    close_worker_connections()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """seed_demo and the fixtures hash passwords; the default hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def board(db: None) -> Board:
    alice = User.objects.create_user("alice", password="demo")
    bob = User.objects.create_user("bob", password="demo")
    carol = User.objects.create_user("carol", password="demo")

    shared = Project.objects.create(name="Shared", description="alice and bob")
    shared.members.set([alice, bob])
    alice_only = Project.objects.create(name="Alice only")
    alice_only.members.set([alice])
    carol_only = Project.objects.create(name="Carol only")
    carol_only.members.set([carol])

    soon = timezone.localdate() + timedelta(days=3)
    design = Task.objects.create(
        project=shared,
        title="Design landing page",
        status=Task.Status.IN_PROGRESS,
        priority=Task.Priority.HIGH,
        assignee=alice,
        due_date=soon,
        estimate=Decimal("8.00"),
        tags=["design"],
    )
    docs = Task.objects.create(
        project=shared,
        title="Write docs",
        status=Task.Status.TODO,
        priority=Task.Priority.NORMAL,
        assignee=bob,
        due_date=soon + timedelta(days=7),
    )
    backlog = Task.objects.create(
        project=shared, title="Backlog grooming", priority=Task.Priority.LOW
    )
    errand = Task.objects.create(
        project=alice_only, title="Renew passport", status=Task.Status.DONE, assignee=alice
    )
    lab = Task.objects.create(project=carol_only, title="Calibrate sensors", assignee=carol)
    alice_comment = Comment.objects.create(task=design, author=alice, body="Mock-ups soon.")
    bob_comment = Comment.objects.create(task=design, author=bob, body="Looks good.")
    return Board(
        alice, bob, carol, shared, alice_only, carol_only,
        design, docs, backlog, errand, lab, alice_comment, bob_comment,
    )  # fmt: skip


@pytest.fixture
def client_for() -> Callable[[AbstractUser | None], APIClient]:
    """An APIClient authenticated as the given user (anonymous for ``None``)."""

    def make(user: AbstractUser | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


SERVICES = {"DATABASE_URL": "PostgreSQL", "REDIS_URL": "Redis"}


def service_url(variable: str) -> str:
    """The URL in ``variable`` if its server answers; else skip loudly, or fail in CI.

    ``.ci/run`` sets ``DGL_REQUIRE_SERVICES=1``: there a missing service is a failure.
    """
    url = os.environ.get(variable)
    problem = None
    if not url:
        problem = f"{variable} is not set"
    else:
        parsed = urlparse(url)
        try:
            socket.create_connection((parsed.hostname, parsed.port or 0), timeout=2).close()
        except OSError as exc:
            problem = f"{SERVICES[variable]} at {url} is not reachable ({exc})"
    if problem:
        message = f"NEEDS {SERVICES[variable].upper()}: {problem}; set {variable} to run this test"
        if os.environ.get("DGL_REQUIRE_SERVICES") == "1":
            pytest.fail(message + " (DGL_REQUIRE_SERVICES=1 makes this a failure)")
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def postgres_url() -> str:
    return service_url("DATABASE_URL")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``REDIS_URL``; unset, a private redis-server of this run when the binary is installed.

    The private one listens on a free loopback port with no persistence, and is stopped
    (by PID) when the run ends; without the binary the tests skip, saying so (issue 24:
    ``make test`` skipped every live-server, board and GraphiQL test on a machine
    without ``REDIS_URL``).
    """
    if os.environ.get("REDIS_URL") or not shutil.which("redis-server"):
        yield service_url("REDIS_URL")
        return
    from tests.e2e.servers import RedisServer

    with RedisServer.running(tmp_path_factory.mktemp("redis")) as server:
        yield server.url


def redis_plan() -> str:
    """What the run does for tests that need Redis (the report header says it)."""
    if os.environ.get("REDIS_URL"):
        return f"Redis: REDIS_URL={os.environ['REDIS_URL']}"
    if shutil.which("redis-server"):
        return "Redis: REDIS_URL unset; tests that need Redis start a private redis-server"
    return (
        "Redis: NOT AVAILABLE (REDIS_URL unset, no redis-server binary): the tests that "
        "need Redis SKIP; apt-get install redis-server, or set REDIS_URL"
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [redis_plan()]


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI, refuse to run the suite on SQLite when PostgreSQL was promised."""
    if os.environ.get("DGL_REQUIRE_SERVICES") == "1":
        for variable in SERVICES:
            if not os.environ.get(variable):
                raise pytest.UsageError(f"DGL_REQUIRE_SERVICES=1 but {variable} is not set")


@pytest.fixture(scope="module")
def e2e_database_url() -> Iterator[str | None]:
    """A database for a server in a subprocess: a *fresh* PostgreSQL database on the
    ``DATABASE_URL`` server (dropped afterwards: sites run ``seed_demo --flush``), or
    None for a SQLite file."""
    from tests.e2e.servers import fresh_postgres_database

    url = os.environ.get("DATABASE_URL")
    if not url:
        yield None
        return
    with fresh_postgres_database(url) as fresh:
        yield fresh


@pytest.fixture
async def fresh_hub():
    """A fresh in-memory layer per subscription test (its queues belong to one loop)."""
    from channels.layers import channel_layers

    from drf_graphql_live.live.hub import Hub

    channel_layers.backends.clear()
    yield
    await Hub.for_running_loop().close()
    channel_layers.backends.clear()


@pytest.fixture
def signal_capture(settings):
    """Changes seen by model signals only, as on SQLite, even on PostgreSQL: for tests of
    the signal path's own events and of the channel layer's gaps (the database capture
    would deliver the change the test makes the layer lose)."""
    settings.DRF_GRAPHQL_LIVE = {**getattr(settings, "DRF_GRAPHQL_LIVE", {}), "CAPTURE": "signals"}
