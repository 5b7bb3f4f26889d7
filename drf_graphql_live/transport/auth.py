"""DRF authentication for WebSocket connections.

A browser cannot set headers on a WebSocket, so clients put them in the
``connection_init`` payload instead::

    {"type": "connection_init", "payload": {"Authorization": "Token 9944b0..."}}
    {"type": "connection_init", "payload": {"headers": {"Authorization": "Bearer ey..."}}}

They become request headers of every operation on the socket. At connect time they
are checked once with ``DEFAULT_AUTHENTICATION_CLASSES``: credentials that are present
but rejected refuse the connection (close 4403); no credentials means the session user
or anonymous, as over HTTP.
"""

from __future__ import annotations

from typing import Any

from ..api.authentication import header_user

__all__ = ["connection_headers", "header_user"]

#: Payload keys taken as request headers (case-insensitive).
AUTH_HEADERS = ("authorization",)


def connection_headers(payload: dict[str, Any]) -> dict[str, str]:
    """The credential headers in a ``connection_init`` payload (top level or ``headers``)."""
    found: dict[str, str] = {}
    nested = payload.get("headers")
    for source in (payload, nested if isinstance(nested, dict) else {}):
        for key, value in source.items():
            if isinstance(key, str) and key.lower() in AUTH_HEADERS and isinstance(value, str):
                found[key.title()] = value
    return found
