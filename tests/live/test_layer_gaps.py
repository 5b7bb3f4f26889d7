"""A dropped Redis subscription is noticed and repaired, however short the drop.

The changes a pub/sub layer carries while the hub's subscription is down are gone; the
hub must notice (it cannot count on a heartbeat going missing: redis-py retries a
publish until after the re-subscription) and resynchronise its groups. Here the drop is
Redis closing the hub's connection (``CLIENT KILL``), which is what a restart or a
network cut does to it, and the change it hides is a ``QuerySet.update`` (no signal,
no message): only the resynchronisation can bring it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

import pytest
from channels.layers import channel_layers, get_channel_layer
from redis import asyncio as aioredis

from drf_graphql_live.live import hub as hub_module
from drf_graphql_live.live.heartbeat import GapDetector
from drf_graphql_live.live.hub import Hub
from sample_site.board.models import Task
from tests.live.raw import unannounced_update
from tests.live.test_subscriptions import TASKS, event, fresh_hub, orm, ws  # noqa: F401

# The signal path and the channel layer are under test here (fixture ``signal_capture``).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("signal_capture")]


@pytest.fixture
def pubsub_layer(settings: Any, redis_url: str) -> None:
    """channels-redis' pub/sub layer, on a prefix of this test's own."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": f"gaps-{uuid.uuid4().hex[:8]}"},
        }
    }
    channel_layers.backends.clear()


async def kill_connection(redis_url: str, connection: Any) -> None:
    """Have Redis close ``connection`` (identified by its address as Redis sees it)."""
    host, port = connection._writer.get_extra_info("sockname")[:2]
    admin = aioredis.Redis.from_url(redis_url)
    try:
        assert await admin.client_kill_filter(_type=None, addr=f"{host}:{port}") == 1
    finally:
        await admin.aclose()


async def test_a_dropped_subscription_resynchronises_the_groups(
    board, tokens, pubsub_layer, redis_url, caplog
):
    caplog.set_level(logging.WARNING, logger="drf_graphql_live")
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS, {"initial": True})
        for _ in range(4):  # design, docs, backlog, errand: the group is live
            assert (await event(client, op))["kind"] == "ADDED"
        await orm(lambda: unannounced_update(Task, board.docs.pk, title="unseen"))()
        await client.assert_nothing()  # the update sent nothing: nothing to repair yet

        (shard,) = get_channel_layer()._shards  # the connection the hub listens on
        await kill_connection(redis_url, shard._pubsub.connection)
        repaired = await event(client, op)  # redis-py reconnects; the hub resynchronises
        assert repaired == {
            "kind": "MODIFIED",
            "id": str(board.docs.pk),
            "node": {"id": board.docs.pk, "title": "unseen", "status": "TODO"},
        }
        await client.assert_nothing()  # once, not once per signal

        def retitle() -> None:
            task = Task.objects.get(pk=board.design.pk)
            task.title = "after"
            task.save()

        await orm(retitle)()  # and the subscription is live again
        assert (await event(client, op))["node"]["title"] == "after"
    logged = [r.getMessage() for r in caplog.records]
    assert any("Channel layer gap: the connection to Redis dropped" in m for m in logged)
    assert any("Channel layer back after a gap" in m for m in logged)


def test_heartbeats_lost_in_a_reconnection_do_not_start_another_gap(caplog):
    caplog.set_level(logging.WARNING, logger="drf_graphql_live")
    gap = GapDetector()
    gap.sent(1)
    assert not gap.heard(1)
    gap.sent(2)  # published into the outage: never arrives
    assert gap.reconnected()
    gap.sent(3)
    assert not gap.heard(3)  # 2 is missing, but the resynchronisation covered it
    gap.sent(4)  # ...and a heartbeat lost later is a gap of its own
    gap.sent(5)
    assert gap.heard(5)
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "Channel layer gap",
        "Channel layer back after a gap of about 0.0s",
        "Channel layer gap",
        "Channel layer back after a gap of about 1.0s",
    ]


async def test_closing_a_hub_whose_task_will_not_end_is_bounded(monkeypatch, caplog):
    """What a cancelled ``receive`` waiting on Redis did: closing waited for it for good."""
    monkeypatch.setattr(hub_module, "CLOSE_SECONDS", 0.2)
    released = asyncio.Event()

    async def stubborn() -> None:  # shrugs off cancellation until released
        while not released.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await released.wait()

    hub = Hub()
    hub._tasks = [task := asyncio.create_task(stubborn())]
    await asyncio.sleep(0)
    closing = asyncio.create_task(hub.close())
    done, _ = await asyncio.wait({closing}, timeout=10)  # not cancelled: it would swallow it
    released.set()  # whatever happened, let both end
    await task
    await closing
    assert closing in done
    assert any("still running after close" in r.getMessage() for r in caplog.records)
