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

from collections.abc import Coroutine
from typing import Any

from django.conf import settings
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.utils.crypto import get_random_string
from strawberry.channels import GraphQLHTTPConsumer as StrawberryHTTPConsumer
from strawberry.channels import GraphQLWSConsumer as StrawberryWSConsumer
from strawberry.channels.handlers.http_handler import ChannelsRequest, ChannelsResponse
from strawberry.channels.handlers.ws_handler import ChannelsWebSocketAdapter
from strawberry.http.async_base_view import AsyncBaseHTTPView

from ..api.request import LiveContext
from ..api.sync import run_sync
from ..settings import live_settings
from . import graphiql
from .auth import connection_headers, credentials_accepted
from .protocols import LegacyWSHandler, TransportWSHandler

__all__ = ["SERVER_SEND", "GraphQLHTTPConsumer", "GraphQLWSConsumer", "LiveWebSocketAdapter"]

#: Scope key of the ASGI server's own ``send``, set by ``live_application``.
SERVER_SEND = "drf_graphql_live.server_send"


#: No per-consumer channel: Channels would otherwise create one channel (and a layer
#: receive loop) per request and per socket. Change events reach sockets through the
#: per-process hub instead (one channel per process).
NO_CHANNEL_LAYER = None


class GraphQLHTTPConsumer(StrawberryHTTPConsumer[LiveContext, None]):
    """GraphQL over HTTP at ``PATH``, GraphiQL on a browser GET, its assets under ``assets/``."""

    channel_layer_alias = NO_CHANNEL_LAYER

    def __init__(self, schema: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_queries_via_get", live_settings.ALLOW_QUERIES_VIA_GET)
        kwargs.setdefault("graphql_ide", "graphiql" if live_settings.GRAPHIQL else None)
        super().__init__(schema, **kwargs)

    async def handle(self, body: bytes) -> None:
        asset = self._asset_name()
        if asset is None:
            await super().handle(body)
            return
        found = graphiql.read_asset(asset)
        if found is None:
            await self.send_response(404, b"Not found", headers=[(b"Content-Type", b"text/plain")])
            return
        content, content_type = found
        headers = [(b"Content-Type", content_type.encode()), (b"Cache-Control", b"max-age=3600")]
        await self.send_response(200, content, headers=headers)

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
        return await run_sync(credentials_accepted, context)
