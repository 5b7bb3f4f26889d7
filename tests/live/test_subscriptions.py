"""Live subscriptions in-process: WebsocketCommunicator against sample_site's ASGI app.

Writes go through the ORM in a worker thread and really commit (transactional
tests), so the on_commit -> channel layer -> hub -> socket path runs for real.
"""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from django.contrib.auth.models import User
from django.db import transaction
from django.test.utils import CaptureQueriesContext

from drf_graphql_live.live import batch as batch_module
from drf_graphql_live.live import dispatch as dispatch_module
from drf_graphql_live.live import hub as hub_module
from drf_graphql_live.live import joins as joins_module
from drf_graphql_live.live.hub import Hub
from drf_graphql_live.signals import publish_changes
from drf_graphql_live.testing import GraphQLWSClient
from sample_site.asgi import application
from sample_site.board.models import Comment, Task
from tests.live.raw import unannounced_update

pytestmark = pytest.mark.django_db(transaction=True)

TASKS = "subscription($initial: Boolean, $status: String) { tasksChanged(initial: $initial, status: $status) { kind id node { id title status } } }"
TASK = "subscription($id: ID!) { taskChanged(id: $id) { kind id node { title assigneeDetail { username } } } }"


@pytest.fixture(autouse=True)
async def fresh_hub():
    """A fresh in-memory layer per test (its queues belong to one event loop)."""
    channel_layers.backends.clear()
    yield
    await Hub.for_running_loop().close()
    channel_layers.backends.clear()


def ws(token: str | None = None, **kwargs: Any) -> GraphQLWSClient:
    return GraphQLWSClient(
        application, {"Authorization": f"Token {token}"} if token else {}, **kwargs
    )


def orm(func):
    return sync_to_async(func, thread_sensitive=True)


async def event(client: GraphQLWSClient, op: str, field: str = "tasksChanged") -> dict[str, Any]:
    payload = await client.receive_next(op)
    assert "errors" not in payload, payload
    return payload["data"][field]


async def test_initial_snapshot_then_live_changes(board, tokens):
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS, {"initial": True})
        initial = [await event(client, op) for _ in range(4)]
        assert {e["kind"] for e in initial} == {"ADDED"}
        assert sorted(int(e["id"]) for e in initial) == sorted(
            t.pk for t in (board.design, board.docs, board.backlog, board.errand)
        )

        def retitle() -> None:
            task = Task.objects.get(pk=board.docs.pk)
            task.title = "x"
            task.save()

        await orm(retitle)()
        modified = await event(client, op)
        assert modified == {
            "kind": "MODIFIED",
            "id": str(board.docs.pk),
            "node": {"id": board.docs.pk, "title": "x", "status": "TODO"},
        }

        created = await orm(lambda: Task.objects.create(project=board.shared, title="new one"))()
        assert await event(client, op) == {
            "kind": "ADDED",
            "id": str(created.pk),
            "node": {"id": created.pk, "title": "new one", "status": "TODO"},
        }

        await orm(lambda: Task.objects.get(pk=created.pk).delete())()
        assert await event(client, op) == {"kind": "REMOVED", "id": str(created.pk), "node": None}
        await client.assert_nothing()


async def test_object_leaving_and_entering_the_filter(board, tokens):
    async with ws(tokens["bob"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS, {"status": "todo"})
        await client.assert_nothing()  # no initial snapshot unless asked

        def set_status(task: Task, status: str) -> None:
            task.status = status
            task.save()

        await orm(set_status)(board.docs, "done")
        assert await event(client, op) == {
            "kind": "REMOVED",
            "id": str(board.docs.pk),
            "node": None,
        }
        await orm(set_status)(board.design, "todo")
        added = await event(client, op)
        assert (added["kind"], added["id"]) == ("ADDED", str(board.design.pk))


async def test_invisible_objects_are_never_sent(board, tokens):
    async with ws(tokens["bob"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS)
        await client.assert_nothing()

        def touch_invisible() -> None:
            board.errand.title = "secret"  # alice-only project
            board.errand.save()
            board.lab.delete()  # carol's

        await orm(touch_invisible)()
        await client.assert_nothing(0.5)

        def groom() -> None:
            Task.objects.filter(pk=board.backlog.pk).update(title="groomed")
            publish_changes(Task, [board.backlog.pk])

        await orm(groom)()
        assert (await event(client, op))["node"]["title"] == "groomed"  # the stream is alive


async def test_rolled_back_transaction_publishes_nothing(board, tokens):
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS)
        await client.assert_nothing()  # the subscription is live once this passes

        def rolled_back() -> None:
            with transaction.atomic():
                Task.objects.create(project=board.shared, title="never")
                board.docs.title = "never either"
                board.docs.save()
                transaction.set_rollback(True)

        await orm(rolled_back)()
        await client.assert_nothing(0.5)
        created = await orm(lambda: Task.objects.create(project=board.shared, title="committed"))()
        assert (await event(client, op))["id"] == str(created.pk)


async def test_permission_change_makes_objects_appear_and_disappear(board, tokens):
    async with ws(tokens["carol"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS)
        await client.assert_nothing()  # the subscription is live once this passes
        await orm(lambda: board.shared.members.add(board.carol))()
        added = sorted([(await event(client, op))["id"] for _ in range(3)])
        assert added == sorted(str(t.pk) for t in (board.design, board.docs, board.backlog))
        await orm(lambda: board.shared.members.remove(board.carol))()
        removed = [await event(client, op) for _ in range(3)]
        assert {e["kind"] for e in removed} == {"REMOVED"}
        assert all(e["node"] is None for e in removed)


async def test_detail_subscription_and_related_row_change(board, tokens):
    async with ws(tokens["bob"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASK, {"id": str(board.design.pk)})
        await client.assert_nothing()

        def rename_alice() -> None:
            board.alice.username = "alice2"
            board.alice.save()

        await orm(rename_alice)()  # design's assignee: its nested representation changes
        modified = await event(client, op, "taskChanged")
        assert modified == {
            "kind": "MODIFIED",
            "id": str(board.design.pk),
            "node": {"title": "Design landing page", "assigneeDetail": {"username": "alice2"}},
        }

        await orm(
            lambda: Comment.objects.create(task=board.docs, author=board.alice, body="elsewhere")
        )()
        await client.assert_nothing(0.5)  # another task's comment
        await orm(lambda: Task.objects.get(pk=board.design.pk).delete())()
        assert await event(client, op, "taskChanged") == {
            "kind": "REMOVED",
            "id": str(board.design.pk),
            "node": None,
        }


async def test_related_change_outside_the_selection_sends_nothing(board, tokens):
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS)  # selects id title status: no assignee
        await client.assert_nothing()  # the subscription is live once this passes

        def rename_bob() -> None:
            board.bob.first_name = "Robert"
            board.bob.save()

        await orm(rename_bob)()
        await client.assert_nothing(0.5)
        await orm(lambda: Task.objects.get(pk=board.docs.pk).save(update_fields=["title"]))()
        await client.assert_nothing(0.3)  # saved, but nothing it selected changed
        await orm(lambda: Task.objects.filter(pk=board.docs.pk).update(title="bulk"))()
        assert (await event(client, op))["node"]["title"] == "bulk"  # update() is announced
        await orm(lambda: publish_changes(Task, [board.docs.pk]))()
        await client.assert_nothing(0.3)  # re-announced, nothing it selected changed


async def test_subscribe_to_an_invisible_object_is_not_found(board, tokens):
    async with ws(tokens["carol"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASK, {"id": str(board.design.pk)})
        payload = await client.receive_next(op)
        assert payload["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert payload["data"] is None
        assert (await client.receive())["type"] == "complete"


async def test_anonymous_subscriber_gets_not_authenticated_and_nothing_else(board):
    async with ws() as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS)
        payload = await client.receive_next(op)
        assert payload["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
        assert (await client.receive())["type"] == "complete"
        await orm(lambda: Task.objects.create(project=board.shared, title="unseen"))()
        await client.assert_nothing(0.5)


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_bad_token_closes_4403_on_both_protocols(board, protocol):
    async with ws("not-a-token", protocol=protocol) as client:
        assert not await client.acknowledged()
        assert client.close_code == 4403


async def test_legacy_protocol_delivers_events(board, tokens):
    async with ws(tokens["alice"], protocol="graphql-ws") as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS)
        await client.assert_nothing()  # the subscription is live once this passes
        created = await orm(lambda: Task.objects.create(project=board.shared, title="legacy"))()
        assert (await event(client, op))["id"] == str(created.pk)
        query = await client.subscribe(
            "{ tasks { count } }"
        )  # queries work on the legacy socket too
        assert (await client.receive_next(query))["data"] == {"tasks": {"count": 5}}


async def test_session_user_from_cookie(board):
    from django.test import Client

    django_client = Client()
    await sync_to_async(django_client.force_login)(board.alice)
    cookie = f"sessionid={django_client.cookies['sessionid'].value}".encode()
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver"), (b"cookie", cookie)]
    async with ws(headers=headers) as client:
        assert await client.acknowledged()
        op = await client.subscribe("{ tasks { count } }")
        assert (await client.receive_next(op))["data"] == {"tasks": {"count": 4}}


async def test_one_evaluation_per_group_whatever_the_subscribers(board, tokens, monkeypatch):
    calls: list[int] = []
    original = dispatch_module.evaluate_batch

    def counting(work: Any) -> Any:
        from django.db import connection

        with CaptureQueriesContext(connection) as captured:
            results = original(work)
        calls.append((len(work), len(captured.captured_queries)))
        return results

    monkeypatch.setattr(dispatch_module, "evaluate_batch", counting)

    async def queries_for_one_change(subscribers: int, title: str) -> list[int]:
        clients = [ws(tokens["alice"]) for _ in range(subscribers)]
        ops = []
        for client in clients:
            await client.__aenter__()
            assert await client.acknowledged()
            ops.append(await client.subscribe(TASKS))
        await client.assert_nothing(0.2)
        calls.clear()
        task = await orm(Task.objects.get)(pk=board.docs.pk)
        task.title = title
        await orm(task.save)()
        for client, op in zip(clients, ops, strict=True):
            assert (await event(client, op))["node"]["title"] == title
        for client in clients:
            await client.__aexit__()
        return list(calls)

    one = await queries_for_one_change(1, "one")
    many = await queries_for_one_change(6, "six")
    assert len(one) == len(many) == 1  # one evaluation per event for the whole group
    assert one[0][0] == many[0][0] == 1  # of one group
    assert one == many  # and the same SQL


async def test_user_scopes_are_not_shared(board, tokens):
    async with ws(tokens["alice"]) as alice, ws(tokens["carol"]) as carol:
        assert await alice.acknowledged()
        assert await carol.acknowledged()
        alice_op = await alice.subscribe(TASKS)
        await alice.assert_nothing()  # the subscription is live once this passes
        carol_op = await carol.subscribe(TASKS)
        await carol.assert_nothing()  # the subscription is live once this passes
        created = await orm(lambda: Task.objects.create(project=board.alice_only, title="mine"))()
        assert (await event(alice, alice_op))["id"] == str(created.pk)
        await carol.assert_nothing(0.5)
        del carol_op


async def test_invalid_protocol_messages_close_4400(board, tokens):
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        await client.communicator.send_json_to([])
        closed = await client.communicator.receive_output(3)
        assert (closed["type"], closed["code"]) == ("websocket.close", 4400)


async def test_connection_init_with_null_payload_is_accepted(board):
    client = GraphQLWSClient(application)
    connected, _ = await client.communicator.connect()
    assert connected
    await client.communicator.send_json_to({"type": "connection_init", "payload": None})
    assert await client.acknowledged()
    await client.communicator.disconnect()


async def test_users_unaffected_by_other_users_rename(board, tokens):
    user = await orm(User.objects.get)(pk=board.carol.pk)
    async with ws(tokens["bob"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASK, {"id": str(board.docs.pk)})
        await client.assert_nothing()  # the subscription is live once this passes
        user.username = "caroline"
        await orm(user.save)()
        await client.assert_nothing(0.5)
        del op


async def test_declared_dependency_of_a_method_field(board, tokens):
    query = "subscription($id: ID!) { projectChanged(id: $id) { kind node { taskCount } } }"
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(query, {"id": str(board.shared.pk)})
        await client.assert_nothing()
        await orm(lambda: Task.objects.create(project=board.shared, title="counted"))()
        assert await event(client, op, "projectChanged") == {
            "kind": "MODIFIED",
            "node": {"taskCount": 4},
        }


async def test_database_error_ends_only_that_subscription(board, tokens, monkeypatch):
    """The batched statement fails: every group is evaluated on its own, and the one whose
    own evaluation fails too ends; the others go on."""
    from django.db import DatabaseError

    original = batch_module.evaluate

    def failing_for_carol(operation, *args, **kwargs):
        if operation.context.headers.get("Authorization", "").endswith(tokens["carol"]):
            raise DatabaseError("simulated: connection lost mid-query")
        return original(operation, *args, **kwargs)

    def failing_batch(entries):
        if entries:
            raise DatabaseError("simulated: the batched statement failed")

    monkeypatch.setattr(batch_module, "evaluate", failing_for_carol)
    monkeypatch.setattr(batch_module, "_membership", failing_batch)
    await orm(lambda: board.shared.members.add(board.carol))()
    async with ws(tokens["alice"]) as alice, ws(tokens["carol"]) as carol:
        assert await alice.acknowledged()
        assert await carol.acknowledged()
        alice_op = await alice.subscribe(TASKS)
        carol_op = await carol.subscribe(TASKS)
        await alice.assert_nothing()
        await carol.assert_nothing()
        created = await orm(lambda: Task.objects.create(project=board.shared, title="both care"))()
        assert (await event(alice, alice_op))["id"] == str(created.pk)
        failed = await carol.receive_next(carol_op)
        assert failed["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        assert (await carol.receive())["type"] == "complete"

        def bulk_retitle() -> None:
            Task.objects.filter(pk=created.pk).update(title="still live")
            publish_changes(Task, [created.pk])

        await orm(bulk_retitle)()
        assert (await event(alice, alice_op))["node"]["title"] == "still live"


@pytest.mark.usefixtures("signal_capture")  # the database capture would not miss it
async def test_resync_after_a_channel_layer_gap_sends_what_was_missed(board, tokens):
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS)
        await client.assert_nothing()

        def missed_changes() -> None:  # as if their events were lost in a Redis outage
            unannounced_update(Task, board.docs.pk, title="changed in the gap")
            unannounced_update(Task, board.backlog.pk, status="done")
            unannounced_update(Task, board.errand.pk, project=board.carol_only.pk)  # out of sight

        await orm(missed_changes)()
        await client.assert_nothing()
        hub = Hub.for_running_loop()
        hub._gap.lost("simulated outage")
        assert hub._gap.heard(hub._gap.last_sent + 1)
        hub._events.put_nowait(hub_module.RESYNC)
        received = {e["id"]: e for e in [await event(client, op) for _ in range(3)]}
        assert received[str(board.docs.pk)]["node"]["title"] == "changed in the gap"
        assert received[str(board.backlog.pk)]["node"]["status"] == "DONE"
        assert received[str(board.errand.pk)] == {
            "kind": "REMOVED",
            "id": str(board.errand.pk),
            "node": None,
        }
        await client.assert_nothing()


ORDERED = 'subscription($initial: Boolean) { tasksChanged(initial: $initial, ordering: "-title") { kind id node { title } } }'


async def test_joining_a_live_group_takes_its_state_in_the_lists_order(board, tokens, monkeypatch):
    """Later subscribers of a group are checked, not re-snapshotted, and see the same."""
    snapshots: list[int] = []
    original = joins_module.snapshot

    def counting(*args: Any, **kwargs: Any) -> Any:
        snapshots.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(joins_module, "snapshot", counting)

    def retitle(task: Task, title: str) -> None:
        task.title = title
        task.save()

    async with ws(tokens["alice"]) as first, ws(tokens["alice"]) as second:
        assert await first.acknowledged()
        assert await second.acknowledged()
        first_op = await first.subscribe(ORDERED, {"initial": True})  # same variables: a group
        assert len([await event(first, first_op) for _ in range(4)]) == 4
        await orm(retitle)(board.backlog, "zzz last in id order, first by -title")
        assert (await event(first, first_op))["kind"] == "MODIFIED"

        second_op = await second.subscribe(ORDERED, {"initial": True})
        initial = [await event(second, second_op) for _ in range(4)]
        titles = [e["node"]["title"] for e in initial]
        assert {e["kind"] for e in initial} == {"ADDED"}
        assert titles == sorted(titles, reverse=True)  # the list's order, not the group's
        assert titles[0].startswith("zzz")
        assert len(snapshots) == 1  # the second join was checked, not snapshotted

        await orm(retitle)(board.docs, "both see this")
        for client, op in ((first, first_op), (second, second_op)):
            change = await event(client, op)
            assert (change["kind"], change["node"]) == ("MODIFIED", {"title": "both see this"})
            await client.assert_nothing(0.2)


async def test_joining_a_live_detail_group_after_a_delete_is_not_found(board, tokens):
    """The subscribe request's checks run for every subscriber, even of a live group."""
    async with ws(tokens["alice"]) as first, ws(tokens["alice"]) as second:
        assert await first.acknowledged()
        assert await second.acknowledged()
        op = await first.subscribe(TASK, {"id": str(board.docs.pk)})
        await first.assert_nothing(0.2)
        await orm(lambda: Task.objects.get(pk=board.docs.pk).delete())()
        removed = await event(first, op, "taskChanged")
        assert removed == {"kind": "REMOVED", "id": str(board.docs.pk), "node": None}

        late = await second.subscribe(TASK, {"id": str(board.docs.pk)})
        payload = await second.receive_next(late)
        assert payload["data"] is None
        assert payload["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_consumer_routed_by_the_project_writes_through_its_middlewares(board, tokens):
    """Without live_application (a project's own URLRouter), frames take the consumer's send."""
    from channels.auth import AuthMiddlewareStack

    from drf_graphql_live.transport.consumers import GraphQLWSConsumer
    from sample_site.schema import schema

    sent: list[str] = []

    def spying(app: Any) -> Any:  # a project middleware that sees every outgoing message
        async def middleware(scope: Any, receive: Any, send: Any) -> Any:
            async def spy(message: dict[str, Any]) -> None:
                sent.append(message.get("text", ""))
                await send(message)

            return await app(scope, receive, spy)

        return middleware

    own_stack = spying(AuthMiddlewareStack(GraphQLWSConsumer.as_asgi(schema=schema)))
    client = GraphQLWSClient(own_stack, {"Authorization": f"Token {tokens['alice']}"})
    async with client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS)
        await client.assert_nothing(0.2)
        await orm(lambda: Task.objects.filter(pk=board.docs.pk).update(title="seen"))()
        await orm(lambda: Task.objects.get(pk=board.docs.pk).save())()
        change = await event(client, op)
        assert change["node"]["title"] == "seen"
    assert any('"title":"seen"' in text for text in sent)  # the middleware saw the frame


@pytest.mark.usefixtures("signal_capture")  # the triggers would announce the raw UPDATE
async def test_one_thread_hop_and_one_authentication_per_change_for_a_users_groups(
    board, tokens, monkeypatch
):
    """Three selections of one user are three groups, evaluated together for a change."""
    hops: list[list[str]] = []
    original = dispatch_module.evaluate_batch

    def recording(work: Any) -> Any:
        from django.db import connection

        with CaptureQueriesContext(connection) as captured:
            results = original(work)
        hops.append([q["sql"] for q in captured.captured_queries])
        return results

    monkeypatch.setattr(dispatch_module, "evaluate_batch", recording)
    selections = ["id title", "id title status", "title priority"]
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        ops = [
            await client.subscribe(f"subscription {{ tasksChanged {{ kind id node {{ {s} }} }} }}")
            for s in selections
        ]
        await client.assert_nothing(0.2)
        await orm(lambda: unannounced_update(Task, board.docs.pk, title="once"))()
        await orm(lambda: Task.objects.get(pk=board.docs.pk).save())()  # one change
        received = {}
        for _ in ops:
            message = await client.receive()
            received[message["id"]] = message["payload"]["data"]["tasksChanged"]
        assert set(received) == set(ops)
        assert all(e["node"]["title"] == "once" for e in received.values())
    assert len(hops) == 1  # one thread hop for the three groups
    token_queries = [sql for sql in hops[0] if "authtoken_token" in sql]
    assert len(token_queries) <= 1  # the token checked once at most, not once per group
    membership = [sql for sql in hops[0] if "dgl_pk" in sql]
    assert len(membership) == 1  # who sees the change: one statement for the three groups
    assert "UNION ALL" not in membership[0]  # equal SQL and values: one term serves all


class StallingServer:
    """The ASGI app behind a server whose socket stops taking frames while ``flowing`` is clear."""

    def __init__(self) -> None:
        import asyncio

        self.flowing = asyncio.Event()
        self.flowing.set()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        async def send_when_flowing(message: dict[str, Any]) -> None:
            if message["type"] == "websocket.send" and '"next"' in message.get("text", ""):
                await self.flowing.wait()  # the client stopped reading: the transport is full
            await send(message)

        return await application(scope, receive, send_when_flowing)


def retitle(pk: int, title: str) -> None:
    task = Task.objects.get(pk=pk)
    task.title = title
    task.save()


async def test_a_slow_socket_catches_up_with_each_objects_latest_state(board, tokens):
    server = StallingServer()
    slow = GraphQLWSClient(server, {"Authorization": f"Token {tokens['alice']}"})
    async with slow:
        assert await slow.acknowledged()
        op = await slow.subscribe(TASKS)
        await slow.assert_nothing(0.2)
        server.flowing.clear()
        await orm(retitle)(board.design.pk, "design 1")  # being written when the socket stalls
        for version in (1, 2, 3):
            await orm(retitle)(board.docs.pk, f"docs {version}")  # queued, coalesced
        created = await orm(lambda: Task.objects.create(project=board.shared, title="new 1"))()
        await orm(retitle)(created.pk, "new 2")  # MODIFIED for the group, but never sent here
        await slow.assert_nothing(0.3)  # the hub has taken all six changes meanwhile
        server.flowing.set()
        first, second, third = [await event(slow, op) for _ in range(3)]
        assert (first["id"], first["node"]["title"]) == (str(board.design.pk), "design 1")
        assert (second["kind"], second["id"]) == ("MODIFIED", str(board.docs.pk))
        assert second["node"]["title"] == "docs 3"  # the latest state, once
        assert (third["kind"], third["id"]) == ("ADDED", str(created.pk))  # what it is owed
        assert third["node"]["title"] == "new 2"
        await slow.assert_nothing(0.3)
        await orm(retitle)(board.docs.pk, "docs 4")  # and direct writes again
        assert (await event(slow, op))["node"]["title"] == "docs 4"


async def test_a_socket_that_stops_reading_is_closed_with_4008_then_resubscribes(
    board, tokens, monkeypatch
):
    """Past the bound of unwritten objects the socket is closed, not silently thinned."""
    from drf_graphql_live.live import delivery

    monkeypatch.setattr(delivery, "MAX_PENDING", 3)
    server = StallingServer()
    slow = GraphQLWSClient(server, {"Authorization": f"Token {tokens['alice']}"})
    async with slow:
        assert await slow.acknowledged()
        await slow.subscribe(TASKS)
        await slow.assert_nothing(0.2)
        server.flowing.clear()
        for task in (board.design, board.docs, board.backlog, board.errand):
            await orm(retitle)(task.pk, f"changed {task.pk}")  # 1 being written, 3 queued
        await orm(lambda: Task.objects.create(project=board.shared, title="one too many"))()
        closed = await slow.communicator.receive_output(3)
        assert closed == {"type": "websocket.close", "code": 4008, "reason": "Too slow"}
        server.flowing.set()

    async with ws(tokens["alice"]) as client:  # what the client does on 4008
        assert await client.acknowledged()
        op = await client.subscribe(TASKS, {"initial": True})
        titles = {(await event(client, op))["node"]["title"] for _ in range(5)}
        assert titles == {
            f"changed {t.pk}" for t in (board.design, board.docs, board.backlog, board.errand)
        } | {"one too many"}
