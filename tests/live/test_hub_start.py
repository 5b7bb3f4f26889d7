"""The hub's start outlives the subscriber that began it.

Found by the browser tests on a busy machine: the board page reloads right after it
subscribed, while the hub still waited for its database listener; the cancelled
subscription cut the hub's start half-way (channel taken, no dispatch task), and from then
on the process heard every change and delivered none.
"""

from __future__ import annotations

import asyncio

import pytest

from drf_graphql_live.live.hub import Hub
from tests.live.test_mass_subscription import retitle, subscribed
from tests.live.test_subscriptions import event, fresh_hub, orm, ws  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

SUBSCRIPTION = "subscription { tasksChanged { kind id node { title } } }"


async def test_a_subscriber_gone_while_the_hub_starts_leaves_a_working_hub(
    board, tokens, monkeypatch
):
    hub = Hub.for_running_loop()
    entered, release = asyncio.Event(), asyncio.Event()
    capture = hub._capture

    async def slow_capture() -> None:  # the database listener, slow to say it listens
        entered.set()
        await release.wait()
        await capture()

    monkeypatch.setattr(hub, "_capture", slow_capture)
    async with ws(tokens["alice"]) as first:
        assert await first.acknowledged()
        await first.subscribe(SUBSCRIPTION)
        await asyncio.wait_for(entered.wait(), 10)
    # The page reloaded: that subscription is gone, and its wait for the start with it.
    release.set()
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(SUBSCRIPTION)
        await subscribed(1)
        await orm(retitle)(board.docs.pk, "after the reload")
        change = await event(client, op)
        assert (change["kind"], change["node"]["title"]) == ("MODIFIED", "after the reload")
