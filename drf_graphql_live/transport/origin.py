"""Which WebSocket handshakes may ride the user's cookies: the ``Origin`` check.

Browsers apply no CORS to WebSockets: any page can open a socket to ``PATH`` and the
browser attaches the session cookie. A browser always sends ``Origin`` on the
handshake, so one that carries it must name an allowed host (``ALLOWED_HOSTS``, matched
as Channels matches it, ``.example.com`` patterns included). A handshake without
``Origin`` comes from no browser (Node's ``ws``, Python ``websockets``/``gql``, mobile
apps): it carries no ambient credentials to abuse, so it is accepted and authenticates
with its own ``connection_init`` payload::

    app = AllowedHostsOrigin(AuthMiddlewareStack(consumer))   # as live_application does
    origin_allowed(urlparse("https://evil.example"))          # False
    origin_allowed(None)                                      # True: not a browser

Channels' own ``AllowedHostsOriginValidator`` refuses a missing ``Origin`` unless
``ALLOWED_HOSTS`` holds ``"*"``, which turned every non-browser client away in
production; and it reads ``ALLOWED_HOSTS`` once, where this reads it per handshake.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import ParseResult

from channels.security.websocket import OriginValidator
from django.conf import settings

__all__ = ["AllowedHostsOrigin", "allowed_hosts", "origin_allowed"]

#: What Channels (and Django's ``runserver``) allow in DEBUG when ALLOWED_HOSTS is empty.
DEBUG_HOSTS = ["localhost", "127.0.0.1", "[::1]"]


def allowed_hosts() -> list[str]:
    """``ALLOWED_HOSTS`` as Channels reads it."""
    hosts = list(settings.ALLOWED_HOSTS)
    return DEBUG_HOSTS if settings.DEBUG and not hosts else hosts


def origin_allowed(origin: ParseResult | None) -> bool:
    """True for a handshake without ``Origin``, or one whose ``Origin`` is an allowed host."""
    if origin is None:
        return True
    return bool(OriginValidator(None, allowed_hosts()).validate_origin(origin))


class AllowedHostsOrigin(OriginValidator):
    """ASGI middleware: refuse (HTTP 403) a handshake whose ``Origin`` is not allowed."""

    def __init__(self, application: Any) -> None:
        super().__init__(application, allowed_origins=[])

    def valid_origin(self, parsed_origin: ParseResult | None) -> bool:
        return origin_allowed(parsed_origin)
