"""Two server processes on one Redis and one PostgreSQL: changes cross processes.

Subscribers on server B hear changes made by a GraphQL mutation on server A, a REST
request on A, and a management command in a third process — each exactly once, in
per-object order. Redis' own counters show a change costs the same number of Redis
commands whatever the number of subscribers.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator

import httpx
import pytest

from .servers import RedisServer, SampleSite, fresh_postgres_database
from .wsclient import Subscriber

QUERY = "subscription { tasksChanged(initial: true) { kind id node { id title } } }"


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory, postgres_url, redis_url
) -> Iterator[tuple[SampleSite, str, str, RedisServer]]:
    """Servers A (uvicorn) and B (daphne) on a fresh PostgreSQL database and a Redis of
    their own (redis-server on a free port: its command counts must be ours alone)."""
    workdir = tmp_path_factory.mktemp("cluster")
    with (
        fresh_postgres_database(postgres_url) as database,
        RedisServer.running(workdir) as own_redis,
    ):
        site = SampleSite(workdir, database_url=database, redis_url=own_redis.url)
        with site, contextlib.ExitStack() as stack:
            a = stack.enter_context(site.server("uvicorn"))
            b = stack.enter_context(site.server("daphne"))
            yield site, a, b, own_redis


def ws_url(http_url: str) -> str:
    return http_url.replace("http://", "ws://") + "/graphql/"


def bob_task(site: SampleSite) -> int:
    return int(site.python(
        "from sample_site.board.models import Task\n"
        "print(Task.objects.filter(project__members__username='bob').order_by('id').first().pk)"
    ))  # fmt: skip


def mutate(url: str, token: str, task: int, title: str) -> None:
    query = "mutation($id: ID!, $t: String) { updateTask(id: $id, input: {title: $t}) { title } }"
    body = httpx.post(
        f"{url}/graphql/", json={"query": query, "variables": {"id": task, "t": title}},
        headers={"Authorization": f"Token {token}"}, timeout=20,
    ).json()  # fmt: skip
    assert body["data"]["updateTask"]["title"] == title, body


def visible_tasks(site: SampleSite) -> int:
    return int(site.python(
        "from sample_site.board.models import Task\n"
        "print(Task.objects.filter(project__members__username='bob').distinct().count())"
    ))  # fmt: skip


async def subscribe(url: str, token: str, count: int, snapshot: int) -> list[Subscriber]:
    """``count`` live subscribers: each has received its initial snapshot (then forgotten it)."""
    subscribers = [Subscriber(ws_url(url), token, QUERY) for _ in range(count)]
    await asyncio.gather(*(s.start() for s in subscribers))
    await asyncio.gather(*(s.wait_for(snapshot, timeout=60) for s in subscribers))
    for subscriber in subscribers:
        assert len(subscriber.events) == snapshot, subscriber.events
        assert {e["data"]["tasksChanged"]["kind"] for e in subscriber.events} == {"ADDED"}
        subscriber.events.clear()
    return subscribers


def titles(subscriber: Subscriber, task: int) -> list[str]:
    return [
        e["data"]["tasksChanged"]["node"]["title"]
        for e in subscriber.events
        if e["data"]["tasksChanged"]["id"] == str(task)
    ]


async def test_changes_from_three_writers_reach_subscribers_on_the_other_process(cluster):
    site, a, b, _ = cluster
    token, task, run = site.tokens["bob"], bob_task(site), uuid.uuid4().hex[:6]
    subscribers = await subscribe(b, token, 5, visible_tasks(site))
    try:
        await asyncio.to_thread(mutate, a, token, task, f"graphql {run}")
        await asyncio.gather(*(s.wait_for(1) for s in subscribers))
        await asyncio.to_thread(
            lambda: httpx.patch(
                f"{a}/api/tasks/{task}/",
                json={"title": f"rest {run}"},
                headers={"Authorization": f"Token {token}"},
            ).raise_for_status()
        )
        await asyncio.gather(*(s.wait_for(2) for s in subscribers))
        await asyncio.to_thread(
            site.manage, "shell", "-c",
            f"from sample_site.board.models import Task; t = Task.objects.get(pk={task}); t.title = 'command {run}'; t.save()",
        )  # fmt: skip
        await asyncio.gather(*(s.wait_for(3) for s in subscribers))
        await asyncio.sleep(1.0)  # anything extra would arrive now
        for subscriber in subscribers:
            assert titles(subscriber, task) == [f"graphql {run}", f"rest {run}", f"command {run}"]
            assert [e["data"]["tasksChanged"]["kind"] for e in subscriber.events] == [
                "MODIFIED"
            ] * 3
    finally:
        await asyncio.gather(*(s.stop() for s in subscribers))


async def test_per_object_order_is_kept_across_processes(cluster):
    site, a, b, _ = cluster
    token, task, run = site.tokens["bob"], bob_task(site), uuid.uuid4().hex[:6]
    subscribers = await subscribe(b, token, 3, visible_tasks(site))
    try:
        sequence = [f"order {run} {n}" for n in range(8)]
        for title in sequence:  # back to back: the hub may coalesce, never reorder
            await asyncio.to_thread(mutate, a, token, task, title)
        for subscriber in subscribers:
            deadline = asyncio.get_running_loop().time() + 20
            while (
                not titles(subscriber, task) or titles(subscriber, task)[-1] != sequence[-1]
            ) and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.05)
            seen = titles(subscriber, task)
            assert seen[-1] == sequence[-1]
            positions = [sequence.index(t) for t in seen]
            assert positions == sorted(set(positions)), seen  # increasing, no duplicates
    finally:
        await asyncio.gather(*(s.stop() for s in subscribers))


def per_change_commands(monitored: list[str]) -> dict[str, int]:
    """Commands from a MONITOR capture, minus the hubs' heartbeats (sent every second
    whether anything changes or not) and connection handshakes."""
    counts: dict[str, int] = {}
    for line in monitored:
        if "dgl.heartbeat" in line or "]" not in line:
            continue
        command = line.split("]", 1)[1].split()[0].strip('"').upper()
        if command not in ("PING", "HELLO", "CLIENT", "SELECT", "INFO"):
            counts[command] = counts.get(command, 0) + 1
    return counts


async def commands_for_one_change(
    site: SampleSite, a: str, b: str, own_redis: RedisServer, per_server: int, title: str
) -> dict[str, int]:
    token, task = site.tokens["bob"], bob_task(site)
    snapshot = visible_tasks(site)
    subscribers = await subscribe(a, token, per_server, snapshot) + await subscribe(
        b, token, per_server, snapshot
    )
    try:
        with own_redis.monitor() as monitored:
            await asyncio.to_thread(mutate, a, token, task, title)
            await asyncio.gather(*(s.wait_for(1, timeout=60) for s in subscribers))
            await asyncio.sleep(0.5)
        assert [titles(s, task) for s in subscribers] == [[title]] * len(subscribers)
        return per_change_commands(monitored)
    finally:
        await asyncio.gather(*(s.stop() for s in subscribers))


async def test_redis_commands_per_change_do_not_depend_on_subscribers(cluster):
    site, a, b, own_redis = cluster
    run = uuid.uuid4().hex[:6]
    few = await commands_for_one_change(site, a, b, own_redis, 5, f"ten {run}")
    many = await commands_for_one_change(site, a, b, own_redis, 100, f"two hundred {run}")
    assert few == many, (few, many)
    # PostgreSQL's capture triggers carry the change to every process's LISTEN: no Redis
    # command at all (with signal capture it was one PUBLISH, heard by every process).
    assert few == {}
