"""DRF authentication for WebSocket connections.

A browser cannot set headers on a WebSocket, so clients put them in the
``connection_init`` payload instead::

    {"type": "connection_init", "payload": {"Authorization": "Token 9944b0..."}}
    {"type": "connection_init", "payload": {"headers": {"Authorization": "Bearer ey..."}}}

They become request headers of every operation on the socket. At connect time they
are checked once with ``DEFAULT_AUTHENTICATION_CLASSES``: credentials that are present
but rejected, or that no configured class reads, refuse the connection (close 4403,
its reason naming the class that would accept them: :func:`close_reason`); no
credentials means the session user or anonymous, as over HTTP.
"""

from __future__ import annotations

from typing import Any

from ..api.authentication import header_refusal, header_user
from ..api.request import LiveContext

__all__ = ["close_reason", "connection_headers", "header_refusal", "header_user"]

#: A WebSocket close reason is at most 123 bytes of UTF-8 (RFC 6455, 5.5).
MAX_CLOSE_REASON = 123

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


def close_reason(context: LiveContext) -> str:
    """The 4403 close reason: "Forbidden: " and why, as much as a close frame holds.

    A long refusal keeps its first sentence, which names the class that would accept
    the credentials; the rest is in the legacy protocol's ``connection_error``.
    """
    if not context.refusal:
        return "Forbidden"
    reason = f"Forbidden: {context.refusal}"
    if len(reason.encode()) > MAX_CLOSE_REASON:
        reason = reason.split(" (", 1)[0]
    return reason.encode()[:MAX_CLOSE_REASON].decode(errors="ignore")
