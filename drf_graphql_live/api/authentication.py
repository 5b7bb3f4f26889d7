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

Credentials that no authentication class reads (``Authorization: Token ...`` without
``TokenAuthentication`` configured) are refused on every transport, never run as
anonymous, and the refusal names the class that would read them (issue 24)::

    header_refusal(context)         # (user, None) or (None, "why, and what would accept")
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

__all__ = [
    "check_credentials_read",
    "header_refusal",
    "header_user",
    "still_authenticated",
    "unread_credentials",
    "user_key",
]

#: Who reads an ``Authorization`` scheme, for a refusal naming what would accept it:
#: (short name, what to configure).
SCHEME_READERS = {
    "token": (
        "TokenAuthentication",
        'rest_framework.authentication.TokenAuthentication (and "rest_framework.authtoken" '
        "in INSTALLED_APPS)",
    ),
    "basic": ("BasicAuthentication", "rest_framework.authentication.BasicAuthentication"),
    "bearer": (
        "a bearer-token class",
        "a bearer-token class such as djangorestframework-simplejwt's JWTAuthentication "
        "or django-oauth-toolkit's OAuth2Authentication",
    ),
}


def default_authenticators() -> list[BaseAuthentication]:
    """DRF's ``DEFAULT_AUTHENTICATION_CLASSES``, instantiated (the stubs type them as paths)."""
    classes = cast(list[type[BaseAuthentication]], api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    return [authentication() for authentication in classes]


def header_user(context: LiveContext) -> Any:
    """The user the context's credential headers authenticate, or None when refused."""
    return header_refusal(context)[0]


def header_refusal(context: LiveContext) -> tuple[Any, str | None]:
    """(user, None) when the credential headers authenticate, else (None, why not).

    Checked with ``DEFAULT_AUTHENTICATION_CLASSES``, as a WebSocket's ``connection_init``
    and an HTTP stream's ``Authorization`` are.
    """
    authenticators = default_authenticators()
    request = Request(operation_request(context, method="GET"), authenticators=authenticators)
    try:
        user = request.user
    except exceptions.APIException as exc:
        return None, rejected_credentials(request, exc)
    if request.successful_authenticator is not None:
        return user, None
    return None, unread_credentials(request) or "The credentials were not accepted."


def unread_credentials(
    request: Request, owner: str = "DEFAULT_AUTHENTICATION_CLASSES"
) -> str | None:
    """Why ``request``'s ``Authorization`` header went unread, or None (read, or none sent).

    DRF runs a request whose header no authentication class reads as anonymous; the
    client believes it sent credentials, so we refuse and say what would read them.
    """
    authorization = request._request.META.get("HTTP_AUTHORIZATION", "")
    if not authorization or request.successful_authenticator is not None:
        return None
    scheme = authorization.split()[0] if authorization.split() else authorization
    names = [type(authenticator).__name__ for authenticator in request.authenticators or ()]
    configured = ", ".join(names) if names else "none is configured"
    short, full = SCHEME_READERS.get(scheme.lower(), (f"a class reading {scheme!r}",) * 2)
    return (
        f"{scheme!r} credentials are read by no authentication class; {short} would. "
        f"({owner}: {configured}; add {full} to "
        "REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES'], or send no Authorization header.)"
    )


def rejected_credentials(request: Request, exc: exceptions.APIException) -> str:
    """DRF's own reason (``Invalid token.``), with the class that read the credentials."""
    authorization = request._request.META.get("HTTP_AUTHORIZATION", "")
    scheme = authorization.split()[0].lower() if authorization.split() else ""
    for authenticator in request.authenticators or ():
        header = getattr(authenticator, "authenticate_header", lambda _: None)(request) or ""
        if header.split() and header.split()[0].lower() == scheme:
            return f"{exc.detail} ({type(authenticator).__name__})"
    return str(exc.detail)


def check_credentials_read(view: Any, request: Request) -> None:
    """Authenticate ``request`` now (``initial()`` would) and refuse unread credentials.

    Before the permission checks, so a client sending ``Token`` to a project that reads
    none hears why, not "Authentication credentials were not provided".
    """
    request.user  # noqa: B018  (DRF's perform_authentication; AuthenticationFailed raises)
    refusal = unread_credentials(request, owner=type(view).__name__)
    if refusal is not None:
        raise exceptions.NotAuthenticated(refusal)


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
