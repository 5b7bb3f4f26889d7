"""The project's Django middleware around each operation, as around a REST request.

A REST request reaches the viewset through ``settings.MIDDLEWARE``: a tenant, space or
locale middleware sets ``request.space`` or activates a language, and the viewset's
``get_queryset`` relies on it. A GraphQL operation stands for such a request, so it
runs through the same chain (Django's own, built once by
``BaseHandler.load_middleware``), with the viewset work as the view::

    data = through_middleware(django_request, context, lambda request: run(request))

What the chain does, in REST's order: every ``process_request``/``__call__``, then every
``process_view`` with the view the REST URL resolves to (DRF's views are
``csrf_exempt``: CSRF stays SessionAuthentication's business, as in REST), then the work,
then every ``process_response`` (their answer is dropped: the operation's result is
the work's). A middleware that answers instead of the view (a redirect to a login
page, a 403, a ``DisallowedHost``) becomes a GraphQL error coded from its status
(:func:`refusal_error`); the work never runs.

The identity is the operation's own: the transport authenticated it (the session of
the HTTP request or the socket's handshake, or the ``connection_init`` credentials),
so the user and session it gives are put back on the request after the
authentication and session middlewares built theirs from the same cookie.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import Resolver404, ResolverMatch, resolve
from django.views.decorators.csrf import csrf_exempt
from graphql import GraphQLError

from ..exceptions import (
    BAD_REQUEST,
    INTERNAL_SERVER_ERROR,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    PERMISSION_DENIED,
    THROTTLED,
    LiveGraphQLError,
)

__all__ = ["refusal_error", "through_middleware"]

T = TypeVar("T")

#: The request attribute carrying the operation through Django's chain.
_PASSAGE = "_drf_graphql_live_passage"

_CODES = {401: NOT_AUTHENTICATED, 403: PERMISSION_DENIED, 404: NOT_FOUND, 429: THROTTLED}


@dataclasses.dataclass
class _Passage:
    """One operation inside the chain: its work, the identity to keep, its outcome."""

    work: Callable[[HttpRequest], Any]
    identity: Callable[[HttpRequest], None]
    ran: bool = False
    result: Any = None
    error: BaseException | None = None


class _OperationHandler(BaseHandler):
    """Django's handler with the operation's work where URL resolution and the view were."""

    def _get_response(self, request: HttpRequest) -> HttpResponseBase:
        passage: _Passage = getattr(request, _PASSAGE)
        passage.identity(request)
        callback, args, kwargs = _rest_view(request)
        for process_view in self._view_middleware:  # type: ignore[attr-defined]  # Django's
            response = process_view(request, callback, args, kwargs)
            if response is not None:
                return response
        passage.ran = True
        try:
            passage.result = passage.work(request)
        except BaseException as exc:  # raised to the caller, not turned into a 500 page
            passage.error = exc
        return HttpResponse()


def _rest_view(request: HttpRequest) -> tuple[Callable[..., Any], tuple, dict[str, Any]]:
    """The view, args and kwargs the REST URL resolves to (``process_view`` reads their
    attributes: ``csrf_exempt``, ``login_required``); a csrf-exempt stand-in if none."""
    urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    match = _resolved(request.path_info, urlconf)
    if match is None:
        return _unrouted, (), {}
    request.resolver_match = match
    return match.func, match.args, match.kwargs


@functools.lru_cache(maxsize=1024)
def _resolved(path: str, urlconf: str) -> ResolverMatch | None:
    """Cached: an operation's path is one of the routers' list URLs, and resolving it
    was a third of the chain's cost."""
    try:
        return resolve(path, urlconf)
    except Resolver404:
        return None


@csrf_exempt
def _unrouted(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Stands for the view of a viewset the URLconf does not route (never called)."""
    return HttpResponse()  # pragma: no cover


@functools.cache
def _handler() -> _OperationHandler:
    handler = _OperationHandler()
    handler.load_middleware(is_async=False)
    return handler


@receiver(setting_changed)
def _middleware_changed(setting: str, **_: Any) -> None:
    if setting == "MIDDLEWARE":
        _handler.cache_clear()
    elif setting == "ROOT_URLCONF":
        _resolved.cache_clear()


def through_middleware(
    request: HttpRequest, identity: Callable[[HttpRequest], None], work: Callable[[HttpRequest], T]
) -> T:
    """``work(request)`` inside the project's middleware; raises what ``work`` raises.

    ``identity`` puts the operation's user and session back on the request once the
    middlewares' ``process_request`` ran. A middleware answering in place of the view
    raises :func:`refusal_error`.
    """
    passage = _Passage(work, identity)
    outer = getattr(request, _PASSAGE, None)  # a chain run from within another's work
    setattr(request, _PASSAGE, passage)
    try:
        response = _handler()._middleware_chain(request)  # type: ignore[attr-defined]
    finally:
        # A live group keeps its request between changes: it must not keep the last
        # passage too (its result, a compiled queryset, and the work's closures).
        if outer is None:
            delattr(request, _PASSAGE)
        else:
            setattr(request, _PASSAGE, outer)
    if not passage.ran:
        raise refusal_error(response)
    if passage.error is not None:
        raise passage.error
    return passage.result


def refusal_error(response: HttpResponseBase) -> GraphQLError:
    """The GraphQL error for a middleware's answer: coded from its HTTP status.

    ``extensions.status`` is the status; a redirect carries ``extensions.location``.
    """
    status = response.status_code
    code = _CODES.get(status) or (INTERNAL_SERVER_ERROR if status >= 500 else BAD_REQUEST)
    extensions: dict[str, Any] = {"status": status}
    if response.has_header("Location"):
        extensions["location"] = response["Location"]
    message = f"The request was answered by a middleware with HTTP {status}."
    return LiveGraphQLError(message, code, **extensions)
