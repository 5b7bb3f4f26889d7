"""Issue 26: a group whose sockets all dropped stays live for a moment (``LINGER_SECONDS``),
so the clients coming back with ``after:`` are checked, not snapshotted again."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from drf_graphql_live.live import hub as hub_module
from drf_graphql_live.live import joins as joins_module
from drf_graphql_live.live.hub import Hub
from tests.live.test_mass_subscription import BOUND, retitle, subscribed
from tests.live.test_subscriptions import event, fresh_hub, orm, ws  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

RESUMABLE = (
    "subscription($after: String) { tasksChanged(after: $after) "
    "{ kind id cursor node { id title } } }"
)


async def until(condition: Any, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BOUND
    while not condition():
        assert loop.time() < deadline, what
        await asyncio.sleep(0.01)


@pytest.fixture
def snapshots(monkeypatch) -> list[int]:
    taken: list[int] = []
    real = joins_module.snapshot

    def counting(*args: Any, **kwargs: Any) -> Any:
        taken.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(joins_module, "snapshot", counting)
    return taken


async def live_then_away(board, token: str) -> str:
    """Subscribe, hear one change, leave; the cursor the client had applied."""
    async with ws(token) as client:
        assert await client.acknowledged()
        op = await client.subscribe(RESUMABLE)
        await subscribed(1)
        await orm(retitle)(board.docs.pk, "before the drop")
        return (await event(client, op))["cursor"]


async def test_a_client_back_within_the_linger_resumes_without_a_snapshot(board, tokens, snapshots):
    cursor = await live_then_away(board, tokens["alice"])
    assert snapshots == [1]
    await orm(retitle)(board.backlog.pk, "while away")  # its group, lingering, takes it
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(RESUMABLE, {"after": cursor})
        missed = await event(client, op)
        assert (missed["kind"], missed["id"]) == ("MODIFIED", str(board.backlog.pk))
        assert missed["node"]["title"] == "while away"
        await client.assert_nothing(0.3)  # not the change it had before the drop
        assert snapshots == [1]  # checked (authentication, permissions), not snapshotted
        await orm(retitle)(board.docs.pk, "live again")
        assert (await event(client, op))["node"]["title"] == "live again"


async def test_a_lingering_group_goes_once_the_linger_is_over(board, tokens, monkeypatch):
    monkeypatch.setattr(hub_module, "LINGER_SECONDS", 0.2)
    await live_then_away(board, tokens["alice"])
    hub = Hub.for_running_loop()
    await until(lambda: not hub.groups, "the group outlived its linger")


async def test_a_lingering_group_goes_when_its_credentials_may_have_ended(board, tokens):
    await live_then_away(board, tokens["alice"])
    hub = Hub.for_running_loop()
    assert len(hub.groups) == 1  # lingering (LINGER_SECONDS is 15 s)
    await orm(lambda: Token.objects.filter(key=tokens["alice"]).delete())()
    await until(lambda: not hub.groups, "a group of ended credentials lingered on")
