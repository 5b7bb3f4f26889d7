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

from typing import Any, cast

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework.settings import api_settings

from ..api.request import LiveContext, operation_request

__all__ = ["connection_headers", "credentials_accepted"]

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


def _default_authentication_classes() -> list[type[BaseAuthentication]]:
    """DRF's ``DEFAULT_AUTHENTICATION_CLASSES``, imported (the stubs type them as paths)."""
    return cast(list[type[BaseAuthentication]], api_settings.DEFAULT_AUTHENTICATION_CLASSES)


def credentials_accepted(context: LiveContext) -> bool:
    """True when some default DRF authenticator accepts the context's credential headers."""
    request = Request(
        operation_request(context, method="GET"),
        authenticators=[auth() for auth in _default_authentication_classes()],
    )
    try:
        request.user  # noqa: B018  (runs the authenticators)
    except exceptions.APIException:
        return False
    return request.successful_authenticator is not None
