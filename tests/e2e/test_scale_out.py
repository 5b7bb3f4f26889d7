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
import redis

from .servers import SampleSite
from .wsclient import Subscriber

QUERY = "subscription { tasksChanged { kind id node { id title } } }"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, postgres_url, redis_url) -> Iterator[tuple[SampleSite, str, str]]:
    site = SampleSite(
        tmp_path_factory.mktemp("cluster"), database_url=postgres_url, redis_url=redis_url
    )
    with site, contextlib.ExitStack() as stack:
        a = stack.enter_context(site.server("uvicorn"))
        b = stack.enter_context(site.server("daphne"))
        yield site, a, b


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


async def subscribe(url: str, token: str, count: int) -> list[Subscriber]:
    subscribers = [Subscriber(ws_url(url), token, QUERY) for _ in range(count)]
    await asyncio.gather(*(s.start() for s in subscribers))
    await asyncio.sleep(1.0)  # every subscription has joined its hub group
    return subscribers


def titles(subscriber: Subscriber, task: int) -> list[str]:
    return [
        e["data"]["tasksChanged"]["node"]["title"]
        for e in subscriber.events
        if e["data"]["tasksChanged"]["id"] == str(task)
    ]


async def test_changes_from_three_writers_reach_subscribers_on_the_other_process(cluster):
    site, a, b = cluster
    token, task, run = site.tokens["bob"], bob_task(site), uuid.uuid4().hex[:6]
    subscribers = await subscribe(b, token, 5)
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
    site, a, b = cluster
    token, task, run = site.tokens["bob"], bob_task(site), uuid.uuid4().hex[:6]
    subscribers = await subscribe(b, token, 3)
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


#: Our own INFO/CONFIG calls, keep-alive pings, and the handshake of a connection a
#: process opens once (HELLO, CLIENT SETINFO, SELECT): none of them is per change.
IGNORED = (
    "cmdstat_info",
    "cmdstat_config",
    "cmdstat_ping",
    "cmdstat_hello",
    "cmdstat_client",
    "cmdstat_select",
)


def redis_commands(client: redis.Redis) -> dict[str, int]:
    stats = client.info("commandstats")
    return {k: v["calls"] for k, v in stats.items() if not k.startswith(IGNORED)}


async def commands_for_one_change(
    site: SampleSite, a: str, b: str, per_server: int, title: str
) -> dict[str, int]:
    token, task = site.tokens["bob"], bob_task(site)
    subscribers = await subscribe(a, token, per_server) + await subscribe(b, token, per_server)
    client = redis.Redis.from_url(site.env["REDIS_URL"])
    try:
        client.config_resetstat()
        await asyncio.to_thread(mutate, a, token, task, title)
        await asyncio.gather(*(s.wait_for(1) for s in subscribers))
        await asyncio.sleep(0.5)
        assert all(titles(s, task) == [title] for s in subscribers)
        return redis_commands(client)
    finally:
        await asyncio.gather(*(s.stop() for s in subscribers))
        client.close()


async def test_redis_commands_per_change_do_not_depend_on_subscribers(cluster):
    site, a, b = cluster
    run = uuid.uuid4().hex[:6]
    few = await commands_for_one_change(site, a, b, 5, f"ten {run}")
    many = await commands_for_one_change(site, a, b, 100, f"two hundred {run}")
    assert few == many, (few, many)
    assert few.get("cmdstat_publish") == 1  # one change, one PUBLISH, for every process
