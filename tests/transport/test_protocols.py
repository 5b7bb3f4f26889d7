"""The protocol handlers' own rules, in-process through sample_site's ASGI app.

graphql-transport-ws: every malformed field of every client message closes with 4400
and a reason; an operation past the per-connection cap is refused with
TOO_MANY_OPERATIONS. Legacy subscriptions-transport-ws: a frame it cannot read gets a
``connection_error`` and the socket stays open; the cap's refusal carries the code too.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.layers import channel_layers
from rest_framework.authtoken.models import Token

from drf_graphql_live.asgi import live_application
from drf_graphql_live.exceptions import TOO_MANY_OPERATIONS
from drf_graphql_live.live.hub import Hub
from drf_graphql_live.testing import GraphQLWSClient
from sample_site.asgi import application, django_asgi_app
from sample_site.schema import schema

#: The handshake may read the session and credentials, as on a server.
pytestmark = pytest.mark.django_db(transaction=True)

TASKS = "subscription { tasksChanged { kind id } }"
LEGACY = "graphql-ws"

MALFORMED = {
    "connection_init payload": {"type": "connection_init", "payload": "x"},
    "connection_init payload list": {"type": "connection_init", "payload": []},
    "ping payload": {"type": "ping", "payload": "x"},
    "pong payload": {"type": "pong", "payload": 1},
    "subscribe id missing": {"type": "subscribe", "payload": {"query": TASKS}},
    "subscribe id number": {"id": 1, "type": "subscribe", "payload": {"query": TASKS}},
    "subscribe id empty": {"id": "", "type": "subscribe", "payload": {"query": TASKS}},
    "subscribe payload missing": {"id": "1", "type": "subscribe"},
    "subscribe payload string": {"id": "1", "type": "subscribe", "payload": "x"},
    "subscribe query missing": {"id": "1", "type": "subscribe", "payload": {}},
    "subscribe query number": {"id": "1", "type": "subscribe", "payload": {"query": 1}},
    "subscribe variables": {
        "id": "1",
        "type": "subscribe",
        "payload": {"query": TASKS, "variables": "x"},
    },
    "subscribe operationName": {
        "id": "1",
        "type": "subscribe",
        "payload": {"query": TASKS, "operationName": 1},
    },
    "subscribe extensions": {
        "id": "1",
        "type": "subscribe",
        "payload": {"query": TASKS, "extensions": "x"},
    },
    "complete id number": {"id": 1, "type": "complete"},
    "complete id missing": {"type": "complete"},
    "unknown type": {"type": "next", "id": "1", "payload": {}},
    "type missing": {"id": "1"},
    "not an object": ["subscribe"],
}


@pytest.fixture
async def fresh_hub():
    """A fresh in-memory layer per test (its queues belong to one event loop)."""
    channel_layers.backends.clear()
    yield
    await Hub.for_running_loop().close()
    channel_layers.backends.clear()


@pytest.fixture
def tokens(board) -> dict[str, str]:
    return {u.username: Token.objects.create(user=u).key for u in (board.alice, board.bob)}


async def acknowledged(client: GraphQLWSClient) -> GraphQLWSClient:
    assert await client.acknowledged()
    return client


async def close_of(client: GraphQLWSClient) -> dict[str, Any]:
    """The close the server sends next, skipping text frames."""
    while (message := await client.communicator.receive_output(3))["type"] != "websocket.close":
        pass
    return message


@pytest.mark.parametrize("message", MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_message_closes_4400_with_a_reason(message):
    client = GraphQLWSClient(application)
    connected, _ = await client.communicator.connect()
    assert connected
    if not (isinstance(message, dict) and message.get("type") == "connection_init"):
        await client.communicator.send_json_to({"type": "connection_init"})
        assert json.loads((await client.communicator.receive_output(3))["text"]) == {
            "type": "connection_ack"
        }
    await client.communicator.send_json_to(message)
    closed = await close_of(client)
    assert closed["code"] == 4400
    assert closed["reason"]
    await client.communicator.disconnect()


@pytest.mark.parametrize(
    "message",
    [
        {"type": "ping"},
        {"type": "ping", "payload": None},
        {"type": "ping", "payload": {"at": 1}},
    ],
)
async def test_ping_with_object_null_or_absent_payload_gets_pong(message):
    async with GraphQLWSClient(application) as client:
        await acknowledged(client)
        await client.communicator.send_json_to(message)
        assert (await client.receive())["type"] == "pong"


async def test_complete_of_an_unknown_string_id_is_accepted(fresh_hub):
    async with GraphQLWSClient(application) as client:
        await acknowledged(client)
        await client.communicator.send_json_to({"id": "nope", "type": "complete"})
        await client.communicator.send_json_to({"type": "ping"})
        assert (await client.receive())["type"] == "pong"  # still open


def capped_app(settings: Any, limit: int) -> Any:
    settings.DRF_GRAPHQL_LIVE = {"MAX_SUBSCRIPTIONS_PER_CONNECTION": limit}
    return live_application(schema, django_asgi_app)


async def test_operation_past_the_cap_is_refused_with_too_many_operations(
    settings, board, tokens, fresh_hub
):
    app = capped_app(settings, 1)
    async with GraphQLWSClient(app, {"Authorization": f"Token {tokens['alice']}"}) as client:
        await acknowledged(client)
        await client.subscribe(TASKS)
        await client.assert_nothing()
        second = await client.subscribe(TASKS)
        message = await client.receive()
        assert (message["id"], message["type"]) == (second, "error")
        assert message["payload"] == [
            {"message": "Subscription limit reached", "extensions": {"code": TOO_MANY_OPERATIONS}}
        ]


async def test_legacy_start_past_the_cap_is_refused_with_too_many_operations(
    settings, board, tokens, fresh_hub
):
    app = capped_app(settings, 1)
    token = {"Authorization": f"Token {tokens['alice']}"}
    async with GraphQLWSClient(app, token, protocol=LEGACY) as client:
        await acknowledged(client)
        await client.subscribe(TASKS)
        await client.assert_nothing()
        second = await client.subscribe(TASKS)
        message = await client.receive()
        assert (message["id"], message["type"]) == (second, "error")
        assert message["payload"]["extensions"] == {"code": TOO_MANY_OPERATIONS}


@pytest.mark.parametrize(
    "frame", ["{not json", "[1, 2]", '"text"'], ids=["invalid JSON", "array", "string"]
)
async def test_legacy_unreadable_frame_gets_connection_error_and_keeps_the_socket(frame):
    """As subscriptions-transport-ws' reference server answers it: the socket stays open."""
    async with GraphQLWSClient(application, protocol=LEGACY) as client:
        await acknowledged(client)
        await client.communicator.send_to(text_data=frame)
        while (error := await client.receive())["type"] == "ka":
            pass
        assert error["type"] == "connection_error"
        assert error["payload"]["message"]
        operation = await client.subscribe("{ __typename }")
        assert (await client.receive_next(operation)) == {"data": {"__typename": "Query"}}


async def test_legacy_frame_without_a_string_type_gets_an_error():
    async with GraphQLWSClient(application, protocol=LEGACY) as client:
        await acknowledged(client)
        await client.communicator.send_json_to({"id": "7", "type": 3})
        while (error := await client.receive())["type"] == "ka":
            pass
        assert (error["type"], error["id"]) == ("error", "7")
        operation = await client.subscribe("{ __typename }")
        assert (await client.receive_next(operation)) == {"data": {"__typename": "Query"}}
