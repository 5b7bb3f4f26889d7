"""Same-origin sockets and streams (drf_graphql_live.transport.origin) through live_application.

A WebSocket or HTTP stream keeps its session cookie only when its ``Origin`` passes
Django's CSRF rule (the server's own origin, or ``CSRF_TRUSTED_ORIGINS``), whatever
``ALLOWED_HOSTS`` holds, ``"*"`` included. One from any other origin is accepted but
anonymous: it may authenticate with ``connection_init`` or header credentials. One
without ``Origin`` (Node, Python, mobile apps) keeps what it sends.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from asgiref.sync import sync_to_async
from django.conf import settings as django_settings
from django.test import Client
from rest_framework.authtoken.models import Token

from drf_graphql_live.testing import GraphQLWSClient
from drf_graphql_live.transport.origin import origin_verified
from sample_site.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True)]

QUERY = "{ tasks { count } }"
SUBSCRIPTION = "subscription { tasksChanged(initial: true) { kind id } }"
#: An Origin a cross-site page would send, and what each must get from the cookie.
FOREIGN = [
    "https://evil.example",
    "null",
    "http://sub.testserver",  # a subdomain is another site's origin
    "https://testserver",  # the right host, the wrong scheme
    "http://testserver.evil.example",
]


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def any_host(request, settings):
    """ALLOWED_HOSTS = ["*"], DEBUG on and off: it must open nothing."""
    settings.DEBUG = request.param
    settings.ALLOWED_HOSTS = ["*"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.trusted.example"]


@pytest.fixture
def session_cookie(board) -> bytes:
    client = Client()
    client.force_login(board.alice)
    name = django_settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


def headers(origin: str | None, cookie: bytes | None) -> list[tuple[bytes, bytes]]:
    found = [(b"host", b"testserver")]
    if origin is not None:
        found.append((b"origin", origin.encode()))
    if cookie is not None:
        found.append((b"cookie", cookie))
    return found


async def socket_answer(origin: str | None, cookie: bytes | None, payload: Any = None) -> Any:
    """What ``{ tasks { count } }`` answers over a socket opened with these headers."""
    client = GraphQLWSClient(application, payload, headers=headers(origin, cookie))
    async with client as ws:
        assert await ws.acknowledged()
        return await ws.receive_next(await ws.subscribe(QUERY))


def authenticated(payload: dict[str, Any]) -> bool:
    if payload.get("errors"):
        assert payload["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
        return False
    return payload["data"]["tasks"]["count"] >= 0


@pytest.mark.parametrize("origin", FOREIGN)
async def test_foreign_origin_socket_with_session_cookie_is_anonymous(
    any_host, session_cookie, origin
):
    assert not authenticated(await socket_answer(origin, session_cookie))


@pytest.mark.parametrize("origin", ["http://testserver", "https://app.trusted.example", None])
async def test_own_trusted_or_no_origin_socket_keeps_session_cookie(
    any_host, session_cookie, origin
):
    assert authenticated(await socket_answer(origin, session_cookie))


@pytest.mark.parametrize("origin", ["https://evil.example", None])
async def test_connection_init_credentials_need_no_origin(any_host, board, origin):
    token = await sync_to_async(Token.objects.create)(user=board.bob)
    payload = {"Authorization": f"Token {token.key}"}
    assert authenticated(await socket_answer(origin, None, payload))


async def test_subdomain_is_trusted_only_through_a_csrf_pattern(settings, session_cookie):
    settings.ALLOWED_HOSTS = ["*"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.trusted.example"]
    assert authenticated(await socket_answer("https://app.trusted.example", session_cookie))
    assert not authenticated(await socket_answer("https://trusted.example.evil", session_cookie))


async def stream_answer(origin: str | None, cookie: bytes | None) -> dict[str, Any]:
    """The first event of an SSE subscription opened with these headers."""
    transport = httpx.ASGITransport(app=application)
    sent = dict(headers(origin, cookie))
    sent[b"accept"] = b"text/event-stream"
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
        http.stream(
            "POST",
            "/graphql/",
            json={"query": QUERY},
            headers={k.decode(): v.decode() for k, v in sent.items()},
        ) as response,
    ):
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                return json.loads(line[len("data: ") :])
    raise AssertionError("the stream ended without an event")


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
async def test_foreign_origin_stream_with_session_cookie_is_anonymous(
    any_host, session_cookie, origin
):
    assert not authenticated(await stream_answer(origin, session_cookie))


@pytest.mark.parametrize("origin", ["http://testserver", None])
async def test_own_origin_stream_keeps_session_cookie(any_host, session_cookie, origin):
    assert authenticated(await stream_answer(origin, session_cookie))


def test_origin_verified_reads_the_settings_per_call(settings):
    scope = {"type": "websocket", "path": "/graphql/", "scheme": "wss"}
    scope["headers"] = [(b"host", b"api.test"), (b"origin", b"https://app.test")]
    settings.ALLOWED_HOSTS = ["*"]
    settings.CSRF_TRUSTED_ORIGINS = []
    assert not origin_verified(scope)
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.test"]
    assert origin_verified(scope)
    scope["headers"] = [(b"host", b"app.test"), (b"origin", b"https://app.test")]
    settings.CSRF_TRUSTED_ORIGINS = []
    assert origin_verified(scope)  # wss is checked as https: its own origin
