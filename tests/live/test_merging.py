"""A hub that falls behind catches up: updates queued while it was busy take one pass.

Every subscriber still gets each object's latest state, once, and what it may see only;
a delete, a credentials change or a resync is never merged over.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from drf_graphql_live.live import dispatch as dispatch_module
from drf_graphql_live.live.credentials import CredentialsChange
from drf_graphql_live.live.events import make_event, merged
from drf_graphql_live.live.hub import RESYNC, Hub
from sample_site.board.models import Task
from tests.live.test_batch import members
from tests.live.test_subscriptions import TASKS, event, fresh_hub, orm, ws  # noqa: F401

# The signal path and the channel layer are under test here (fixture ``signal_capture``).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("signal_capture")]


def update(pk: int, **affects: list[int]) -> Any:
    shown = {f"board.{model}": {str(p) for p in pks} for model, pks in affects.items()}
    return make_event("board.task", pk, deleted=False, affects={"board.task": {str(pk)}, **shown})


def test_merged_event_names_every_object_once_in_the_order_first_changed():
    one = merged([update(7), update(3, comment=[11]), update(7), update(5)])
    assert one["affects"] == {"board.task": ["7", "3", "5"], "board.comment": ["11"]}
    assert one["deleted"] is False


async def test_only_queued_updates_merge_up_to_a_delete_credentials_or_resync():
    hub = Hub()
    gone = make_event("board.task", 9, deleted=True, affects={"board.task": {"9"}})
    for queued in (update(2), update(3), gone, update(4)):
        hub._events.put_nowait(queued)
    assert [e["pk"] for e in hub._queued_updates(update(1))] == ["1", "2", "3"]
    assert await hub._next_event() is gone  # held back, next in its place
    assert hub._queued_updates(gone) == [gone]  # a delete is processed on its own
    assert (await hub._next_event())["pk"] == "4"
    for stop in (RESYNC, CredentialsChange(users=None)):
        hub._events.put_nowait(update(6))
        hub._events.put_nowait(stop)
        assert [e["pk"] for e in hub._queued_updates(update(5))] == ["5", "6"]
        assert await hub._next_event() is stop


def retitle(pk: int, title: str) -> None:
    task = Task.objects.get(pk=pk)
    task.title = title
    task.save()  # signals and on_commit, as a REST PATCH


async def wait_for(condition: Any, what: str, within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def test_updates_queued_behind_a_busy_hub_take_one_evaluation(board, monkeypatch):
    hops: list[int] = []
    original = dispatch_module.evaluate_batch

    def counting(work: Any) -> Any:
        hops.append(len(work))
        return original(work)

    monkeypatch.setattr(dispatch_module, "evaluate_batch", counting)
    tokens = await orm(members)(board, 2)
    second = board.design.pk
    third = (await orm(lambda: Task.objects.create(project=board.shared, title="c0"))()).pk
    async with ws(tokens[0]) as first_user, ws(tokens[1]) as second_user:
        clients = [first_user, second_user]
        ops = []
        for client in clients:
            assert await client.acknowledged()
            ops.append(await client.subscribe(TASKS))
        await second_user.assert_nothing(0.2)
        hub = Hub.for_running_loop()
        groups = list(hub.groups.values())
        assert len(groups) == 2  # one per user
        hops.clear()
        for group in groups:  # the hub is busy: it waits for these locks
            await group.lock.acquire()
        try:
            for pk, title in (
                (board.docs.pk, "a1"),
                (second, "b1"),
                (board.docs.pk, "a2"),
                (third, "c1"),
            ):
                await orm(retitle)(pk, title)
            await wait_for(lambda: hub._events.qsize() >= 3, "the updates to queue")
        finally:
            for group in groups:
                group.lock.release()
        for client, op in zip(clients, ops, strict=True):
            got = [await event(client, op) for _ in range(3)]
            # the first update was taken before the hub got busy: it goes alone, at the
            # object's state now (a2); the three queued behind it go in one pass, and
            # the docs task, unchanged since, sends nothing more
            assert [(e["id"], e["node"]["title"]) for e in got] == [
                (str(board.docs.pk), "a2"),
                (str(second), "b1"),
                (str(third), "c1"),
            ]
            assert {e["kind"] for e in got} == {"MODIFIED"}
            await client.assert_nothing(0.2)
    assert hops == [2, 2]  # two passes of both users' groups, not four
