"""A viewset instance set up exactly as DRF's router-made view would set it up.

``ViewSetMixin.as_view()`` creates the instance, binds the action map, then
``dispatch()`` wraps the request and runs ``initial()``. We do the same steps, minus
the HTTP response, so every hook the project overrides still runs::

    view, request = prepare_view(endpoint, "list", django_request)
    view.initial(request)      # authentication, permissions, throttles
    response = view.list(request)
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from rest_framework.request import Request

from schema_gen import Endpoint

__all__ = ["ACTION_METHODS", "prepare_view"]

#: The HTTP method REST uses for each action: permission classes look at it.
ACTION_METHODS: dict[str, str] = {
    "list": "GET",
    "retrieve": "GET",
    "create": "POST",
    "partial_update": "PATCH",
    "destroy": "DELETE",
}

_DETAIL_ACTIONS = frozenset({"retrieve", "partial_update", "destroy"})


def prepare_view(
    endpoint: Endpoint,
    action: str,
    django_request: HttpRequest,
    *,
    kwargs: dict[str, Any] | None = None,
    data: Any = None,
) -> tuple[Any, Request]:
    """(viewset instance, DRF request) for ``action``, ready for ``view.initial()``."""
    detail = action in _DETAIL_ACTIONS
    view = endpoint.viewset(
        basename=endpoint.basename, detail=detail, suffix="Instance" if detail else "List"
    )
    method = ACTION_METHODS[action].lower()
    view.action_map = {method: action}
    setattr(view, method, getattr(view, action))
    view.args = ()
    view.kwargs = kwargs or {}
    view.format_kwarg = None  # initial() sets it too; event re-checks skip initial()
    view.request = django_request
    request = view.initialize_request(django_request)
    if data is not None:
        # The GraphQL input *is* the body: skip DRF's parsers, which would read the
        # GraphQL envelope instead.
        request._full_data = data
        request._data = data
        request._files = MultiValueDict()
    view.request = request
    view.headers = view.default_response_headers
    return view, request
