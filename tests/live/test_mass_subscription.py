"""Issue 26: after a mass subscription (a deploy, every client back at once) changes
neither wait for the groups being primed nor pay for their set-up."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from drf_graphql_live.api import sync as sync_module
from drf_graphql_live.live import joins as joins_module
from sample_site.board.models import Task
from tests.live.test_batch import hops  # noqa: F401
from tests.live.test_subscriptions import TASKS, event, fresh_hub, orm, ws  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

BOUND = 30  # seconds: every wait below ends by then
VARIANTS = ({"status": "todo"}, {})


async def subscribed(count: int) -> None:
    """Until the hub holds ``count`` joined subscribers (graphql-ws acknowledges none)."""
    from drf_graphql_live.live.hub import Hub

    hub, loop = Hub.for_running_loop(), asyncio.get_running_loop()
    deadline = loop.time() + BOUND
    while sum(len(g.subscribers) for g in hub.groups.values() if not g.joining) < count:
        assert loop.time() < deadline, f"{count} subscriptions never joined"
        await asyncio.sleep(0.01)


def retitle(pk: int, title: str) -> None:
    task = Task.objects.get(pk=pk)
    task.title = title
    task.save()


async def test_the_first_change_after_the_subscriptions_runs_no_set_up(board, tokens, hops):  # noqa: F811
    """Each group's view, membership query and rendering key come from its snapshot:
    the first change runs the statements of any later one, not a set-up per group."""
    # One group per user and variables: six groups, carol's seeing none of the tasks.
    plan = [(name, variables) for name in ("alice", "bob", "carol") for variables in VARIANTS]
    clients = [ws(tokens[name]) for name, _ in plan]
    for client in clients:
        await client.__aenter__()
    try:
        ops = []
        for client, (_name, variables) in zip(clients, plan, strict=True):
            assert await client.acknowledged()
            ops.append(await client.subscribe(TASKS, variables))
        await subscribed(len(plan))
        for title in ("first", "second"):
            await orm(retitle)(board.docs.pk, title)
            for client, op in zip(clients[:4], ops[:4], strict=True):  # carol's: not hers
                assert (await event(client, op))["node"]["title"] == title
        first, second = (statements for _groups, statements in hops)
        assert len(first) == len(second), first  # no token, filter or set-up query per group
    finally:
        for client in clients:
            await client.__aexit__(None, None, None)


async def test_a_change_does_not_wait_for_a_group_being_primed(board, tokens, monkeypatch):
    """While bob's first snapshot is held in a worker thread, alice's change reaches her;
    bob then gets his snapshot and that change after it, once."""
    if sync_module._one_thread_only():
        pytest.skip("SQLite in memory runs every hop on one thread: nothing runs beside a join")
    entered, release = threading.Event(), threading.Event()
    real_snapshot = joins_module.snapshot

    def held_snapshot(operation: Any, **kwargs: Any) -> Any:
        current = real_snapshot(operation, **kwargs)
        if operation.context.headers.get("Authorization") == f"Token {tokens['bob']}":
            entered.set()
            assert release.wait(BOUND), "the test never released the snapshot"
        return current

    monkeypatch.setattr(joins_module, "snapshot", held_snapshot)
    async with ws(tokens["alice"]) as alice, ws(tokens["bob"]) as bob:
        assert await alice.acknowledged()
        assert await bob.acknowledged()
        alice_op = await alice.subscribe(TASKS)
        await subscribed(1)
        await orm(retitle)(board.design.pk, "alice is live")
        assert (await event(alice, alice_op))["node"]["title"] == "alice is live"

        bob_op = await bob.subscribe(TASKS, {"initial": True})
        assert await asyncio.to_thread(entered.wait, BOUND), "bob's snapshot never started"
        try:
            await orm(retitle)(board.docs.pk, "while bob primes")
            change = await event(alice, alice_op)  # before bob's snapshot is released
            assert (change["kind"], change["node"]["title"]) == ("MODIFIED", "while bob primes")
        finally:
            release.set()
        shared = (board.design, board.docs, board.backlog)  # bob's: the shared project's
        initial = {e["id"]: e for e in [await event(bob, bob_op) for _ in shared]}
        assert {e["kind"] for e in initial.values()} == {"ADDED"}  # as of his snapshot
        assert initial[str(board.docs.pk)]["node"]["title"] == board.docs.title
        change = await event(bob, bob_op)  # then what changed after it, once
        assert (change["kind"], change["id"]) == ("MODIFIED", str(board.docs.pk))
        assert change["node"]["title"] == "while bob primes"
        await bob.assert_nothing(0.3)

        await orm(retitle)(board.docs.pk, "both live")
        for client, op in ((alice, alice_op), (bob, bob_op)):
            assert (await event(client, op))["node"]["title"] == "both live"
