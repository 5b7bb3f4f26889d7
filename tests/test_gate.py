"""The one gate (drf_graphql_live.gate): every limit refuses on every transport and path.

A test per limit per transport, parametrised: a limit added to :data:`CASES` is tried on
every transport in :data:`TRANSPORTS`, and a transport added there meets every limit.
Subscriptions take the fast path over graphql-transport-ws, SSE and multipart, and
Strawberry's path over the legacy protocol; queries take Strawberry's path everywhere.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from django.test import override_settings
from graphql import GraphQLError, get_introspection_query
from graphql.language import Lexer, Source, TokenKind
from rest_framework.authtoken.models import Token
from strawberry.extensions import SchemaExtension

from drf_graphql_live.gate import over_token_limit
from drf_graphql_live.testing import GraphQLWSClient
from sample_site.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True)]

URQL_ACCEPT = "application/graphql-response+json, application/json, multipart/mixed"
#: Seconds any one answer may take (a hang fails the test instead of the run).
DEADLINE = 10
LIMIT = re.compile(r'"limit":\s*"(MAX_[A-Z_]+)"|\((MAX_[A-Z_]+)\)')


@dataclasses.dataclass(frozen=True)
class Case:
    """A document (``{field}`` is ``tasksChanged`` or ``tasks { results``) over one limit."""

    setting: str
    maximum: int
    selection: str
    variables: dict[str, Any] | None = None

    def document(self, subscription: bool) -> str:
        field = "tasksChanged" if subscription else "tasks"
        inner = self.selection.replace("{ id ", "{ node { id } ", 1)
        inner = inner if subscription else inner.replace("node", "results")
        kind = "subscription" if subscription else "query"
        return f"{kind} ($s: String) {{ {field}(search: $s) {inner} }}"


CASES = [
    Case("MAX_REQUEST_BODY_SIZE", 2_000, "{ id }", {"s": "x" * 3_000}),
    Case("MAX_TOKENS", 40, "{ id node { " + " ".join(["title"] * 40) + " } }"),
    Case("MAX_VARIABLES_SIZE", 100, "{ id }", {"s": "x" * 200}),
    Case("MAX_QUERY_DEPTH", 3, "{ node { assigneeDetail { username } } }"),
    Case("MAX_ALIASES", 2, "{ node { a: id b: id c: id } }"),
    Case("MAX_QUERY_COST", 2, "{ node { id title status priority } }"),
    Case("MAX_SEARCH_LENGTH", 10, "{ id }", {"s": "x" * 20}),
    Case("MAX_SEARCH_TERMS", 3, "{ id }", {"s": "a b c d e"}),
]


async def over_http(body: dict[str, Any], headers: dict[str, str], token: str) -> str:
    """The raw answer (JSON, or a stream up to its end) to ``body`` posted with ``headers``."""
    transport = httpx.ASGITransport(app=application)
    headers = {**headers, "Authorization": f"Token {token}"}
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
        http.stream("POST", "/graphql/", json=body, headers=headers) as response,
    ):
        text = ""
        async for chunk in response.aiter_text():
            text += chunk
            if LIMIT.search(text) or '"data"' in text:
                break
        return text


async def over_get(body: dict[str, Any], token: str) -> str:
    transport = httpx.ASGITransport(app=application)
    params = {"query": body["query"], "variables": json.dumps(body["variables"] or {})}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get(
            "/graphql/", params=params, headers={"Authorization": f"Token {token}"}
        )
        return response.text


async def over_socket(body: dict[str, Any], token: str, protocol: str) -> str:
    """What the socket answers to the operation: its error, or its close reason."""
    client = GraphQLWSClient(application, {"Authorization": f"Token {token}"}, protocol=protocol)
    async with client as ws:
        assert await ws.acknowledged()
        await ws.subscribe(body["query"], body["variables"])
        while True:
            message = await ws.communicator.receive_output(3)
            if message["type"] == "websocket.close":
                return str(message.get("reason", ""))
            if json.loads(message["text"])["type"] not in ("ka", "ping", "pong"):
                return str(message["text"])


Transport = Callable[[dict[str, Any], str], Awaitable[str]]
TRANSPORTS: dict[str, tuple[bool, Transport]] = {
    "http-json": (False, lambda b, t: over_http(b, {"Accept": "application/json"}, t)),
    "http-urql-accept": (False, lambda b, t: over_http(b, {"Accept": URQL_ACCEPT}, t)),
    "http-get": (False, over_get),
    "sse-query": (False, lambda b, t: over_http(b, {"Accept": "text/event-stream"}, t)),
    "sse": (True, lambda b, t: over_http(b, {"Accept": "text/event-stream"}, t)),
    "multipart": (
        True,
        lambda b, t: over_http(b, {"Accept": 'multipart/mixed;subscriptionSpec="1.0"'}, t),
    ),
    "graphql-transport-ws": (True, lambda b, t: over_socket(b, t, "graphql-transport-ws")),
    "graphql-transport-ws-query": (False, lambda b, t: over_socket(b, t, "graphql-transport-ws")),
    "legacy-ws": (True, lambda b, t: over_socket(b, t, "graphql-ws")),
    "legacy-ws-query": (False, lambda b, t: over_socket(b, t, "graphql-ws")),
}


@pytest.fixture
def token(board) -> str:
    return Token.objects.create(user=board.alice).key


@pytest.mark.parametrize("transport", list(TRANSPORTS))
@pytest.mark.parametrize("case", CASES, ids=[case.setting for case in CASES])
async def test_every_limit_refuses_on_every_transport(token, case, transport):
    subscription, send = TRANSPORTS[transport]
    body = {"query": case.document(subscription), "variables": case.variables}
    if transport == "http-get" and case.setting == "MAX_REQUEST_BODY_SIZE":
        pytest.skip("a GET has no body: the server's URL limit bounds it")
    with override_settings(DRF_GRAPHQL_LIVE={case.setting: case.maximum}):
        answer = await asyncio.wait_for(send(body, token), DEADLINE)
    named = {a or b for a, b in LIMIT.findall(answer)}
    assert named == {case.setting}, answer


#: (httpx's ASGI transport answers once the app is done: a live SSE stream never is.)
@pytest.mark.parametrize(
    "transport", ["http-json", "sse-query", "graphql-transport-ws", "legacy-ws"]
)
async def test_documents_within_the_limits_are_answered(token, transport):
    subscription, send = TRANSPORTS[transport]
    query = Case("", 0, "{ id node { title } }").document(subscription)
    if subscription:
        query = query.replace("(search: $s)", "(search: $s, initial: true)")
    body = {"query": query, "variables": None}
    answer = await asyncio.wait_for(send(body, token), DEADLINE)
    assert "errors" not in answer, answer
    assert '"data"' in answer, answer


async def test_token_limit_stops_a_large_body_listing_json_and_event_stream(token):
    """urql's Accept: the operation type is read with the token limit, not a full parse."""
    query = "query { " + " ".join(f"a{i}: __typename" for i in range(20_000)) + " }"
    answer = await asyncio.wait_for(
        over_http({"query": query, "variables": None}, {"Accept": URQL_ACCEPT}, token), DEADLINE
    )
    assert {a or b for a, b in LIMIT.findall(answer)} == {"MAX_TOKENS"}


class RefuseTitles(SchemaExtension):
    """A user's extension: refuses any document that selects ``title``."""

    def on_validate(self):
        if "title" in (self.execution_context.query or ""):
            self.execution_context.pre_execution_errors = [GraphQLError("No titles here.")]
        yield


@pytest.fixture
def extended_app():
    from drf_graphql_live import build_schema, registry
    from drf_graphql_live.asgi import live_application
    from sample_site.asgi import django_asgi_app
    from sample_site.urls import router

    before = registry.last_built()
    schema = build_schema(router, extensions=[RefuseTitles])
    yield live_application(schema, django_asgi_app)
    registry.remember(before)


@pytest.mark.parametrize("accept", ["text/event-stream", 'multipart/mixed;subscriptionSpec="1.0"'])
async def test_user_extensions_run_on_the_stream_fast_path(extended_app, token, accept):
    transport = httpx.ASGITransport(app=extended_app)
    body = {"query": "subscription { tasksChanged(initial: true) { id node { title } } }"}
    headers = {"Accept": accept, "Authorization": f"Token {token}"}
    text = await asyncio.wait_for(_first_answer(transport, body, headers), DEADLINE)
    assert "No titles here." in text


async def _first_answer(transport: Any, body: dict[str, Any], headers: dict[str, str]) -> str:
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
        http.stream("POST", "/graphql/", json=body, headers=headers) as response,
    ):
        text = ""
        async for chunk in response.aiter_text():
            text += chunk
            if "errors" in text or '"id"' in text:
                break
        return text


async def test_user_extensions_run_on_the_websocket_fast_path(extended_app, token):
    client = GraphQLWSClient(extended_app, {"Authorization": f"Token {token}"})
    async with client as ws:
        assert await ws.acknowledged()
        refused = await ws.subscribe(
            "subscription { tasksChanged(initial: true) { node { title } } }"
        )
        message = await ws.receive()
        assert (message["id"], message["type"]) == (refused, "error")
        assert message["payload"][0]["message"] == "No titles here."
        allowed = await ws.subscribe("subscription { tasksChanged(initial: true) { kind id } }")
        assert (await ws.receive_next(allowed))["data"]["tasksChanged"]["kind"] == "ADDED"


TOKEN_DOCUMENTS = [
    get_introspection_query(descriptions=True),
    'query Q($a: Float = -12.5e3, $b: String = "x # y \\" z") { f(a: $a, b: """a "" b""") }',
    "# a comment { with } tokens\n{ a ...F } fragment F on T { b @skip(if: true) }",
    '{ f(s: """ \\""" still a block string """) }',
]


@pytest.mark.parametrize("query", TOKEN_DOCUMENTS)
def test_token_count_without_parsing_is_the_lexers(query):
    lexer, tokens = Lexer(Source(query)), 0
    while lexer.advance().kind is not TokenKind.EOF:
        tokens += 1
    assert over_token_limit(query, tokens - 1)
    assert not over_token_limit(query, tokens)
