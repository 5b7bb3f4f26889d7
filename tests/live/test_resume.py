"""Resuming a subscription with ``after: <cursor>``, in-process (docs/DESIGN.md "Resume").

A client keeps the cursor of the last event it applied, goes away while rows are
renamed, created, moved in and out of its filter, deleted and made private, then
subscribes again with ``after:``. Applying what it gets by id must leave it exactly
where a fresh REST list would, with nothing about rows it may not see.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from django.test import override_settings

from drf_graphql_live.live.cursors import Position, decode, encode
from drf_graphql_live.live.hub import Hub
from drf_graphql_live.testing import GraphQLWSClient
from sample_site.asgi import application
from sample_site.board.models import Project, Task

from .test_subscriptions import fresh_hub, orm, ws  # noqa: F401  (fresh_hub: autouse)

pytestmark = pytest.mark.django_db(transaction=True)

TODO = (
    'subscription($initial: Boolean, $after: String) { tasksChanged(status: "todo", '
    "initial: $initial, after: $after) { kind id cursor node { id title status } } }"
)
ONE = (
    "subscription($id: ID!, $after: String) { taskChanged(id: $id, after: $after) "
    "{ kind id cursor node { title } } }"
)


class Replica:
    """What a client holds: events applied by id, and the cursor of the last one."""

    def __init__(self) -> None:
        self.rows: dict[str, Any] = {}
        self.cursor: str | None = None
        self.seen: list[tuple[str, str]] = []

    def apply(self, event: dict[str, Any]) -> None:
        self.seen.append((event["kind"], event["id"]))
        if event["kind"] == "REMOVED":
            self.rows.pop(event["id"], None)
        else:
            self.rows[event["id"]] = event["node"]
        self.cursor = event["cursor"]

    async def take(
        self,
        client: GraphQLWSClient,
        op: str,
        until: Callable[[], Awaitable[Any]],
        field: str = "tasksChanged",
    ) -> None:
        """Apply events until ``until()`` equals the rows (10 s at most), then expect no more."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while self.rows != await until():
            assert loop.time() < deadline, f"still {self.rows} after {self.seen}"
            if await client.communicator.receive_nothing(timeout=0.05):
                continue
            payload = await client.receive_next(op)
            assert "errors" not in payload, payload
            self.apply(payload["data"][field])
        await client.assert_nothing()


async def joined(count: int) -> None:
    """Wait (10 s at most) until the hub has ``count`` subscribers: events reach them now."""
    hub = Hub.for_running_loop()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while sum(len(group.subscribers) for group in hub.groups.values()) < count:
        assert loop.time() < deadline, "the subscription never joined"
        await asyncio.sleep(0.01)


def visible_todo(username: str) -> Callable[[], Awaitable[dict[str, Any]]]:
    """What ``GET /tasks/?status=todo`` shows the user now, as GraphQL nodes by id."""

    def rows() -> dict[str, Any]:
        tasks = Task.objects.filter(project__members__username=username, status="todo")
        return {
            str(t.pk): {"id": t.pk, "title": t.title, "status": t.status.upper()} for t in tasks
        }

    return orm(rows)


async def test_a_client_that_resumes_misses_nothing_and_learns_nothing_it_may_not_see(
    board, tokens
):
    replica = Replica()
    async with ws(tokens["bob"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TODO, {"initial": True})
        await replica.take(client, op, visible_todo("bob"))
    assert replica.rows == await visible_todo("bob")()
    assert replica.cursor

    # While bob is away (his subscription's group is gone with his socket):
    def away() -> dict[str, int]:
        docs = Task.objects.get(pk=board.docs.pk)
        docs.title = "Write the docs"  # renamed, still visible
        docs.save()
        design = Task.objects.get(pk=board.design.pk)
        design.status = "todo"  # edited into the filter
        design.save()
        created = Task.objects.create(project=board.shared, title="New", status="todo")
        gone = Task.objects.create(project=board.shared, title="Short-lived", status="todo")
        gone.delete()  # created and deleted while away: nothing at all
        backlog = Task.objects.get(pk=board.backlog.pk)
        backlog.project = board.alice_only  # made private to alice: bob loses it
        backlog.save()
        secret = Task.objects.create(project=board.carol_only, title="Secret", status="todo")
        return {"created": created.pk, "secret": secret.pk, "gone_pk": gone.pk or 0}

    ids = await orm(away)()
    resumed = Replica()
    resumed.rows = dict(replica.rows)
    async with ws(tokens["bob"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TODO, {"after": replica.cursor})
        await resumed.take(client, op, visible_todo("bob"))

    assert resumed.rows == await visible_todo("bob")()  # exactly current
    sent = {pk for _kind, pk in resumed.seen}
    assert len(resumed.seen) == len(sent), resumed.seen  # one event per object
    assert str(ids["secret"]) not in sent  # carol's task: not even its id
    assert sorted(resumed.seen) == sorted(
        [
            ("MODIFIED", str(board.docs.pk)),
            ("ADDED", str(board.design.pk)),
            ("ADDED", str(ids["created"])),
            ("REMOVED", str(board.backlog.pk)),
        ]
    )
    assert decode(resumed.cursor or "") is not None


async def test_live_events_follow_the_catch_up_with_no_gap(board, tokens):
    replica = Replica()
    async with ws(tokens["bob"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TODO, {"initial": True})
        await replica.take(client, op, visible_todo("bob"))

    await orm(lambda: Task.objects.filter(pk=board.docs.pk).update(title="quietly"))()
    await orm(lambda: Task.objects.get(pk=board.docs.pk).save())()  # announced
    async with ws(tokens["bob"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TODO, {"after": replica.cursor, "initial": True})
        await replica.take(
            client, op, visible_todo("bob")
        )  # after wins: the change, not a snapshot
        assert replica.seen[-1] == ("MODIFIED", str(board.docs.pk))
        created = await orm(
            lambda: Task.objects.create(project=board.shared, title="later", status="todo")
        )()
        await replica.take(client, op, visible_todo("bob"))
        assert replica.seen[-1] == ("ADDED", str(created.pk))
        assert replica.rows == await visible_todo("bob")()

        # and the cursor of a live event resumes too, in the same process
    async with ws(tokens["bob"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TODO, {"after": replica.cursor})
        await client.assert_nothing(timeout=1)  # nothing changed since


async def test_resuming_while_the_group_lives_on_another_socket(board, tokens):
    """The group went on without the client (its other tab): its log covers the gap."""
    replica = Replica()
    async with ws(tokens["alice"]) as other_tab:
        assert await other_tab.acknowledged()
        tab_op = await other_tab.subscribe(TODO)
        await joined(1)
        async with ws(tokens["alice"]) as client:
            assert await client.acknowledged()
            op = await client.subscribe(TODO, {"initial": True})
            await replica.take(client, op, visible_todo("alice"))

        def rename(title: str) -> None:
            task = Task.objects.get(pk=board.docs.pk)
            task.title = title
            task.save()

        for title in ("one", "two", "Write docs"):  # back to the title the client has
            await orm(rename)(title)
            event = (await other_tab.receive_next(tab_op))["data"]["tasksChanged"]
            assert event["node"]["title"] == title  # the group went on
        async with ws(tokens["alice"]) as client:
            assert await client.acknowledged()
            op = await client.subscribe(TODO, {"after": replica.cursor})
            event = (await client.receive_next(op))["data"]["tasksChanged"]
            await client.assert_nothing()
    # the object changed while away is sent once, with its latest state (a client that
    # applied part of a backlog may hold any of its versions)
    assert (event["kind"], event["id"]) == ("MODIFIED", str(board.docs.pk))
    assert event["node"]["title"] == "Write docs"


async def test_one_object_subscription_resumes(board, tokens):
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(ONE, {"id": str(board.design.pk)})
        await joined(1)

        def rename(title: str) -> None:
            task = Task.objects.get(pk=board.design.pk)
            task.title = title
            task.save()

        await orm(rename)("first")
        first = (await client.receive_next(op))["data"]["taskChanged"]
        assert first["node"] == {"title": "first"}

    await orm(rename)("second")
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(ONE, {"id": str(board.design.pk), "after": first["cursor"]})
        event = (await client.receive_next(op))["data"]["taskChanged"]
        assert (event["kind"], event["node"]) == ("MODIFIED", {"title": "second"})
        await joined(1)
        await orm(lambda: Task.objects.get(pk=board.design.pk).delete())()
        event = (await client.receive_next(op))["data"]["taskChanged"]
        assert (event["kind"], event["node"]) == ("REMOVED", None)


async def test_one_object_made_private_while_away_is_removed_not_not_found(board, tokens):
    """The client had it: resuming hears REMOVED (as it would have live), then nothing."""
    async with ws(tokens["bob"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(ONE, {"id": str(board.docs.pk)})
        await joined(1)
        await orm(lambda: Task.objects.filter(pk=board.docs.pk).update(title="seen"))()
        await orm(lambda: Task.objects.get(pk=board.docs.pk).save())()
        seen = (await client.receive_next(op))["data"]["taskChanged"]

    def make_private() -> None:
        task = Task.objects.get(pk=board.docs.pk)
        task.project = board.alice_only
        task.save()

    await orm(make_private)()
    async with ws(tokens["bob"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(ONE, {"id": str(board.docs.pk), "after": seen["cursor"]})
        event = (await client.receive_next(op))["data"]["taskChanged"]
        assert (event["kind"], event["id"], event["node"]) == ("REMOVED", str(board.docs.pk), None)
        await orm(lambda: Task.objects.filter(pk=board.docs.pk).update(title="alice's now"))()
        await orm(lambda: Task.objects.get(pk=board.docs.pk).save())()
        await client.assert_nothing()  # nothing about it any more

    async with ws(tokens["bob"]) as client:  # a plain subscribe is refused, as before
        assert await client.acknowledged()
        op = await client.subscribe(ONE, {"id": str(board.docs.pk)})
        payload = await client.receive_next(op)
        assert payload["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def expired(client: GraphQLWSClient, query: str, variables: dict[str, Any]) -> None:
    op = await client.subscribe(query, variables)
    payload = await client.receive_next(op)
    assert payload["data"] is None
    assert [e["extensions"]["code"] for e in payload["errors"]] == ["RESUME_EXPIRED"]
    assert (await client.receive()) == {"id": op, "type": "complete"}


async def test_cursors_that_cannot_be_resumed_get_resume_expired(board, tokens):
    replica = Replica()
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TODO, {"initial": True})
        await replica.take(client, op, visible_todo("alice"))
        assert replica.cursor
        decoded = decode(replica.cursor)
        assert decoded is not None
        (position,) = decoded.positions
        made_up = [
            "bogus",
            "",
            encode([Position("no-such-log", 3)]),  # signed, but no log
            encode([Position(position.log, position.version + 50)]),  # a version never logged
            encode([position, Position("no-such-log", 3)], partial=True),
            replica.cursor[:-2] + "xx",  # tampered with
        ]
        for cursor in made_up:
            await expired(client, TODO, {"after": cursor, "initial": True})
        # another subscription's cursor (another filter) is not this one's
        other = TODO.replace('status: \\"todo\\"', 'status: \\"done\\"')
        await expired(client, other.replace('"todo"', '"done"'), {"after": replica.cursor})

    async with ws(tokens["bob"]) as client:  # alice's cursor is not bob's
        assert await client.acknowledged()
        await expired(client, TODO, {"after": replica.cursor})

    with override_settings(SECRET_KEY="another deployment" * 3):
        async with ws(tokens["alice"]) as client:
            assert await client.acknowledged()
            await expired(client, TODO, {"after": replica.cursor})


async def test_a_cursor_older_than_the_window_expires(board, tokens, monkeypatch):
    replica = Replica()
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TODO, {"initial": True})
        await replica.take(client, op, visible_todo("alice"))
    from drf_graphql_live.live import resume_store

    store = Hub.for_running_loop().store
    if isinstance(store, resume_store.RedisResumeStore):  # REDIS_URL: Redis expires the key
        (position,) = decode(replica.cursor or "").positions  # type: ignore[union-attr]
        assert 0 < await store._redis.ttl(store._prefix + position.log) <= 150  # 1.25 windows
        await store._redis.delete(store._prefix + position.log)
    else:
        later = resume_store.clock() + 121  # the default window is 120 s
        monkeypatch.setattr(resume_store, "clock", lambda: later)
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        await expired(client, TODO, {"after": replica.cursor})


async def test_resume_on_the_legacy_protocol(board, tokens):
    replica = Replica()
    client = GraphQLWSClient(
        application, {"Authorization": f"Token {tokens['bob']}"}, protocol="graphql-ws"
    )
    async with client:
        assert await client.acknowledged()
        op = await client.subscribe(TODO, {"initial": True})
        await replica.take(client, op, visible_todo("bob"))
    await orm(lambda: Project.objects.get(pk=board.shared.pk).members.remove(board.bob))()
    client = GraphQLWSClient(
        application, {"Authorization": f"Token {tokens['bob']}"}, protocol="graphql-ws"
    )
    async with client:
        assert await client.acknowledged()
        op = await client.subscribe(TODO, {"after": replica.cursor})
        await replica.take(client, op, visible_todo("bob"))
    assert replica.rows == {}  # removed from the project: every task he had is REMOVED
