"""Thin subclasses of Strawberry's Channels consumers: our context, GraphiQL, assets.

Strawberry already implements GraphQL over HTTP and both WebSocket protocols; we only
add what is ours (STYLE.md, habit 2)::

    GraphQLHTTPConsumer.as_asgi(schema=schema)       # POST/GET queries, GraphiQL page
    GraphQLWSConsumer.as_asgi(schema=schema)         # graphql-transport-ws + legacy

Both give resolvers a :class:`~drf_graphql_live.api.request.LiveContext` built from the
ASGI scope (user and session from ``AuthMiddlewareStack``). The WebSocket consumer hands
the protocol handlers a frame writer (:class:`LiveWebSocketAdapter`): live frames go out
through the ASGI server's own ``send`` when ``live_application`` passed it
(:data:`SERVER_SEND`), skipping the middlewares' wrappers, which act only on
``websocket.accept`` and HTTP responses yet cost a fifth of the fan-out's CPU.
"""

from __future__ import annotations

import json
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlparse

from cross_web import HTTPException
from django.conf import settings
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.utils.crypto import get_random_string
from strawberry.channels import GraphQLHTTPConsumer as StrawberryHTTPConsumer
from strawberry.channels import GraphQLWSConsumer as StrawberryWSConsumer
from strawberry.channels.handlers.http_handler import ChannelsRequest, ChannelsResponse
from strawberry.channels.handlers.ws_handler import ChannelsWebSocketAdapter
from strawberry.http.async_base_view import AsyncBaseHTTPView
from strawberry.types.unset import UNSET

from ..api.request import LiveContext
from ..api.sync import run_sync
from ..exceptions import BAD_REQUEST, INTERNAL_SERVER_ERROR, NOT_FOUND, to_graphql_error
from ..settings import live_settings
from . import graphiql
from .auth import connection_headers, header_user
from .origin import origin_allowed
from .protocols import LegacyWSHandler, TransportWSHandler

__all__ = [
    "SERVER_SEND",
    "GraphQLHTTPConsumer",
    "GraphQLWSConsumer",
    "LiveWebSocketAdapter",
    "error_response",
]

#: Scope key of the ASGI server's own ``send``, set by ``live_application``.
SERVER_SEND = "drf_graphql_live.server_send"


#: No per-consumer channel: Channels would otherwise create one channel (and a layer
#: receive loop) per request and per socket. Change events reach sockets through the
#: per-process hub instead (one channel per process).
NO_CHANNEL_LAYER = None

#: Codes of the HTTP errors that are not a bad request (5xx are INTERNAL_SERVER_ERROR).
HTTP_ERROR_CODES = {404: NOT_FOUND}


def error_response(status: int, message: str) -> ChannelsResponse:
    """A request refused before any operation ran, answered the way GraphQL answers errors.

    Clients parse one shape whatever went wrong: ``{"errors": [{"message", "extensions":
    {"code"}}]}`` as ``application/json``, never Strawberry's ``text/plain`` reason.
    """
    default = BAD_REQUEST if status < 500 else INTERNAL_SERVER_ERROR
    error = {"message": message, "extensions": {"code": HTTP_ERROR_CODES.get(status, default)}}
    content = json.dumps({"errors": [error]}).encode()
    return ChannelsResponse(content=content, status=status, content_type="application/json")


class GraphQLHTTPConsumer(StrawberryHTTPConsumer[LiveContext, None]):
    """GraphQL over HTTP at ``PATH``, GraphiQL on a browser GET, its assets under ``assets/``."""

    channel_layer_alias = NO_CHANNEL_LAYER

    def __init__(self, schema: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_queries_via_get", live_settings.ALLOW_QUERIES_VIA_GET)
        kwargs.setdefault("graphql_ide", "graphiql" if live_settings.graphiql else None)
        super().__init__(schema, **kwargs)

    async def handle(self, body: bytes) -> None:
        asset = self._asset_name()
        if asset is None:
            await super().handle(body)
            return
        found = graphiql.read_asset(asset)
        if found is None:
            missing = error_response(404, "Not found.")
            headers = [(b"Content-Type", missing.content_type.encode())]
            await self.send_response(missing.status, missing.content, headers=headers)
            return
        content, content_type = found
        headers = [(b"Content-Type", content_type.encode()), (b"Cache-Control", b"max-age=3600")]
        await self.send_response(200, content, headers=headers)

    async def run(
        self, request: ChannelsRequest, context: Any = UNSET, root_value: Any = UNSET
    ) -> Any:
        """Strawberry's run, every refusal answered as JSON with a code (see ``error_response``).

        Strawberry raises ``HTTPException`` for a request it cannot run (malformed body,
        subscription over POST, wrong method) and its consumer answers those as
        ``text/plain``; anything else escaping here is a bug, answered 500 with
        INTERNAL_SERVER_ERROR (logged; message hidden unless DEBUG) instead of the
        server's bare 500.
        """
        try:
            return await super().run(request, context, root_value)
        except HTTPException as exc:
            return error_response(exc.status_code, exc.reason)
        except Exception as exc:  # the last resort: a client still sees a GraphQL error
            return error_response(500, to_graphql_error(exc).message)

    def parse_json(self, data: str | bytes) -> Any:
        """JSON too deep for the parser's recursion or not UTF-8 is malformed too (400).

        A body nested 100,000 lists deep makes ``json.loads`` raise ``RecursionError``,
        and invalid UTF-8 raises ``UnicodeDecodeError``: neither is the
        ``JSONDecodeError`` Strawberry turns into a 400.
        """
        try:
            return super().parse_json(data)
        except (RecursionError, ValueError) as exc:
            raise HTTPException(400, "Unable to parse request body as JSON") from exc

    async def parse_http_body(self, request: Any) -> Any:
        """A JSON body that is not an object (``"abc"``, ``1``, ``null``) is a bad request.

        Strawberry calls ``.get`` on whatever the body decoded to; parsing runs no code of
        the application, so an ``AttributeError`` here can only mean that shape.
        """
        try:
            return await super().parse_http_body(request)
        except AttributeError as exc:
            message = "The request body must be a JSON object (or a list of them)."
            raise HTTPException(400, message) from exc

    def _asset_name(self) -> str | None:
        prefix = live_settings.path + "assets/"
        path: str = self.scope["path"]
        return path[len(prefix) :] if path.startswith(prefix) else None

    async def get_context(self, request: ChannelsRequest, response: Any) -> LiveContext:
        return LiveContext(scope=self.scope, request=request, response=response)

    async def render_graphql_ide(self, request: ChannelsRequest) -> ChannelsResponse:
        response = ChannelsResponse(
            content=graphiql.render_graphiql(live_settings.path).encode(),
            content_type="text/html; charset=utf-8",
        )
        if settings.CSRF_COOKIE_NAME not in request.headers.get("cookie", ""):
            # The page sends this cookie back as X-CSRFToken, which DRF's
            # SessionAuthentication requires for a mutation, as it would for a POST.
            token = get_random_string(32, CSRF_ALLOWED_CHARS)
            cookie = f"{settings.CSRF_COOKIE_NAME}={token}; Path=/; SameSite=Lax"
            response.headers[b"Set-Cookie"] = cookie.encode()
        return response


class LiveWebSocketAdapter(ChannelsWebSocketAdapter):
    """Strawberry's adapter plus ``send_frame``, the fast path's frame writer.

    The protocol handlers see only this (:class:`~.protocols.FrameSocket`), never the
    consumer or the scope.
    """

    def __init__(
        self, view: AsyncBaseHTTPView, request: StrawberryWSConsumer, response: StrawberryWSConsumer
    ) -> None:
        super().__init__(view, request, response)
        server_send = response.scope.get(SERVER_SEND)
        self.send_frame = (
            self._send_through_consumer if server_send is None else _direct(server_send)
        )

    async def _send_through_consumer(self, frame: str) -> None:
        await self.ws_consumer.send(text_data=frame)


def _direct(server_send: Any) -> Any:
    def send_frame(frame: str) -> Coroutine[Any, Any, None]:
        return server_send({"type": "websocket.send", "text": frame})

    return send_frame


class GraphQLWSConsumer(StrawberryWSConsumer[LiveContext, None]):
    """GraphQL over WebSocket at ``PATH``; both subscription protocols."""

    channel_layer_alias = NO_CHANNEL_LAYER
    websocket_adapter_class = LiveWebSocketAdapter
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    async def get_context(self, request: Any, response: Any) -> LiveContext:
        return LiveContext(scope=self.scope, request=request, ws=request)

    def is_websocket_origin_allowed(self, request: Any, origin: str) -> bool:
        """A cross-origin ``Origin`` is allowed when it names one of ``ALLOWED_HOSTS``.

        Strawberry asks this only for an ``Origin`` other than the handshake's own host;
        its default allows none, which refused a page on ``app.example.com`` opening a
        socket to ``api.example.com`` although both are allowed hosts. One rule for the
        whole stack: the one ``live_application`` applies first (:mod:`.origin`).
        """
        return origin_allowed(urlparse(origin))

    async def authenticate_connection(self, context: LiveContext, payload: dict[str, Any]) -> bool:
        """Check the ``connection_init`` credentials; keep them for every operation.

        Any header-based DRF authentication class works (Token, Bearer/JWT): the
        headers are applied to each operation's request, so each viewset's own
        ``authentication_classes`` see them as they would over HTTP.
        """
        headers = connection_headers(payload)
        if not headers:
            return True
        context.headers.update(headers)
        user = await run_sync(header_user, context)
        if user is None:
            return False
        context.authenticated_as = str(user.pk)  # whose credentials end, ends this socket's
        return True
