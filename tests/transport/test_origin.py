"""The WebSocket ``Origin`` check (drf_graphql_live.transport.origin) through live_application.

A handshake carrying ``Origin`` must name one of ``ALLOWED_HOSTS`` (cross-site pages
cannot ride the session cookie); one without ``Origin`` (Node, Python, mobile apps) is
accepted, with DEBUG off as with it on.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from channels.testing import WebsocketCommunicator

from drf_graphql_live.asgi import live_application
from drf_graphql_live.transport.origin import DEBUG_HOSTS, allowed_hosts, origin_allowed
from sample_site.asgi import django_asgi_app
from sample_site.schema import schema

#: Channels closes stale connections around each message: the database is touched.
pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver", ".example.com"]


async def handshake(headers: list[tuple[bytes, bytes]]) -> bool:
    """True when the handshake is accepted; the socket is closed again either way."""
    app = live_application(schema, django_asgi_app)
    communicator = WebsocketCommunicator(
        app, "/graphql/", subprotocols=["graphql-transport-ws"], headers=headers
    )
    connected, _ = await communicator.connect(timeout=5)
    await communicator.disconnect()
    return connected


async def test_handshake_without_origin_is_accepted_when_debug_off(production):
    assert await handshake([(b"host", b"testserver")])


async def test_handshake_from_allowed_host_is_accepted_when_debug_off(production):
    assert await handshake([(b"origin", b"http://testserver"), (b"host", b"testserver")])


@pytest.mark.parametrize(
    "origin", [b"https://evil.example", b"null", b"", b"http://testserver.evil.example"]
)
async def test_handshake_from_foreign_origin_is_refused_with_session_cookie(production, origin):
    headers = [(b"origin", origin), (b"host", b"testserver"), (b"cookie", b"sessionid=abc")]
    assert not await handshake(headers)


async def test_handshake_from_sibling_allowed_host_is_accepted(production):
    """Strawberry alone allows only the socket's own host; ALLOWED_HOSTS decides here."""
    headers = [(b"origin", b"https://app.example.com"), (b"host", b"api.example.com")]
    assert await handshake(headers)


def test_origin_allowed_reads_allowed_hosts_per_call(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["a.test"]
    assert origin_allowed(urlparse("https://a.test"))
    settings.ALLOWED_HOSTS = ["b.test"]
    assert not origin_allowed(urlparse("https://a.test"))
    assert origin_allowed(None)


def test_allowed_hosts_in_debug_without_any_are_local_only(settings):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = []
    assert allowed_hosts() == DEBUG_HOSTS
