"""Distinct users, decided at once (drf_graphql_live.live.batch).

Every subscriber a different user: each is its own group, yet a change costs the same
SQL statements for 2 users as for 8, and each user still sees exactly what their REST
endpoint shows.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from drf_graphql_live.live import dispatch as dispatch_module
from drf_graphql_live.live import hub as hub_module
from sample_site.board.models import Task
from tests.live.test_subscriptions import TASKS, event, fresh_hub, orm, ws  # noqa: F401

# The signal path and the channel layer are under test here (fixture ``signal_capture``).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("signal_capture")]


def members(board: Any, count: int) -> list[str]:
    """``count`` new users in the shared project, each with a token."""
    tokens = []
    for n in range(count):
        user = get_user_model().objects.create_user(f"member{count}-{n}", password="x")
        board.shared.members.add(user)
        tokens.append(Token.objects.create(user=user).key)
    return tokens


@pytest.fixture
def hops(monkeypatch) -> list[tuple[int, list[str]]]:
    """(groups, SQL statements) of every batched evaluation."""
    recorded: list[tuple[int, list[str]]] = []
    original = dispatch_module.evaluate_batch

    def recording(work: Any) -> Any:
        with CaptureQueriesContext(connection) as captured:
            results = original(work)
        recorded.append((len(work), [q["sql"] for q in captured.captured_queries]))
        return results

    monkeypatch.setattr(dispatch_module, "evaluate_batch", recording)
    return recorded


async def statements_for_a_change(board: Any, tokens: list[str], hops: list) -> list[str]:
    clients = [ws(token) for token in tokens]
    ops = []
    for client in clients:
        await client.__aenter__()
        assert await client.acknowledged()
        ops.append(await client.subscribe(TASKS))
    await clients[-1].assert_nothing(0.2)
    try:
        for title in ("first", "second"):  # the first change authenticates each group once
            hops.clear()
            await orm(lambda t=title: Task.objects.filter(pk=board.docs.pk).update(title=t))()
            await orm(lambda: Task.objects.get(pk=board.docs.pk).save())()
            for client, op in zip(clients, ops, strict=True):
                assert (await event(client, op))["node"]["title"] == title
    finally:
        for client in clients:
            await client.__aexit__()
    groups, statements = hops[-1]  # the second change's (events are processed in order)
    assert groups == len(tokens)  # one group per user
    return statements


async def test_sql_per_change_does_not_grow_with_distinct_users(board, hops, monkeypatch):
    monkeypatch.setattr(hub_module, "LINGER_SECONDS", 0)  # the first run's groups then go
    few = await orm(members)(board, 2)
    many = await orm(members)(board, 8)
    assert len(await statements_for_a_change(board, few, hops)) == len(
        await statements_for_a_change(board, many, hops)
    )


async def test_a_batch_still_sees_as_each_user(board, hops):
    """alice and carol in one batch: a change to alice's own project reaches alice only."""
    alice_token, carol_token = await orm(
        lambda: [Token.objects.create(user=u).key for u in (board.alice, board.carol)]
    )()
    async with ws(alice_token) as alice, ws(carol_token) as carol:
        assert await alice.acknowledged()
        assert await carol.acknowledged()
        alice_op = await alice.subscribe(TASKS)
        carol_op = await carol.subscribe(TASKS)
        await carol.assert_nothing()
        mine = await orm(lambda: Task.objects.create(project=board.alice_only, title="mine"))()
        theirs = await orm(lambda: Task.objects.create(project=board.carol_only, title="lab"))()
        assert (await event(alice, alice_op))["id"] == str(mine.pk)
        assert (await event(carol, carol_op))["id"] == str(theirs.pk)
        await alice.assert_nothing()
        await carol.assert_nothing()
    assert all(groups >= 1 for groups, _ in hops)


async def test_a_user_removed_from_the_project_gets_removed_in_the_batch(board, hops):
    tokens = await orm(members)(board, 2)
    async with ws(tokens[0]) as kept, ws(tokens[1]) as removed:
        assert await kept.acknowledged()
        assert await removed.acknowledged()
        kept_op = await kept.subscribe(TASKS)
        removed_op = await removed.subscribe(TASKS)
        await removed.assert_nothing()
        await orm(lambda: Task.objects.get(pk=board.docs.pk).save())()  # warm both groups

        def leave() -> None:
            user = Token.objects.get(key=tokens[1]).user
            board.shared.members.remove(user)

        await orm(leave)()
        await orm(lambda: Task.objects.filter(pk=board.docs.pk).update(title="after"))()
        await orm(lambda: Task.objects.get(pk=board.docs.pk).save())()
        seen = []
        while True:
            change = await event(removed, removed_op)
            seen.append(change)
            if change["id"] == str(board.docs.pk) and change["kind"] == "REMOVED":
                break
        modified = [await event(kept, kept_op)]
        while modified[-1]["node"] is None or modified[-1]["node"]["title"] != "after":
            modified.append(await event(kept, kept_op))


async def test_a_viewset_may_opt_out_of_batching(board, monkeypatch):
    from drf_graphql_live.live import batch as batch_module
    from sample_site.board.views import TaskViewSet

    exact: list[str] = []
    original = batch_module.evaluate

    def counting(operation: Any, pks: list[str]) -> Any:
        exact.extend(pks)
        return original(operation, pks)

    monkeypatch.setattr(TaskViewSet, "live_batch", False, raising=False)
    monkeypatch.setattr(batch_module, "evaluate", counting)
    (token,) = await orm(members)(board, 1)
    async with ws(token) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS)
        await client.assert_nothing()
        created = await orm(lambda: Task.objects.create(project=board.shared, title="exact"))()
        assert (await event(client, op))["id"] == str(created.pk)
    assert str(created.pk) in exact


async def test_a_get_queryset_that_reads_rows_is_rebuilt_at_every_change(board, monkeypatch):
    """Built from a query (the user's projects, read in Python), the membership SQL
    cannot be kept: joining another project must show its tasks at the next change."""
    from sample_site.board.models import Project
    from sample_site.board.views import TaskViewSet

    def reading_get_queryset(self: Any) -> Any:
        ids = list(Project.objects.filter(members=self.request.user).values_list("pk", flat=True))
        return Task.objects.filter(project__in=ids)

    monkeypatch.setattr(TaskViewSet, "get_queryset", reading_get_queryset)
    carol_token = await orm(lambda: Token.objects.create(user=board.carol).key)()
    async with ws(carol_token) as carol:
        assert await carol.acknowledged()
        op = await carol.subscribe(TASKS)
        await carol.assert_nothing()
        first = await orm(lambda: Task.objects.create(project=board.carol_only, title="a"))()
        assert (await event(carol, op))["id"] == str(first.pk)
        await orm(lambda: board.shared.members.add(board.carol))()
        while True:  # the shared project's tasks arrive as ADDED (membership changed)
            change = await event(carol, op)
            if change["id"] == str(board.docs.pk):
                assert change["kind"] == "ADDED"
                break


async def test_groups_sharing_a_node_each_get_their_own_document_s_frame(board):
    """Users' groups that render an object alike share its node (and the change); each
    socket still gets the frame of its own document (aliases, another field order)."""
    tokens = await orm(members)(board, 3)
    documents = [
        TASKS,
        TASKS.replace("node { id title status }", "node { status name: title id }"),
        TASKS.replace("kind id", "what: kind id"),
    ]
    clients = [ws(token) for token in tokens]
    ops = []
    for client, document in zip(clients, documents, strict=True):
        await client.__aenter__()
        assert await client.acknowledged()
        ops.append(await client.subscribe(document))
    await clients[-1].assert_nothing(0.2)
    try:
        await orm(lambda: Task.objects.filter(pk=board.docs.pk).update(title="shared"))()
        await orm(lambda: Task.objects.get(pk=board.docs.pk).save())()
        frames = [
            (await c.receive_next(op))["data"]["tasksChanged"]
            for c, op in zip(clients, ops, strict=True)
        ]
    finally:
        for client in clients:
            await client.__aexit__()
    docs = board.docs.pk
    assert frames[0] == {
        "kind": "MODIFIED",
        "id": str(docs),
        "node": {"id": docs, "title": "shared", "status": "TODO"},
    }
    assert frames[1] == {
        "kind": "MODIFIED",
        "id": str(docs),
        "node": {"status": "TODO", "name": "shared", "id": docs},
    }
    assert list(frames[1]["node"]) == ["status", "name", "id"]
    assert frames[2] == {
        "what": "MODIFIED",
        "id": str(docs),
        "node": {"id": docs, "title": "shared", "status": "TODO"},
    }


async def test_distinct_users_groups_share_one_document_and_fetch(board, hops):
    """Per user's group, only what is the user's: the bound document and the shared
    rendering's compiled fetch are one for all users with the same selection."""
    from drf_graphql_live.live import batch
    from drf_graphql_live.live.hub import Hub

    tokens = await orm(members)(board, 3)
    clients = [ws(token) for token in tokens]
    for client in clients:
        await client.__aenter__()
    try:
        ops = []
        for client in clients:
            assert await client.acknowledged()
            ops.append(await client.subscribe(TASKS))
        await clients[-1].assert_nothing(0.2)
        await orm(lambda: Task.objects.filter(pk=board.docs.pk).update(title="shared"))()
        await orm(lambda: Task.objects.get(pk=board.docs.pk).save())()
        for client, op in zip(clients, ops, strict=True):
            assert (await event(client, op))["node"]["title"] == "shared"
        groups = list(Hub.for_running_loop().groups.values())
        assert len(groups) == 3  # one per user
        assert len({id(group.document) for group in groups}) == 1
        keys = {group.cache.render_key for group in groups}
        assert len(keys) == 1
        assert keys.pop() in batch._FETCHES
    finally:
        for client in clients:
            await client.__aexit__()
