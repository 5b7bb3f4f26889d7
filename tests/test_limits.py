"""Query limits (drf_graphql_live.limits): on by default, coded QUERY_TOO_COMPLEX errors.

Over HTTP through the real ASGI app (httpx's ASGI transport) and over WebSocket
(GraphQLWSClient); the board page's operations and GraphiQL's introspection query stay
within the defaults.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.test import override_settings
from graphql import get_introspection_query, parse
from rest_framework.authtoken.models import Token

from drf_graphql_live import settings as settings_module
from drf_graphql_live.limits import limit_errors, measure
from drf_graphql_live.settings import DEFAULTS
from drf_graphql_live.testing import GraphQLWSClient
from sample_site.asgi import application
from sample_site.schema import schema

pytestmark = [pytest.mark.django_db(transaction=True)]

LIMITS = (
    "MAX_QUERY_DEPTH",
    "MAX_ALIASES",
    "MAX_TOKENS",
    "MAX_QUERY_COST",
    "MAX_REQUEST_BODY_SIZE",
)
BOARD_TS = Path(__file__).parent.parent / "sample_site/board/frontend/board.ts"


@pytest.fixture
def token(board) -> str:
    return Token.objects.create(user=board.alice).key


async def post(token: str, query: str, **variables: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=application)
    headers = {"Authorization": f"Token {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        body = {"query": query, "variables": variables or None}
        return await http.post("/graphql/", json=body, headers=headers)


def refusal(response: httpx.Response) -> dict[str, Any]:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    assert errors[0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    return errors[0]


def aliases(count: int) -> str:
    return " ".join(f"a{i}: __typename" for i in range(count))


def test_limit_defaults_are_set_and_documented():
    source = inspect.getsource(settings_module.LiveSettingsDict)
    for name in LIMITS:
        assert DEFAULTS[name] is not None  # type: ignore[literal-required]
        assert re.search(rf"#:.*\n(\s+#:.*\n)*\s+{name}:", source), name
    assert 6 <= DEFAULTS["MAX_QUERY_DEPTH"] <= 10  # graphql-armor's range
    assert 15 <= DEFAULTS["MAX_ALIASES"] <= 30
    assert 1_000 <= DEFAULTS["MAX_TOKENS"] <= 2_000


def test_board_page_operations_are_within_default_limits():
    operations = re.findall(r"GraphQL \*/ `(.*?)`;", BOARD_TS.read_text(), re.S)
    assert len(operations) == 5
    for operation in operations:
        assert limit_errors(schema, parse(operation)) == [], operation


def test_introspection_query_is_within_default_limits():
    document = parse(get_introspection_query(descriptions=True))
    assert limit_errors(schema, document) == []


@override_settings(DEBUG=True)
async def test_introspection_query_over_http_is_answered(token):
    response = await post(token, get_introspection_query(descriptions=True))
    assert "errors" not in response.json()
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


@override_settings(DRF_GRAPHQL_LIVE={"MAX_QUERY_DEPTH": 3})
async def test_depth_over_the_limit_is_refused(token):
    response = await post(token, "{ tasks { results { assigneeDetail { username } } } }")
    error = refusal(response)
    assert error["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "MAX_QUERY_DEPTH",
        "max": 3,
        "value": 4,
    }
    assert "MAX_QUERY_DEPTH" in error["message"]


async def test_depth_at_the_limit_is_answered(token):
    with override_settings(DRF_GRAPHQL_LIVE={"MAX_QUERY_DEPTH": 4}):
        response = await post(token, "{ tasks { results { assigneeDetail { username } } } }")
    assert "errors" not in response.json()


async def test_aliases_over_the_default_limit_are_refused(token):
    error = refusal(await post(token, f"{{ {aliases(16)} }}"))
    assert error["extensions"]["limit"] == "MAX_ALIASES"
    assert error["extensions"]["value"] == 16


async def test_aliases_through_fragments_count_at_each_use(token):
    """The bypass Strawberry fixed in 0.315.7: eight aliases in a fragment spread twice."""
    query = f"query {{ ...F ...G }} fragment F on Query {{ {aliases(8)} }} "
    query += "fragment G on Query { ...F }"
    error = refusal(await post(token, query))
    assert error["extensions"]["limit"] == "MAX_ALIASES"
    assert error["extensions"]["value"] == 16


async def test_fragment_fan_out_is_measured_once_per_fragment(token):
    """Each fragment spreads the next twice: 2^40 uses, measured in 41 steps."""
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    query = f"query {{ ...F0 }} {chain} fragment F40 on Query {{ a: __typename }}"
    errors = (await post(token, query)).json()["errors"]
    found = {e["extensions"]["limit"]: e["extensions"]["value"] for e in errors}
    assert found["MAX_ALIASES"] == 2**40


async def test_tokens_over_the_default_limit_are_refused(token):
    query = "{ " + " ".join(f"tasks{i}: tasks(limit: 50) {{ count }}" for i in range(1_000)) + " }"
    error = refusal(await post(token, query))
    assert error["extensions"]["limit"] == "MAX_TOKENS"
    assert error["extensions"]["max"] == DEFAULTS["MAX_TOKENS"]


async def test_cost_over_the_default_limit_is_refused(token):
    error = refusal(await post(token, "{ tasks(limit: 5000) { results { id title } } }"))
    assert error["extensions"]["limit"] == "MAX_QUERY_COST"
    assert error["extensions"]["value"] == 1 + (1 + 5_000 * 2)  # tasks, results, its items


async def test_cost_of_a_page_size_in_a_variable_is_counted(token):
    query = "query ($n: Int) { tasks(limit: $n) { results { id title } } }"
    error = refusal(await post(token, query, n=5_000))
    assert error["extensions"]["limit"] == "MAX_QUERY_COST"


def test_cost_uses_the_paginators_default_and_cap():
    def cost(query: str) -> int:
        return measure(schema, parse(query)).cost

    assert cost("{ tasks { results { id } } }") == 2 + 50  # PAGE_SIZE (limit/offset)
    assert cost("{ comments { results { id } } }") == 2 + 20  # CommentPagination
    assert cost("{ comments(pageSize: 1000) { results { id } } }") == 2 + 100  # its max
    assert cost("{ tasks(limit: 2) { results { comments { id } } } }") == 2 + 2 * (1 + 10)


async def test_request_body_over_the_limit_is_refused_with_413(token):
    with override_settings(DRF_GRAPHQL_LIVE={"MAX_REQUEST_BODY_SIZE": 1_000}):
        response = await post(token, "{ __typename }", padding="x" * 1_000)
    assert response.status_code == 413
    error = refusal(response)
    assert error["extensions"]["limit"] == "MAX_REQUEST_BODY_SIZE"
    assert error["extensions"]["max"] == 1_000


async def test_chunked_request_body_over_the_limit_is_refused(token):
    async def chunks():
        for _ in range(4):
            yield b"x" * 400

    transport = httpx.ASGITransport(app=application)
    with override_settings(DRF_GRAPHQL_LIVE={"MAX_REQUEST_BODY_SIZE": 1_000}):
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.post(
                "/graphql/", content=chunks(), headers={"Content-Type": "application/json"}
            )
    assert response.status_code == 413
    assert refusal(response)["extensions"]["value"] == 1_200


async def test_limit_set_to_none_is_off(token):
    with override_settings(DRF_GRAPHQL_LIVE={"MAX_ALIASES": None}):
        response = await post(token, f"{{ {aliases(16)} }}")
    assert response.json() == {"data": {f"a{i}": "Query" for i in range(16)}}


async def test_aliases_over_the_limit_are_refused_over_websocket(token):
    async with GraphQLWSClient(application, {"Authorization": f"Token {token}"}) as ws:
        assert await ws.acknowledged()
        operation = await ws.subscribe(f"{{ {aliases(16)} }}")
        message = await ws.receive()
    assert message["id"] == operation
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert errors[0]["extensions"]["limit"] == "MAX_ALIASES"


async def test_deep_subscription_is_refused_over_websocket(token):
    query = "subscription Deep { tasksChanged { node { assigneeDetail { username } } } }"
    with override_settings(DRF_GRAPHQL_LIVE={"MAX_QUERY_DEPTH": 3}):
        async with GraphQLWSClient(application, {"Authorization": f"Token {token}"}) as ws:
            assert await ws.acknowledged()
            await ws.subscribe(query)
            message = await ws.receive()
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["limit"] == "MAX_QUERY_DEPTH"
