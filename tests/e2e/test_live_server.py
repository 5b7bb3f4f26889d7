"""Live subscriptions end to end: a real server, real clients, writers in other processes.

sample_site runs under uvicorn (and daphne) in a subprocess on Redis (channels-redis),
so that changes made by *other* processes — a management command, a plain ORM script —
reach it. Clients: the ``gql`` library over graphql-transport-ws, and raw ``websockets``
speaking the legacy subscriptions-transport-ws protocol.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import websockets
from gql import Client, gql
from gql.transport.exceptions import TransportServerError
from gql.transport.websockets import WebsocketsTransport

from .servers import SampleSite

TASKS = gql(
    """subscription($status: String, $initial: Boolean) {
      tasksChanged(status: $status, initial: $initial) { kind id node { id title status assigneeDetail { username } } }
    }"""
)


@pytest.fixture(scope="module")
def live_site(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str, e2e_database_url: str | None
) -> Iterator[SampleSite]:
    with SampleSite(
        tmp_path_factory.mktemp("live"), database_url=e2e_database_url, redis_url=redis_url
    ) as site:
        yield site


@pytest.fixture(scope="module", params=["uvicorn", "daphne"])
def server(request: pytest.FixtureRequest, live_site: SampleSite) -> Iterator[str]:
    with live_site.server(request.param) as url:
        yield url.replace("http://", "ws://") + "/graphql/"


def bob_task_ids(site: SampleSite) -> list[int]:
    out = site.python(
        "from sample_site.board.models import Task\n"
        "print(list(Task.objects.filter(project__members__username='bob').order_by('id').values_list('id', flat=True)))"
    )
    return json.loads(out)


def transport(url: str, token: str) -> WebsocketsTransport:
    return WebsocketsTransport(
        url=url,
        init_payload={"Authorization": f"Token {token}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )


async def next_event(subscription: Any, wait: float = 40) -> dict[str, Any]:
    result = await asyncio.wait_for(subscription.__anext__(), wait)
    return result["tasksChanged"]


async def write(site: SampleSite, code: str) -> str:
    """Run ORM code in a separate Python process (not the server)."""
    return await asyncio.to_thread(
        site.python, "from sample_site.board.models import Task\n" + code
    )


async def test_gql_client_receives_snapshot_and_changes_from_other_processes(live_site, server):
    ids = bob_task_ids(live_site)
    run = uuid.uuid4().hex[:6]  # the module's servers share one database: titles must differ
    async with Client(transport=transport(server, live_site.tokens["bob"])) as session:
        events = session.subscribe(TASKS, variable_values={"initial": True})
        snapshot = [await next_event(events) for _ in ids]
        assert {e["kind"] for e in snapshot} == {"ADDED"}
        assert sorted(int(e["id"]) for e in snapshot) == ids

        # A plain ORM script in another process.
        await write(
            live_site, f"t = Task.objects.get(pk={ids[0]}); t.title = 'renamed {run}'; t.save()"
        )
        modified = await next_event(events)
        assert (modified["kind"], modified["id"], modified["node"]["title"]) == (
            "MODIFIED",
            str(ids[0]),
            f"renamed {run}",
        )

        # A rolled-back transaction in another process announces nothing; the next commit does.
        await write(
            live_site,
            "from django.db import transaction\n"
            f"with transaction.atomic():\n    Task.objects.filter(pk={ids[1]}).first().delete()\n    transaction.set_rollback(True)\n"
            f"t = Task.objects.get(pk={ids[1]}); t.title = 'after rollback {run}'; t.save()",
        )
        after = await next_event(events)
        assert (after["kind"], after["node"]["title"]) == ("MODIFIED", f"after rollback {run}")

        # A management command process.
        await asyncio.to_thread(
            live_site.manage, "shell", "-c",
            f"from sample_site.board.models import Task; Task.objects.filter(pk={ids[2]}).first().delete()",
        )  # fmt: skip
        assert await next_event(events) == {"kind": "REMOVED", "id": str(ids[2]), "node": None}

        # Bulk update + the documented publish call.
        await write(
            live_site,
            "from drf_graphql_live.signals import publish_changes\n"
            f"Task.objects.filter(pk={ids[3]}).update(status='todo' if Task.objects.get(pk={ids[3]}).status == 'done' else 'done')\n"
            f"publish_changes(Task, [{ids[3]}])",
        )
        bulk = await next_event(events)
        assert (bulk["kind"], bulk["id"]) == ("MODIFIED", str(ids[3]))


async def test_filtered_subscription_sees_rows_leave_and_enter(live_site, server):
    ids = bob_task_ids(live_site)
    target = ids[-1]
    await write(live_site, f"Task.objects.filter(pk={target}).update(status='todo')")
    async with Client(transport=transport(server, live_site.tokens["bob"])) as session:
        events = session.subscribe(TASKS, variable_values={"status": "todo", "initial": True})
        seen = set()
        while str(target) not in seen:
            seen.add((await next_event(events))["id"])
        await write(live_site, f"t = Task.objects.get(pk={target}); t.status = 'done'; t.save()")
        assert await next_event(events) == {"kind": "REMOVED", "id": str(target), "node": None}
        await write(live_site, f"t = Task.objects.get(pk={target}); t.status = 'todo'; t.save()")
        back = await next_event(events)
        assert (back["kind"], back["id"]) == ("ADDED", str(target))


async def test_bad_token_is_closed_4403_over_graphql_transport_ws(live_site, server):
    async with websockets.connect(server, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": "Token wrong"}})
        )
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd.code == 4403


async def test_gql_client_with_bad_token_fails_to_connect(live_site, server):
    with pytest.raises((TransportServerError, websockets.ConnectionClosed, Exception)):
        async with Client(transport=transport(server, "wrong")) as session:
            await session.subscribe(TASKS).__anext__()


async def recv(ws: websockets.ClientConnection) -> dict[str, Any]:
    """The next message that is not a keep-alive (``ka``)."""
    while (message := json.loads(await asyncio.wait_for(ws.recv(), 10)))["type"] == "ka":
        pass
    return message


async def test_legacy_protocol_with_raw_websockets(live_site, server):
    ids = bob_task_ids(live_site)
    run = uuid.uuid4().hex[:6]
    async with websockets.connect(server, subprotocols=["graphql-ws"]) as ws:
        await ws.send(
            json.dumps(
                {
                    "type": "connection_init",
                    "payload": {"Authorization": f"Token {live_site.tokens['bob']}"},
                }
            )
        )
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        query = "subscription($id: ID!) { taskChanged(id: $id) { kind id node { title } } }"
        payload = {"query": query, "variables": {"id": str(ids[0])}}
        await ws.send(json.dumps({"id": "1", "type": "start", "payload": payload}))
        await asyncio.sleep(0.5)  # the subscription is registered on the server
        await write(
            live_site, f"t = Task.objects.get(pk={ids[0]}); t.title = 'legacy {run}'; t.save()"
        )
        message = await recv(ws)
        assert message["type"] == "data"
        assert message["payload"]["data"]["taskChanged"] == {
            "kind": "MODIFIED",
            "id": str(ids[0]),
            "node": {"title": f"legacy {run}"},
        }
        await ws.send(json.dumps({"id": "1", "type": "stop"}))
        assert await recv(ws) == {"type": "complete", "id": "1"}


async def test_legacy_protocol_bad_token_is_closed_4403(live_site, server):
    async with websockets.connect(server, subprotocols=["graphql-ws"]) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": "Token wrong"}})
        )
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_error"
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd.code == 4403


async def test_forbidden_object_gives_a_coded_error_and_nothing_else(live_site, server):
    carol_cannot_see = bob_task_ids(live_site)[0]
    async with websockets.connect(server, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(
            json.dumps(
                {
                    "type": "connection_init",
                    "payload": {"Authorization": f"Token {live_site.tokens['carol']}"},
                }
            )
        )
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        query = "subscription($id: ID!) { taskChanged(id: $id) { kind } }"
        payload = {"query": query, "variables": {"id": str(carol_cannot_see)}}
        await ws.send(json.dumps({"id": "a", "type": "subscribe", "payload": payload}))
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert message["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"id": "a", "type": "complete"}
