"""What one GraphQL operation is, and the Django ``HttpRequest`` it runs as.

:class:`OperationRequest` carries an operation's inputs (the root field, the context,
the arguments, the selection) through every layer as one object. :func:`operation_request`
builds the Django request from the ASGI scope.

DRF's authentication, permission, throttle, filter and pagination classes all read a
Django request (``request.method``, ``META``, ``GET``, ``user``). Each root field gets a
fresh one that looks like the REST call it stands for::

    request = operation_request(context, method="GET", path="/api/tasks/",
                                query=[("status", "done")])

The method matters: ``IsAuthenticatedOrReadOnly`` and friends check
``request.method in SAFE_METHODS``, so a mutation must not look like a GET.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest

from schema_gen import RootField

from .selection import SelectionTree

__all__ = ["LiveContext", "OperationRequest", "apply_identity", "operation_request"]

_HTTP_SCHEME = {"ws": "http", "wss": "https"}
#: What describes a body; the request of an operation has none (a mutation's input is
#: handed to DRF as ``request.data`` directly).
_BODY_HEADERS = (
    "CONTENT_TYPE",
    "CONTENT_LENGTH",
    "HTTP_CONTENT_ENCODING",
    "HTTP_TRANSFER_ENCODING",
)


@dataclasses.dataclass
class LiveContext:
    """``info.context`` for every operation, over HTTP or WebSocket.

    ``connection_params`` is the WebSocket ``connection_init`` payload (Strawberry sets
    it); ``headers`` are extra request headers taken from it (``Authorization``).
    """

    scope: Mapping[str, Any]
    request: Any = None
    response: Any = None
    ws: Any = None
    connection_params: Any = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    #: False only in tests (like Django's test ``Client``): skip SessionAuthentication's
    #: CSRF check for a user put straight into the scope.
    enforce_csrf: bool = True
    #: Set when the credentials the socket was opened with ended (logout, expired
    #: session, deleted token, deactivated user): every later operation on it runs
    #: anonymous, with no credentials at all.
    revoked: bool = False
    #: The primary key of the user the ``connection_init`` credentials authenticated.
    authenticated_as: str | None = None
    #: Why the credentials were refused, naming the class that would read them (the
    #: WebSocket's close reason, the legacy protocol's ``connection_error``).
    refusal: str | None = None
    #: Held around each viewset call: a connection's (or a request's) operations run
    #: one at a time, in the order they came, on whichever worker thread.
    serial: asyncio.Lock = dataclasses.field(
        default_factory=asyncio.Lock, repr=False, compare=False
    )

    @property
    def is_websocket(self) -> bool:
        return self.scope.get("type") == "websocket"


def operation_request(
    context: LiveContext,
    *,
    method: str,
    path: str | None = None,
    query: Iterable[tuple[str, str]] = (),
) -> HttpRequest:
    """A Django request with ``context``'s user, session and headers."""
    scope = context.scope
    http_scope = {
        **scope,
        "type": "http",
        "method": method,
        "path": path or scope.get("path", "/"),
        "scheme": _HTTP_SCHEME.get(scope.get("scheme", "http"), scope.get("scheme", "http")),
        "query_string": urlencode(list(query)).encode(),
    }
    request = ASGIRequest(http_scope, io.BytesIO(b""))
    for name in _BODY_HEADERS:
        # The GraphQL POST's body is not this request's: with its Content-Type and
        # Content-Length kept, whatever reads request.POST (django-oauth-toolkit's
        # OAuth2Authentication) parses an empty "JSON body" and fails.
        request.META.pop(name, None)
    # ... and what HttpRequest read from them when made: a multipart upload's content
    # type would have request.POST parse the empty body as multipart, and fail.
    request.content_type, request.content_params = "", {}
    if context.revoked:
        request.META.pop("HTTP_COOKIE", None)
        request.META.pop("HTTP_AUTHORIZATION", None)
    else:
        for name, value in context.headers.items():
            request.META["HTTP_" + name.upper().replace("-", "_")] = value
    apply_identity(request, context)
    if context.is_websocket or not context.enforce_csrf:
        # A socket keeps its session cookie only from a verified Origin (Django's CSRF
        # rule, transport/origin.py) and has no CSRF token to send, so
        # session-authenticated mutations over it are allowed.
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]  # Django's
    return request


def apply_identity(request: HttpRequest, context: LiveContext) -> None:
    """Give ``request`` the user and session the transport authenticated ``context`` as.

    Called again after the project's middleware ran (:mod:`.middleware`): its
    authentication and session middlewares rebuild both from the cookie, which is not
    how a ``connection_init`` token, a revoked socket or a test's user was established.
    """
    if context.revoked:
        request.user = AnonymousUser()
        return
    request.user = context.scope.get("user") or AnonymousUser()
    if "session" in context.scope:
        request.session = context.scope["session"]


@dataclasses.dataclass(frozen=True)
class OperationRequest:
    """One operation on one root field: what runs it through the viewset needs.

    ``arguments`` are by Python name (filters, ``lookup``, ``input``); ``selection`` is
    what to render (None: every field, as mutations answer).
    """

    field: RootField
    context: LiveContext
    arguments: dict[str, Any]
    selection: SelectionTree | None = None

    @property
    def lookup(self) -> dict[str, Any]:
        """The detail route's URL kwargs (``{"pk": "7"}``), empty for a list."""
        return {
            argument.query_param: self.arguments[argument.python_name]
            for argument in self.field.arguments
            if argument.python_name == "lookup" and argument.python_name in self.arguments
        }
