"""Every error a client can see, as a GraphQL error with ``extensions.code``.

Hierarchy (all are ``graphql.GraphQLError``)::

    LiveGraphQLError                 code from docs/DESIGN.md
    ├── (VALIDATION_ERROR)           + extensions.fields: DRF's error dict
    ├── (NOT_AUTHENTICATED)          NotAuthenticated, AuthenticationFailed
    ├── (PERMISSION_DENIED)          DRF / Django PermissionDenied
    ├── (NOT_FOUND)                  NotFound, Http404, ObjectDoesNotExist
    ├── (THROTTLED)                  + extensions.wait (seconds)
    ├── (BAD_REQUEST)                ParseError, MethodNotAllowed, malformed GraphQL
    ├── (NOT_A_LIST)                 a list() answered no list/page; + extensions.response
    ├── (QUERY_TOO_COMPLEX)          a limit of .limits; + extensions.limit/max/value
    ├── (TOO_MANY_OPERATIONS)        MAX_SUBSCRIPTIONS_PER_CONNECTION operations at once
    └── (RESUME_EXPIRED)             ``after:`` names a cursor that cannot be resumed

:func:`to_graphql_error` turns the exceptions DRF raises inside a viewset into these,
so a GraphQL client sees the same refusal a REST client would, never a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core import exceptions as django_exceptions
from django.http import Http404
from graphql import GraphQLError
from rest_framework import exceptions as drf
from rest_framework.serializers import as_serializer_error

__all__ = [
    "BAD_REQUEST",
    "INTERNAL_SERVER_ERROR",
    "NOT_AUTHENTICATED",
    "NOT_A_LIST",
    "NOT_FOUND",
    "PERMISSION_DENIED",
    "QUERY_TOO_COMPLEX",
    "RESUME_EXPIRED",
    "THROTTLED",
    "TOO_MANY_OPERATIONS",
    "VALIDATION_ERROR",
    "LiveGraphQLError",
    "to_graphql_error",
]

logger = logging.getLogger("drf_graphql_live")

VALIDATION_ERROR = "VALIDATION_ERROR"
NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
PERMISSION_DENIED = "PERMISSION_DENIED"
NOT_FOUND = "NOT_FOUND"
THROTTLED = "THROTTLED"
BAD_REQUEST = "BAD_REQUEST"
#: A viewset's own ``list()`` answered what no list or page is (REST's JSON in
#: ``extensions.response``).
NOT_A_LIST = "NOT_A_LIST"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
TOO_MANY_OPERATIONS = "TOO_MANY_OPERATIONS"
RESUME_EXPIRED = "RESUME_EXPIRED"


class LiveGraphQLError(GraphQLError):
    """A GraphQL error carrying ``extensions.code`` (and any extra extensions)."""

    def __init__(self, message: str, code: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code, **extensions})


def _text(detail: Any) -> str:
    if isinstance(detail, dict):
        return str(detail.get("detail", detail))
    return str(detail)


def _validation(exc: drf.ValidationError | django_exceptions.ValidationError) -> LiveGraphQLError:
    detail = exc.detail if isinstance(exc, drf.ValidationError) else as_serializer_error(exc)
    fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
    return LiveGraphQLError("Invalid input.", VALIDATION_ERROR, fields=_plain(fields))


def _plain(value: Any) -> Any:
    """DRF's ErrorDetail strings -> plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def to_graphql_error(exc: BaseException) -> GraphQLError:
    """The client-facing error for an exception raised while running a viewset."""
    if isinstance(exc, GraphQLError):
        return exc
    if isinstance(exc, drf.ValidationError | django_exceptions.ValidationError):
        return _validation(exc)
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        return LiveGraphQLError(_text(exc.detail), NOT_AUTHENTICATED)
    if isinstance(exc, drf.PermissionDenied | django_exceptions.PermissionDenied):
        return LiveGraphQLError(
            _text(getattr(exc, "detail", "") or drf.PermissionDenied.default_detail),
            PERMISSION_DENIED,
        )
    if isinstance(exc, drf.NotFound | Http404 | django_exceptions.ObjectDoesNotExist):
        return LiveGraphQLError(str(drf.NotFound.default_detail), NOT_FOUND)
    if isinstance(exc, drf.Throttled):
        return LiveGraphQLError(_text(exc.detail), THROTTLED, wait=getattr(exc, "wait", None))
    if isinstance(exc, drf.APIException) and exc.status_code < 500:
        return LiveGraphQLError(_text(exc.detail), BAD_REQUEST)
    return _internal(exc)


def _internal(exc: BaseException) -> GraphQLError:
    from .settings import live_settings

    logger.error("Unexpected error while running a GraphQL operation", exc_info=exc)
    message = "Internal server error." if live_settings.mask_internal_errors else str(exc)
    return LiveGraphQLError(message, INTERNAL_SERVER_ERROR)
