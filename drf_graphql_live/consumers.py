"""Thin subclasses of Strawberry's Channels consumers: our context, GraphiQL, assets.

Strawberry already implements GraphQL over HTTP and both WebSocket protocols; we only
add what is ours (STYLE.md, habit 2)::

    GraphQLHTTPConsumer.as_asgi(schema=schema)       # POST/GET queries, GraphiQL page
    GraphQLWSConsumer.as_asgi(schema=schema)         # graphql-transport-ws + legacy

Both give resolvers a :class:`~drf_graphql_live.request.LiveContext` built from the
ASGI scope (user and session from ``AuthMiddlewareStack``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.utils.crypto import get_random_string
from strawberry.channels import GraphQLHTTPConsumer as StrawberryHTTPConsumer
from strawberry.channels import GraphQLWSConsumer as StrawberryWSConsumer
from strawberry.channels.handlers.http_handler import ChannelsRequest, ChannelsResponse

from . import graphiql
from .auth import connection_headers, credentials_accepted
from .db import run_sync
from .protocols import LegacyWSHandler, TransportWSHandler
from .request import LiveContext
from .settings import live_settings

__all__ = ["GraphQLHTTPConsumer", "GraphQLWSConsumer"]


#: No per-consumer channel: Channels would otherwise create one channel (and a layer
#: receive loop) per request and per socket. Change events reach sockets through the
#: per-process hub instead (one channel per process).
NO_CHANNEL_LAYER = None


class GraphQLHTTPConsumer(StrawberryHTTPConsumer):
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


class GraphQLWSConsumer(StrawberryWSConsumer):
    """GraphQL over WebSocket at ``PATH``; both subscription protocols."""

    channel_layer_alias = NO_CHANNEL_LAYER
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
