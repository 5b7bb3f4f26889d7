"""ASGI guards in front of the HTTP consumer: the answers Django would give first.

``live_application`` answers ``PATH`` before Django's handler runs, so what that
handler refuses before any view must be refused here too, in the same words::

    app = AllowedHostOnly(RequestBodyLimit(AuthMiddlewareStack(consumer)))

* a ``Host`` not in ``ALLOWED_HOSTS`` gets 400, as Django's ``DisallowedHost`` does
  (logged to ``django.security.DisallowedHost``), not a GraphQL answer;
* a body over ``MAX_REQUEST_BODY_SIZE`` gets 413 before it is read whole.

Both answers are GraphQL-shaped JSON, as every HTTP answer at ``PATH`` is.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost

from ..exceptions import BAD_REQUEST
from ..limits import too_complex
from ..settings import live_settings
from .origin import as_django_request

__all__ = ["AllowedHostOnly", "RequestBodyLimit"]

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]

#: Django's logger for a refused Host (``django.core.handlers.exception``).
security_logger = logging.getLogger("django.security.DisallowedHost")


class AllowedHostOnly:
    """ASGI middleware: an HTTP request whose ``Host`` Django refuses gets 400 at once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        try:
            as_django_request(scope).get_host()
        except DisallowedHost as exc:
            security_logger.error(str(exc))
            # Django's message names ALLOWED_HOSTS: only DEBUG pages show it.
            message = str(exc) if settings.DEBUG else "Bad Request (400): invalid Host header."
            error = {"message": message, "extensions": {"code": BAD_REQUEST}}
            return await _answer(send, 400, {"errors": [error]})
        return await self.app(scope, receive, send)


class RequestBodyLimit:
    """ASGI middleware: an HTTP body over ``MAX_REQUEST_BODY_SIZE`` gets a 413 at once.

    Checked on ``Content-Length`` and while reading (a chunked body has none), so an
    oversized body is never buffered whole; the body read is replayed to ``app``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        limit = live_settings.MAX_REQUEST_BODY_SIZE
        if limit is None or scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or ())
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > limit:
            return await _refuse(send, int(declared), limit)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                return await _refuse(send, size, limit)
            if not message.get("more_body"):
                break
        return await self.app(scope, _replay(b"".join(chunks), receive), send)


def _replay(body: bytes, receive: Any) -> Any:
    sent = False

    async def replayed() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return await receive()  # http.disconnect, when it comes
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


async def _refuse(send: Any, size: int, limit: int) -> None:
    error = too_complex("MAX_REQUEST_BODY_SIZE", size, limit, "Request body size")
    await _answer(send, 413, {"errors": [error.formatted]})


async def _answer(send: Any, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
