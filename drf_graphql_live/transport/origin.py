"""Which connections may ride the user's cookies: Django's CSRF ``Origin`` rule.

Browsers apply no CORS to WebSockets, and an ``EventSource`` stream needs none to be
opened: any page can connect to ``PATH`` and the browser attaches the session cookie.
So a WebSocket handshake, or an HTTP request that asks for a stream (``Accept``
naming ``text/event-stream`` or ``multipart/mixed``), keeps its cookies only when its
``Origin`` passes the rule Django's ``CsrfViewMiddleware`` applies to unsafe requests:
the server's own origin (scheme and ``Host``) or one of ``CSRF_TRUSTED_ORIGINS``
(``https://*.example.com`` patterns included). ``ALLOWED_HOSTS`` says which ``Host``
headers are served, not which sites may act as the user: ``"*"`` opens nothing here.

A connection whose ``Origin`` fails the rule is not refused: its cookies are dropped
before ``AuthMiddlewareStack`` reads them, so it is anonymous and may still
authenticate with its own ``Authorization`` header or ``connection_init`` payload
(a token is no ambient credential: a foreign page must already hold it). A
connection without ``Origin`` comes from no browser (Node, Python, mobile apps) and
keeps what it sends::

    app = SameOriginCookies(AuthMiddlewareStack(consumer))   # as live_application does
    origin_verified(scope)        # False for Origin: https://evil.example, null, ...
"""

from __future__ import annotations

import io
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

__all__ = ["STREAM_TYPES", "SameOriginCookies", "ambient_allowed", "origin_verified"]

#: ``Accept`` media types that open a long-lived HTTP stream (graphql-sse, multipart).
STREAM_TYPES = (b"text/event-stream", b"multipart/mixed")
#: The HTTP scheme a WebSocket scheme is checked as (Django's rule knows only HTTP).
_HTTP_SCHEMES = {"ws": "http", "wss": "https"}


def _header(scope: dict[str, Any], name: bytes) -> bytes | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return bytes(value)
    return None


def as_django_request(scope: dict[str, Any]) -> ASGIRequest:
    """``scope`` (HTTP or WebSocket) as the Django request its handshake would be."""
    scheme = scope.get("scheme") or ("ws" if scope["type"] == "websocket" else "http")
    http_scope = {
        **scope,
        "type": "http",
        "method": scope.get("method", "GET"),
        "scheme": _HTTP_SCHEMES.get(scheme, scheme),
    }
    return ASGIRequest(http_scope, io.BytesIO())


def origin_verified(scope: dict[str, Any]) -> bool:
    """Whether the ``Origin`` of ``scope`` passes Django's CSRF origin check.

    Django's own ``CsrfViewMiddleware._origin_verified``, so ``CSRF_TRUSTED_ORIGINS``,
    ``SECURE_PROXY_SSL_HEADER`` and ``USE_X_FORWARDED_HOST`` mean here what they mean
    for a form POST. A fresh middleware per call: it caches the trusted origins.
    """
    request = as_django_request(scope)
    if "HTTP_ORIGIN" not in request.META:
        return False
    return bool(CsrfViewMiddleware(_unused)._origin_verified(request))  # type: ignore[attr-defined]


def _unused(request: Any) -> HttpResponse:  # CsrfViewMiddleware wants a get_response
    return HttpResponse()


def ambient_allowed(scope: dict[str, Any]) -> bool:
    """Whether ``scope`` may keep its cookies: no ``Origin`` (no browser), or a verified one."""
    return _header(scope, b"origin") is None or origin_verified(scope)


def _rides_cookies(scope: dict[str, Any]) -> bool:
    """A WebSocket, or an HTTP request asking for a stream, which the cookie keeps open."""
    if scope["type"] == "websocket":
        return True
    accept = (_header(scope, b"accept") or b"").lower()
    return scope["type"] == "http" and any(kind in accept for kind in STREAM_TYPES)


def without_cookies(scope: dict[str, Any]) -> dict[str, Any]:
    """``scope`` with its ``Cookie`` headers removed: the session middleware sees none."""
    headers = [(key, value) for key, value in scope.get("headers") or () if key != b"cookie"]
    return {**scope, "headers": headers}


class SameOriginCookies:
    """ASGI middleware: a socket or stream from a foreign ``Origin`` loses its cookies.

    Placed outside ``AuthMiddlewareStack``, so such a connection is anonymous from the
    start (``scope["user"]`` is ``AnonymousUser``, the session empty).
    """

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if _rides_cookies(scope) and not ambient_allowed(scope):
            scope = without_cookies(scope)
        return await self.application(scope, receive, send)
