"""Whether an operation's credentials are (still) good: checked at connect, and again later.

A WebSocket lives for hours while its credentials may end: the user logs out, the
session expires or is flushed, the token is deleted, the user is deactivated or changes
their password. Every live subscription is re-checked with the same credentials it was
opened with, the way its next HTTP request would be::

    header_user(context)            # connection_init headers, DRF's default classes
    still_authenticated(context)    # False once the socket's credentials have ended

Header credentials (``Token``/``Bearer`` from ``connection_init``) go through DRF's
``DEFAULT_AUTHENTICATION_CLASSES``; a cookie socket's session is read again from the
session store and verified the way ``django.contrib.auth.get_user`` verifies a request's
(expiry, the password hash, ``is_active`` through the authentication backend).
"""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user, get_user_model
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework.settings import api_settings

from .request import LiveContext, operation_request

__all__ = ["header_user", "still_authenticated", "user_key"]


def default_authenticators() -> list[BaseAuthentication]:
    """DRF's ``DEFAULT_AUTHENTICATION_CLASSES``, instantiated (the stubs type them as paths)."""
    classes = cast(list[type[BaseAuthentication]], api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    return [authentication() for authentication in classes]


def header_user(context: LiveContext) -> Any:
    """The user the context's credential headers authenticate, or None when refused."""
    request = Request(
        operation_request(context, method="GET"), authenticators=default_authenticators()
    )
    try:
        user = request.user
    except exceptions.APIException:
        return None
    return user if request.successful_authenticator is not None else None


def user_key(context: LiveContext) -> str | None:
    """The primary key (as text) of the user the socket was opened as; None if anonymous."""
    if context.authenticated_as is not None:
        return context.authenticated_as
    user = context.scope.get("user")
    if getattr(user, "is_authenticated", False):
        return str(user.pk)  # type: ignore[union-attr]
    return None


def still_authenticated(context: LiveContext) -> bool:
    """False once the credentials the context was opened with no longer authenticate.

    An anonymous socket has nothing that can end. A socket whose user was put in the
    scope without a session (a test, a custom middleware) is checked against the user
    row (deleted or deactivated).
    """
    if context.revoked:
        return False
    if context.headers:
        user = header_user(context)
        return user is not None and str(user.pk) == context.authenticated_as
    user = context.scope.get("user")
    if not getattr(user, "is_authenticated", False):
        return True
    session = context.scope.get("session")
    if session is None or session.session_key is None:
        model = get_user_model()
        return model._default_manager.filter(pk=user.pk, is_active=True).exists()  # type: ignore[union-attr]
    return _session_user_pk(session.session_key) == str(user.pk)  # type: ignore[union-attr]


def _session_user_pk(session_key: str) -> str | None:
    """The user a session logs in now, read afresh from the session store."""
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore(session_key=session_key)
    user = get_user(cast(Any, SimpleNamespace(session=store)))
    return str(user.pk) if user.is_authenticated else None
