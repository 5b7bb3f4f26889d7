"""Thin subclasses of Strawberry's Channels consumers: our context, GraphiQL, assets.

Strawberry already implements GraphQL over HTTP and both WebSocket protocols; we only
add what is ours (STYLE.md, habit 2)::

    GraphQLHTTPConsumer.as_asgi(schema=schema)       # POST/GET queries, GraphiQL page,
                                                     # subscriptions over SSE / multipart
    GraphQLWSConsumer.as_asgi(schema=schema)         # graphql-transport-ws + legacy

Both give resolvers a :class:`~drf_graphql_live.api.request.LiveContext` built from the
ASGI scope (user and session from ``AuthMiddlewareStack``). The WebSocket consumer hands
the protocol handlers a frame writer (:class:`LiveWebSocketAdapter`): live frames go out
through the ASGI server's own ``send`` when ``live_application`` passed it
(:data:`SERVER_SEND`), skipping the middlewares' wrappers, which act only on
``websocket.accept`` and HTTP responses yet cost a fifth of the fan-out's CPU.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Any

from cross_web import HTTPException
from django.conf import settings
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.utils.crypto import get_random_string
from graphql import GraphQLError, OperationType, get_operation_ast
from strawberry.channels import GraphQLHTTPConsumer as StrawberryHTTPConsumer
from strawberry.channels import GraphQLWSConsumer as StrawberryWSConsumer
from strawberry.channels.handlers.http_handler import (
    ChannelsRequest,
    ChannelsResponse,
    MultipartChannelsResponse,
)
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from ..api.request import LiveContext, OperationRequest
from ..api.sync import run_sync
from ..exceptions import (
    BAD_REQUEST,
    INTERNAL_SERVER_ERROR,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    LiveGraphQLError,
    to_graphql_error,
)
from ..gate import parse_document, refused_stream
from ..live.render import split_arguments
from ..settings import live_settings
from . import fast_path, graphiql, http_streams
from .auth import connection_headers, header_refusal, header_user
from .bodies import StrictBodyParsing
from .protocols import LegacyWSHandler, TransportWSHandler
from .websocket import SERVER_SEND, LiveWebSocketAdapter, MessageQueue

__all__ = [
    "SERVER_SEND",
    "GraphQLHTTPConsumer",
    "GraphQLWSConsumer",
    "LiveWebSocketAdapter",
    "error_response",
]


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


class GraphQLHTTPConsumer(StrictBodyParsing, StrawberryHTTPConsumer[LiveContext, None]):
    """GraphQL over HTTP at ``PATH``, GraphiQL on a browser GET, its assets under ``assets/``."""

    channel_layer_alias = NO_CHANNEL_LAYER

    def __init__(self, schema: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_queries_via_get", live_settings.ALLOW_QUERIES_VIA_GET)
        # The GraphQL multipart request spec (file uploads). Strawberry leaves it off
        # for CSRF: a form can post multipart cross-site. Here every mutation runs
        # through the viewset, whose SessionAuthentication checks the CSRF token as
        # for a REST POST, and a cross-site page cannot read a query's answer.
        kwargs.setdefault("multipart_uploads_enabled", True)
        kwargs.setdefault("graphql_ide", "graphiql" if live_settings.graphiql else None)
        kwargs.setdefault(
            "subscription_protocols",
            (GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL, *http_streams.STREAM_PROTOCOLS),
        )
        super().__init__(schema, **kwargs)
        self._live_stream: http_streams.LiveStreamResponse | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # Kept for the streams: while ``handle`` runs, Channels reads nothing from
        # ``receive``, so a stream can wait there for the client's ``http.disconnect``.
        self._receive = receive
        await super().__call__(scope, receive, send)

    async def handle(self, body: bytes) -> None:
        asset = self._asset_name()
        if asset is None:
            await self._answer(ChannelsRequest(consumer=self, body=body))
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
            response = await super().run(request, context, root_value)
        except HTTPException as exc:
            return error_response(exc.status_code, exc.reason)
        except Exception as exc:  # the last resort: a client still sees a GraphQL error
            return error_response(500, to_graphql_error(exc).message)
        if self._live_stream is not None and isinstance(response, MultipartChannelsResponse):
            return self._live_stream  # the hub feeds it, not Strawberry's iterator
        return response

    async def _answer(self, request: ChannelsRequest) -> None:
        """Strawberry's ``handle``, with the streams watching for the client leaving.

        Strawberry's own loop never reads ``receive``, so under uvicorn (whose ``send``
        returns silently once the client has gone) a subscription would outlive it.
        """
        response = await self.run(request)
        if isinstance(response, http_streams.LiveStreamResponse):
            await http_streams.serve_live(self._stream_channel(), response)
        elif isinstance(response, MultipartChannelsResponse):
            await http_streams.relay(self._stream_channel(), response)
        else:
            response.headers.setdefault(b"Content-Type", response.content_type.encode())
            await self.send_response(response.status, response.content, headers=response.headers)

    async def execute_operation(
        self,
        request: ChannelsRequest,
        request_adapter: Any,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: LiveContext,
        root_value: Any,
        sub_response: Any,
    ) -> Any:
        """Streams (SSE, multipart): header credentials checked; the fast path if it fits."""
        if isinstance(request_data, GraphQLRequestData) and _answers_as_json(
            request_data, request_adapter.headers.get("accept", "")
        ):
            request_data = dataclasses.replace(request_data, protocol="http")
        framing = (
            None
            if isinstance(request_data, list)
            else (http_streams.framing_for(request_data.protocol))
        )
        if framing is None or isinstance(request_data, list):
            return await super().execute_operation(
                request, request_adapter, request_data, context, root_value, sub_response
            )
        context.scope = _accepting_json(context.scope)
        if not await self._stream_credentials(context, request_adapter.headers):
            return _single_result(LiveGraphQLError("Invalid credentials.", NOT_AUTHENTICATED))
        entry = await fast_path.enter(
            self.schema,
            request_data.query or "",
            request_data.variables,
            request_data.operation_name,
            context,
        )
        if entry.errors:
            return refused_stream(entry.errors)
        live = prepare_live_operation(entry)
        document = live.bind(context, request_data.variables) if live else None
        if live is None or document is None:
            return await super().execute_operation(
                request, request_adapter, request_data, context, root_value, sub_response
            )
        arguments, _start = split_arguments(document.arguments)
        self._live_stream = http_streams.LiveStreamResponse(
            stream=_no_stream,
            operation=OperationRequest(live.field, context, arguments, live.selection),
            document=document,
            framing=framing,
        )
        return _single_result(None)  # Strawberry starts a stream; ``run`` swaps ours in

    async def _stream_credentials(self, context: LiveContext, headers: Mapping[str, str]) -> bool:
        """A stream keeps the request's ``Authorization`` the way a socket keeps its
        ``connection_init`` credentials: in its group key, and re-checked when they end.
        """
        credentials = connection_headers(dict(headers))
        if not credentials:
            return True
        context.headers.update(credentials)
        user = await run_sync(header_user, context)
        if user is None:
            return False
        context.authenticated_as = str(user.pk)
        return True

    def _stream_channel(self) -> http_streams.StreamChannel:
        return http_streams.consumer_channel(self, self._receive, self.scope.get(SERVER_SEND))

    def _asset_name(self) -> str | None:
        prefix = live_settings.path + "assets/"
        path: str = self.scope["path"]
        return path[len(prefix) :] if path.startswith(prefix) else None

    async def get_context(self, request: ChannelsRequest, response: Any) -> LiveContext:
        return LiveContext(scope=self.scope, request=request, response=response)

    async def render_graphql_ide(self, request: ChannelsRequest) -> ChannelsResponse:
        user = self.scope.get("user")  # issue 14A: the page's sign-in link, who is signed in
        page = graphiql.render_graphiql(
            live_settings.path,
            login_url=graphiql.login_url(live_settings.path),
            username=user.get_username() if user is not None and user.is_authenticated else None,
        )
        response = ChannelsResponse(content=page.encode(), content_type="text/html; charset=utf-8")
        if settings.CSRF_COOKIE_NAME not in request.headers.get("cookie", ""):
            # The page sends this cookie back as X-CSRFToken, which DRF's
            # SessionAuthentication requires for a mutation, as it would for a POST.
            token = get_random_string(32, CSRF_ALLOWED_CHARS)
            cookie = f"{settings.CSRF_COOKIE_NAME}={token}; Path=/; SameSite=Lax"
            response.headers[b"Set-Cookie"] = cookie.encode()
        return response


def prepare_live_operation(entry: fast_path.Entry) -> Any:
    """The fast path's operation for an admitted stream (a seam tests replace with None)."""
    return entry.live


def _answers_as_json(request_data: GraphQLRequestData, accept: str) -> bool:
    """A query or mutation whose client also takes JSON gets plain JSON, not a stream.

    urql (and other fetch clients) list ``text/event-stream`` and ``multipart/mixed`` in
    every request's ``Accept``, for incremental delivery; Strawberry would answer their
    queries as streams. Only subscriptions, and clients that take nothing but a stream
    (graphql-sse), are streamed.
    """
    if request_data.protocol == "http" or not _takes_json(accept):
        return False
    try:  # bounded by MAX_TOKENS, and kept: the gate reuses this parse
        operation = get_operation_ast(
            parse_document(request_data.query or ""), request_data.operation_name
        )
    except GraphQLError:
        return False  # the gate reports the syntax error or the limit
    return operation is not None and operation.operation is not OperationType.SUBSCRIPTION


def _takes_json(accept: str) -> bool:
    types = {part.split(";", 1)[0].strip().lower() for part in accept.split(",")}
    return bool(types & {"application/json", "application/graphql-response+json", "*/*"})


def _accepting_json(scope: Mapping[str, Any]) -> dict[str, Any]:
    """The scope as the viewsets should see it: ``Accept`` names the stream's media type,
    which DRF's content negotiation would refuse (406); each event is JSON inside it."""
    headers = [(name, value) for name, value in scope.get("headers", ()) if name != b"accept"]
    return {**scope, "headers": [*headers, (b"accept", b"application/json")]}


def _single_result(error: LiveGraphQLError | None) -> AsyncIterator[ExecutionResult]:
    """A stream of one result carrying ``error`` (none: an empty stream)."""

    async def results() -> AsyncIterator[ExecutionResult]:
        if error is not None:
            yield ExecutionResult(data=None, errors=[error])

    return results()


async def _no_stream() -> AsyncGenerator[str, None]:
    return
    yield  # an async generator that yields nothing


class GraphQLWSConsumer(StrawberryWSConsumer[LiveContext, None]):
    """GraphQL over WebSocket at ``PATH``; both subscription protocols."""

    channel_layer_alias = NO_CHANNEL_LAYER
    websocket_adapter_class = LiveWebSocketAdapter
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.message_queue = MessageQueue()  # type: ignore[assignment]  # its get/put_nowait

    async def get_context(self, request: Any, response: Any) -> LiveContext:
        return LiveContext(scope=self.scope, request=request, ws=request)

    def is_websocket_origin_allowed(self, request: Any, origin: str) -> bool:
        """Every ``Origin`` is allowed: what it may do was decided before this consumer.

        Strawberry asks this only for an ``Origin`` other than the handshake's own host,
        and refuses all by default. :class:`~.origin.SameOriginCookies` already dropped
        the cookies of a handshake whose ``Origin`` fails Django's CSRF rule, so such a
        socket is anonymous and may authenticate only with ``connection_init``
        credentials, which a foreign page cannot take from the user.
        """
        return True

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
        user, context.refusal = await run_sync(header_refusal, context)
        if user is None:
            return False
        context.authenticated_as = str(user.pk)  # whose credentials end, ends this socket's
        return True
