"""Every HTTP error of GraphQLHTTPConsumer is GraphQL-shaped JSON with ``extensions.code``.

Through the real ASGI app (httpx's ASGI transport): Strawberry's own refusals
(``text/plain`` before), bodies its parser does not expect (HTTP 500 before), and our
last resort for a bug.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from drf_graphql_live.transport.consumers import GraphQLHTTPConsumer, error_response
from sample_site.asgi import application

#: Channels closes stale connections around each message: the database is touched.
pytestmark = [pytest.mark.django_db(transaction=True)]

JSON = {"content-type": "application/json"}


async def send(method: str, path: str = "/graphql/", **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.request(method, path, **kwargs)


def error_of(response: httpx.Response, status: int, code: str) -> str:
    """The one error's message, after checking the status, the JSON type and the code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["errors"]
    [error] = body["errors"]
    assert error["extensions"] == {"code": code}
    return error["message"]


async def test_deeply_nested_json_body_is_a_bad_request():
    body = b"[" * 100_000 + b"]" * 100_000
    response = await send("POST", content=body, headers=JSON)
    assert "parse" in error_of(response, 400, "BAD_REQUEST")


async def test_malformed_json_body_is_a_bad_request():
    response = await send("POST", content=b"{not json", headers=JSON)
    assert "parse" in error_of(response, 400, "BAD_REQUEST")


async def test_body_not_utf8_is_a_bad_request():
    response = await send("POST", content=b'{"query": "\xff"}', headers=JSON)
    error_of(response, 400, "BAD_REQUEST")


@pytest.mark.parametrize("body", [b'"{ users { id } }"', b"1", b"null", b"true"])
async def test_json_body_that_is_not_an_object_is_a_bad_request(body):
    response = await send("POST", content=body, headers=JSON)
    assert "JSON object" in error_of(response, 400, "BAD_REQUEST")


async def test_subscription_over_post_is_a_bad_request():
    query = {"query": "subscription { tasksChanged { id } }"}
    response = await send("POST", json=query)
    assert "subscriptions are not allowed" in error_of(response, 400, "BAD_REQUEST")


async def test_unsupported_content_type_is_a_bad_request():
    response = await send(
        "POST", content=b"{ users { id } }", headers={"content-type": "text/plain"}
    )
    error_of(response, 400, "BAD_REQUEST")


async def test_bad_variables_in_query_string_are_a_bad_request():
    params = {"query": "{ users { id } }", "variables": "{nope"}
    error_of(await send("GET", params=params), 400, "BAD_REQUEST")


async def test_unsupported_method_is_a_json_405():
    error_of(await send("PUT", content=b"{}", headers=JSON), 405, "BAD_REQUEST")


async def test_unknown_asset_is_a_json_not_found():
    error_of(await send("GET", "/graphql/assets/nope.js"), 404, "NOT_FOUND")


async def test_graphiql_when_off_is_a_json_not_found(settings):
    settings.DRF_GRAPHQL_LIVE = {**settings.DRF_GRAPHQL_LIVE, "GRAPHIQL": False}
    error_of(await send("GET", headers={"accept": "text/html"}), 404, "NOT_FOUND")


async def test_unexpected_failure_is_a_masked_internal_error(monkeypatch, caplog):
    async def broken(self: Any, request: Any) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(GraphQLHTTPConsumer, "get_sub_response", broken)
    response = await send("POST", json={"query": "{ users { id } }"})
    assert error_of(response, 500, "INTERNAL_SERVER_ERROR") == "Internal server error."
    assert "secret detail" in caplog.text


def test_error_response_codes_by_status():
    assert b'"BAD_REQUEST"' in error_response(413, "Too large.").content
    assert b'"NOT_FOUND"' in error_response(404, "Not found.").content
    assert b'"INTERNAL_SERVER_ERROR"' in error_response(502, "Down.").content
