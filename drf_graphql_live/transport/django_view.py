"""GraphQL over HTTP as an ordinary Django view: ``runserver``, WSGI, any ASGI server.

Every Django developer runs ``manage.py runserver`` first, and it serves the URLconf,
not ``live_application``. So the URLconf gets an entry of its own (``drf_graphql_live.urls``)
that answers queries, mutations and GraphiQL exactly as the Channels HTTP consumer does:
the same :class:`~drf_graphql_live.api.request.LiveContext` (built here from the Django
request instead of an ASGI scope), the same limits, the same JSON error shape::

    # urls.py
    path("graphql/", include("drf_graphql_live.urls")),

Subscriptions need a long-lived connection: WebSockets go to ``live_application`` (under
uvicorn, daphne, or ``runserver`` with ``"daphne"`` in ``INSTALLED_APPS``). Under an ASGI
server ``live_application`` answers ``PATH`` before Django's URLconf is reached, so this
view only runs where nothing else serves GraphQL.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from cross_web import HTTPException
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import AsyncGraphQLView

from ..api.request import LiveContext
from ..exceptions import to_graphql_error
from ..registry import load_project_schema
from ..settings import live_settings
from . import graphiql
from .bodies import StrictBodyParsing
from .consumers import error_response

__all__ = ["LiveGraphQLView", "graphiql_asset", "project_schema", "request_scope"]


def project_schema() -> Any:
    """The schema to serve (:func:`~drf_graphql_live.registry.load_project_schema`).

    Looked up at request time, not when the URLconf is imported: the project's schema
    module usually imports the project's URLconf (for its router) itself.
    """
    schema = load_project_schema()
    if schema is None:
        raise ImproperlyConfigured(
            "drf_graphql_live.urls has no schema to serve: set DRF_GRAPHQL_LIVE['SCHEMA'] "
            "to its dotted path, or call build_schema(router) in a module the ROOT_URLCONF "
            "imports."
        )
    return schema


def request_scope(request: HttpRequest, user: Any) -> dict[str, Any]:
    """An ASGI-style HTTP scope for ``request``: what every layer below reads.

    Under ASGI Django keeps the server's scope; under WSGI it is rebuilt from ``META``
    (headers as the lower-cased byte pairs an ASGI server would send).
    """
    scope: dict[str, Any] = dict(getattr(request, "scope", None) or {})
    if not scope:
        scope = {
            "type": "http",
            "method": request.method,
            "path": request.path,
            "scheme": request.scheme,
            "query_string": request.META.get("QUERY_STRING", "").encode("latin-1"),
            "headers": [
                (name.lower().encode("latin-1"), str(value).encode("latin-1"))
                for name, value in {"Host": request.get_host(), **request.headers}.items()
            ],
            "server": (request.META.get("SERVER_NAME"), int(request.get_port() or 80)),
            "client": (request.META.get("REMOTE_ADDR", ""), 0),
        }
    scope["user"] = user
    if hasattr(request, "session"):
        scope["session"] = request.session
    return scope


def _as_django(response: Any) -> HttpResponse:
    return HttpResponse(
        response.content, status=response.status, content_type=response.content_type
    )


def _error(status: int, message: str) -> HttpResponse:
    """The consumer's JSON error (``{"errors": [...]}`` with a code), as a Django response."""
    return _as_django(error_response(status, message))


@method_decorator(csrf_exempt, name="dispatch")
class LiveGraphQLView(StrictBodyParsing, AsyncGraphQLView[LiveContext, None]):
    """Strawberry's async Django view with our context, GraphiQL, limits and error shape.

    CSRF-exempt like DRF's ``APIView``: DRF's ``SessionAuthentication`` checks the token
    for each operation's request, so a session-authenticated mutation needs it and a
    token-authenticated client (no cookies) does not.
    """

    def __init__(self, schema: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("allow_queries_via_get", live_settings.ALLOW_QUERIES_VIA_GET)
        # The GraphQL multipart request spec (file uploads). Strawberry leaves it off
        # for CSRF: a form can post multipart cross-site. Here every mutation runs
        # through the viewset, whose SessionAuthentication checks the CSRF token as
        # for a REST POST, and a cross-site page cannot read a query's answer.
        kwargs.setdefault("multipart_uploads_enabled", True)
        kwargs.setdefault("graphql_ide", "graphiql" if live_settings.graphiql else None)
        super().__init__(schema=schema or project_schema(), **kwargs)

    async def dispatch(  # type: ignore[override]  # an async view, as Strawberry's is
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        limit = live_settings.MAX_REQUEST_BODY_SIZE
        length = request.META.get("CONTENT_LENGTH") or "0"
        if limit is not None and length.isdigit() and int(length) > limit:
            return _error(413, f"The request body exceeds {limit} bytes (MAX_REQUEST_BODY_SIZE).")
        try:
            return await self.run(request=request)
        except HTTPException as exc:  # Strawberry's text/plain refusals, as JSON with a code
            return _error(exc.status_code, exc.reason)
        except Exception as exc:  # the last resort: a client still sees a GraphQL error
            return _error(500, to_graphql_error(exc).message)

    async def get_context(self, request: HttpRequest, response: Any) -> LiveContext:
        return LiveContext(
            scope=request_scope(request, await _user(request)), request=request, response=response
        )

    async def render_graphql_ide(self, request: HttpRequest) -> HttpResponse:
        user = await _user(request)
        page = graphiql.render_graphiql(
            request.path,
            login_url=await sync_to_async(graphiql.login_url)(request.path),
            username=user.get_username() if user.is_authenticated else None,
        )
        get_token(request)  # CsrfViewMiddleware sets the cookie the page sends as X-CSRFToken
        return HttpResponse(page, content_type="text/html; charset=utf-8")


async def _user(request: HttpRequest) -> Any:
    """The session's user, loaded off the event loop (AnonymousUser without the middleware)."""
    from django.contrib.auth.models import AnonymousUser

    if hasattr(request, "auser"):
        return await request.auser()
    return AnonymousUser()


def graphiql_asset(request: HttpRequest, name: str) -> HttpResponse:
    """One whitelisted GraphiQL asset from ``GRAPHIQL_ASSETS_DIR`` (never a client's path)."""
    found = graphiql.read_asset(name)
    if found is None:
        return _error(404, "Not found.")
    content, content_type = found
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "max-age=3600"
    return response
