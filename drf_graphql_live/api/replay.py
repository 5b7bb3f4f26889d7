"""Exceptions the project maps to responses itself, answered as REST answers them.

REST reaches a handler through ``dispatch()``, which hands what the handler raises to
``handle_exception()`` (and through it to ``EXCEPTION_HANDLER``); projects override any
of the three to turn their own exceptions into responses — NetBox's ``dispatch()`` answers
a ``ProtectedError`` with 409 and the dependent objects. Operations call ``initial()``
and the handler directly (no rendering), so an exception DRF itself would not map is
replayed through the project's own ``dispatch()``: the viewset's class is, for that call,
one whose ``super().dispatch()`` re-raises the exception into ``handle_exception()``,
as ``APIView.dispatch`` would::

    response = answered_as_rest(view, request, lambda: view.destroy(request, pk="7"))
    raise_refusal(response)   # 409 {"detail": ...} -> BAD_REQUEST, extensions.status 409

An exception nothing of the project's maps raises as before (INTERNAL_SERVER_ERROR).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core import exceptions as django_exceptions
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

__all__ = ["answered_as_rest", "raise_refusal"]

#: What DRF's own ``exception_handler`` answers (we answer those with their codes).
_DRF_MAPPED = (exceptions.APIException, Http404, django_exceptions.PermissionDenied)
_REFUSALS: dict[int, type[exceptions.APIException]] = {
    status.HTTP_401_UNAUTHORIZED: exceptions.NotAuthenticated,
    status.HTTP_403_FORBIDDEN: exceptions.PermissionDenied,
    status.HTTP_404_NOT_FOUND: exceptions.NotFound,
}
_REPLAYED = "drf_graphql_live_replayed"


def answered_as_rest(view: Any, request: Request, handler: Callable[[], Any]) -> Any:
    """``handler()``; an exception the project's hooks turn into a ``Response``, that one."""
    try:
        return handler()
    except _DRF_MAPPED:
        raise
    except Exception as exc:
        response = _replayed(view, request, exc)
        if response is None:
            raise
        return response


def raise_refusal(response: Any) -> None:
    """The exception for a 4xx/5xx ``Response`` answered instead of raised (its code)."""
    code = getattr(response, "status_code", 200)
    if code < status.HTTP_400_BAD_REQUEST:
        return
    if code == status.HTTP_400_BAD_REQUEST:
        raise exceptions.ValidationError(response.data)
    refusal = _REFUSALS.get(code)
    if refusal is not None:
        raise refusal()
    error = exceptions.APIException(response.data)
    error.status_code = code
    raise error


def _replayed(view: Any, request: Request, exc: Exception) -> Response | None:
    viewset = type(view)
    setattr(view, _REPLAYED, exc)
    view.__class__ = _replaying(viewset)  # type: ignore[arg-type]  # classes hash
    try:
        response = view.dispatch(request._request, *view.args, **view.kwargs)
    except Exception:  # re-raised (nothing maps it), or the mapping itself failed
        return None
    finally:
        view.__class__ = viewset
        delattr(view, _REPLAYED)
    return response if isinstance(response, Response) else None


class _Rethrow(APIView):
    """Where ``APIView.dispatch`` would run the handler: the handler's exception, handled."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return self.handle_exception(getattr(self, _REPLAYED))


@functools.cache
def _replaying(viewset: type) -> type:
    """``viewset`` with :class:`_Rethrow` just above ``APIView`` in its MRO."""
    return type(viewset.__name__, (viewset, _Rethrow), {"__module__": viewset.__module__})
