"""live_application(): the project's ASGI app with GraphQL on ``/graphql/``.

    # asgi.py
    django_asgi_app = get_asgi_application()
    from drf_graphql_live.asgi import live_application
    application = live_application(schema, django_asgi_app)

HTTP to ``PATH`` (and ``PATH/assets/...``) and every WebSocket to ``PATH`` go to our
consumers, behind Channels' ``AuthMiddlewareStack`` so the Django session logs users in;
WebSockets also pass :class:`~drf_graphql_live.transport.origin.AllowedHostsOrigin` (a
handshake carrying ``Origin`` must name an allowed host, so cross-site pages cannot open
a socket with the user's cookies; one without ``Origin``, from Node, Python or a mobile
app, is accepted). Everything else goes to Django, and while ``DEBUG`` is on with
``django.contrib.staticfiles`` installed, ``STATIC_URL`` is answered from the apps'
static folders first, as ``runserver`` does (the admin is styled under uvicorn too).

Live frames skip the middlewares' ``send`` wrappers: the server's own ``send`` rides
along in the scope (:data:`~drf_graphql_live.transport.protocols.SERVER_SEND`), and the hub
writes ``websocket.send`` messages (and HTTP subscription streams' chunks) with it.
Those wrappers act only on ``websocket.accept`` and HTTP response starts (Channels'
session middleware saves the session there), yet cost a fifth of the fan-out's CPU
when every frame goes through them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from channels.auth import AuthMiddlewareStack
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from .settings import live_settings
from .transport.consumers import SERVER_SEND, GraphQLHTTPConsumer, GraphQLWSConsumer
from .transport.guards import AllowedHostOnly, RequestBodyLimit
from .transport.origin import SameOriginCookies

__all__ = ["live_application"]

ASGIApp = Any


def websocket_limits() -> dict[str, Any]:
    """Strawberry's WebSocket options, from ``DRF_GRAPHQL_LIVE``."""
    interval = live_settings.KEEP_ALIVE_INTERVAL
    return {
        "max_subscriptions_per_connection": live_settings.MAX_SUBSCRIPTIONS_PER_CONNECTION,
        "connection_init_wait_timeout": timedelta(seconds=live_settings.CONNECTION_INIT_TIMEOUT),
        "keep_alive": interval is not None,
        "keep_alive_interval": interval or 1,
    }


def development_static(django_asgi_app: ASGIApp) -> ASGIApp:
    """``django_asgi_app`` behind Django's static-files handler while ``DEBUG`` is on.

    What ``runserver`` does for a project: without it the admin and the browsable API
    are unstyled under uvicorn or daphne. Off ``DEBUG`` (or without staticfiles, or
    already wrapped) the app is returned as it is: production serves ``STATIC_ROOT``.
    """
    if not settings.DEBUG or not apps.is_installed("django.contrib.staticfiles"):
        return django_asgi_app
    if isinstance(django_asgi_app, ASGIStaticFilesHandler) or not settings.STATIC_URL:
        return django_asgi_app
    return ASGIStaticFilesHandler(django_asgi_app)


def live_application(schema: Any, django_asgi_app: ASGIApp, *, path: str | None = None) -> ASGIApp:
    """An ASGI app serving ``schema`` at ``path`` (default ``DRF_GRAPHQL_LIVE["PATH"]``)."""
    django_asgi_app = development_static(django_asgi_app)
    graphql_path = "/" + (path or live_settings.path).strip("/") + "/"
    http_app = AllowedHostOnly(
        RequestBodyLimit(
            SameOriginCookies(AuthMiddlewareStack(GraphQLHTTPConsumer.as_asgi(schema=schema)))
        )
    )
    ws_app = SameOriginCookies(
        AuthMiddlewareStack(GraphQLWSConsumer.as_asgi(schema=schema, **websocket_limits()))
    )

    def is_graphql(request_path: str) -> bool:
        return request_path.rstrip("/") + "/" == graphql_path or request_path.startswith(
            graphql_path + "assets/"
        )

    async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            if scope["path"].rstrip("/") + "/" == graphql_path:
                return await ws_app({**scope, SERVER_SEND: send}, receive, send)
            await send({"type": "websocket.close", "code": 4404})
            return None
        if scope["type"] == "http" and is_graphql(scope["path"]):
            # SSE / multipart subscription chunks skip the wrappers too (transport/http_streams).
            return await http_app({**scope, SERVER_SEND: send}, receive, send)
        return await django_asgi_app(scope, receive, send)

    # Issue 14A: what the system check W005 looks for (checks.asgi_serves_graphql).
    application.live_graphql_path = graphql_path  # type: ignore[attr-defined]
    return application
