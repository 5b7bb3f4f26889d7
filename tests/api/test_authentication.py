"""Credentials no authentication class reads are refused the same way on every transport.

Issue 24: with the README's settings snippet (DRF's default classes, no
``TokenAuthentication``) an ``Authorization: Token ...`` header ran anonymous over HTTP and
closed the socket with a bare 4403. Now both refuse, and say which class would read the
credentials (or that none is configured); a wrong token says which class rejected it.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from rest_framework.authentication import BasicAuthentication, SessionAuthentication
from rest_framework.authtoken.models import Token

from drf_graphql_live.testing import GraphQLWSClient
from sample_site.asgi import application
from sample_site.board.views import TaskViewSet

pytestmark = [pytest.mark.django_db(transaction=True)]

#: DRF's own default: what a project that never set DEFAULT_AUTHENTICATION_CLASSES has.
DRF_DEFAULTS = [
    "rest_framework.authentication.SessionAuthentication",
    "rest_framework.authentication.BasicAuthentication",
]


@pytest.fixture
def token(board) -> str:
    return Token.objects.create(user=board.alice).key


@pytest.fixture
def without_token_authentication(settings, monkeypatch) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_AUTHENTICATION_CLASSES": DRF_DEFAULTS,
    }
    monkeypatch.setattr(
        TaskViewSet, "authentication_classes", [SessionAuthentication, BasicAuthentication]
    )


async def post(query: str, **headers: str) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.post("/graphql/", json={"query": query}, headers=headers)
    return response.json()


async def close_of(payload: dict[str, Any], protocol: str = "graphql-transport-ws") -> dict:
    """The close message (code, reason) the server ends ``connection_init`` with."""
    client = GraphQLWSClient(application, payload, protocol=protocol)
    async with client:
        while True:
            message = await client.communicator.receive_output(5)
            if message["type"] == "websocket.close":
                return message
            assert json.loads(message["text"])["type"] == "connection_error", message


async def test_http_refuses_a_token_no_class_reads_and_names_token_authentication(
    token, without_token_authentication
):
    body = await post("{ tasks { count } }", Authorization=f"Token {token}")
    [error] = body["errors"]
    assert error["extensions"]["code"] == "NOT_AUTHENTICATED"
    assert "TokenAuthentication" in error["message"]
    assert "SessionAuthentication, BasicAuthentication" in error["message"]


async def test_websocket_refuses_the_same_token_with_a_reason_naming_the_class(
    token, without_token_authentication
):
    closed = await close_of({"Authorization": f"Token {token}"})
    assert closed["code"] == 4403
    assert "TokenAuthentication would" in closed["reason"]
    assert len(closed["reason"].encode()) <= 123


async def test_legacy_protocol_says_why_in_connection_error(token, without_token_authentication):
    client = GraphQLWSClient(
        application, {"Authorization": f"Token {token}"}, protocol="graphql-ws"
    )
    async with client:
        error = json.loads((await client.communicator.receive_output(5))["text"])
    assert error["type"] == "connection_error"
    assert "rest_framework.authentication.TokenAuthentication" in error["payload"]["message"]


async def test_a_refusal_says_when_no_class_is_configured(settings, token, monkeypatch):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_AUTHENTICATION_CLASSES": []}
    monkeypatch.setattr(TaskViewSet, "authentication_classes", [])
    closed = await close_of({"Authorization": f"Token {token}"})
    assert "none is configured" not in closed["reason"]  # the first sentence only
    body = await post("{ tasks { count } }", Authorization=f"Token {token}")
    assert "none is configured" in body["errors"][0]["message"]


async def test_a_wrong_token_names_the_class_that_rejected_it_on_both_transports(board):
    body = await post("{ tasks { count } }", Authorization="Token nope")
    assert body["errors"][0]["message"] == "Invalid token."  # DRF's own, as REST says it
    closed = await close_of({"Authorization": "Token nope"})
    assert closed["code"] == 4403
    assert closed["reason"] == "Forbidden: Invalid token. (TokenAuthentication)"


async def test_a_token_the_project_reads_still_authenticates_both_transports(token):
    body = await post("{ tasks { count } }", Authorization=f"Token {token}")
    assert "errors" not in body, body
    async with GraphQLWSClient(application, {"Authorization": f"Token {token}"}) as client:
        assert await client.acknowledged()
