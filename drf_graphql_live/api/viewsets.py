"""A viewset instance set up exactly as DRF's router-made view would set it up.

``ViewSetMixin.as_view()`` creates the instance, binds the action map, then
``dispatch()`` wraps the request and runs ``initial()``. We do the same steps, minus
the HTTP response, so every hook the project overrides still runs. This is the one
place where an operation becomes a viewset and its request, for queries, mutations
and subscriptions alike, inside the project's middleware (:mod:`.middleware`) as a REST
request would be::

    def work(view, request):
        view.initial(request)  # authentication, permissions, throttles, the method
        return view.list(request)

    response = run_view(operation, "list", work)

A method the viewset refuses is refused here as ``dispatch()`` refuses it, after
``initial()``: a field the generator left out (:meth:`schema_gen.Endpoint.has_action`)
that is reached anyway answers MethodNotAllowed (BAD_REQUEST), never runs the action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from rest_framework.request import Request
from rest_framework.viewsets import GenericViewSet

from schema_gen import Endpoint
from schema_gen.arguments import to_query_params
from schema_gen.root_fields import ACTION_METHODS, method_allowed
from schema_gen.routes import route_url

from .authentication import check_credentials_read
from .middleware import through_middleware
from .prefetch import optimize_queryset
from .request import OperationRequest, apply_identity, operation_request
from .selection import SelectionTree, prune_serializer

__all__ = ["ACTION_METHODS", "bind_request", "list_path", "prepare_view", "run_view", "trim_view"]

T = TypeVar("T")

_DETAIL_ACTIONS = frozenset({"retrieve", "partial_update", "destroy"})
#: Arguments that are not REST query parameters: the URL's lookup, the body, and the
#: subscription's own options.
_NOT_QUERY_PARAMS = frozenset({"lookup", "input", "initial"})


def list_path(endpoint: Endpoint, fallback: str) -> str:
    """The REST list URL, so DRF's ``next``/``previous`` links equal REST's and the
    project's middleware sees the route's path (a router under a URL namespace too)."""
    found = route_url(endpoint.basename, endpoint.viewset)
    return fallback if found is None else found


def run_view(
    operation: OperationRequest,
    action: str,
    work: Callable[[GenericViewSet, Request], T],
    *,
    data: Any = None,
    render: bool = True,
    lookup: dict[str, Any] | None = None,
) -> T:
    """``work(view, request)`` on the viewset running ``action`` as ``operation`` asks it.

    The request has the REST call's method, list path and query string, and passes
    through the project's middleware first; with ``render`` and a selection the
    serializer is trimmed to it (:func:`trim_view`). ``lookup`` replaces the
    operation's URL kwargs (a mutation's answer re-read by ``retrieve``).
    """
    field = operation.field
    filters = [a for a in field.arguments if a.python_name not in _NOT_QUERY_PARAMS]
    django_request = operation_request(
        operation.context,
        method=ACTION_METHODS[action],
        path=list_path(field.endpoint, operation.context.scope.get("path", "/")),
        query=to_query_params(filters, operation.arguments),
    )

    def in_view(request: HttpRequest) -> T:
        view, drf_request = prepare_view(
            field.endpoint,
            action,
            request,
            kwargs=operation.lookup if lookup is None else lookup,
            data=data,
        )
        if render and operation.selection is not None:
            trim_view(view, operation.selection)
        return work(view, drf_request)

    return through_middleware(
        django_request, lambda request: apply_identity(request, operation.context), in_view
    )


def prepare_view(
    endpoint: Endpoint,
    action: str,
    django_request: HttpRequest,
    *,
    kwargs: dict[str, Any] | None = None,
    data: Any = None,
) -> tuple[GenericViewSet, Request]:
    """(viewset instance, DRF request) for ``action``, ready for ``view.initial()``."""
    detail = action in _DETAIL_ACTIONS
    view = endpoint.viewset(
        basename=endpoint.basename, detail=detail, suffix="Instance" if detail else "List"
    )
    method = ACTION_METHODS[action].lower()
    # What as_view() binds: only a method the router maps to an action the viewset has.
    routed = (method, action) in endpoint.routes and hasattr(view, action)
    view.action_map = {method: action} if routed else {}
    if routed:
        setattr(view, method, getattr(view, action))
    view.initial = _initial_then_method_check(view)
    return view, bind_request(view, django_request, kwargs or {}, data)


def bind_request(
    view: Any, django_request: HttpRequest, kwargs: dict[str, Any], data: Any
) -> Request:
    """What ``as_view()``'s ``view()`` sets before dispatching, with ``data`` as the body."""
    view.args, view.kwargs = (), kwargs
    view.format_kwarg = None  # initial() sets it too; event re-checks skip initial()
    view.request = django_request
    request = view.initialize_request(django_request)  # sets view.action from action_map
    if data is not None:
        # The GraphQL input *is* the body: skip DRF's parsers, which would read the
        # GraphQL envelope instead.
        request._full_data = data
        request._data = data
        request._files = MultiValueDict()
    view.request = request
    view.headers = view.default_response_headers
    return request


def _initial_then_method_check(view: GenericViewSet) -> Callable[..., None]:
    """``view.initial``, then ``dispatch()``'s handler choice, in REST's order.

    ``dispatch()`` runs ``initial()`` (authentication, permissions, throttles) and then
    answers 405 through ``http_method_not_allowed`` for a method outside
    ``http_method_names`` or without a bound handler. Every caller runs ``initial()``
    before the action (queries, mutations, subscriptions), so each gets the check.
    """
    initial = view.initial

    def checked_initial(request: Request, *args: Any, **kwargs: Any) -> None:
        check_credentials_read(view, request)  # issue 24: never anonymous by mistake
        initial(request, *args, **kwargs)
        if not method_allowed(view, str(request.method)):
            view.http_method_not_allowed(request, *args, **kwargs)

    return checked_initial


def trim_view(view: GenericViewSet, selection: SelectionTree) -> None:
    """Trim the viewset's serializer to ``selection`` and join what it then needs.

    The serializer drops unselected fields (:func:`.selection.prune_serializer`), and
    ``filter_queryset`` gains the joins the trimmed serializer walks
    (:func:`.prefetch.optimize_queryset`).

    The viewset is never re-entered from inside itself: a project's
    ``get_serializer_context()`` may call ``self.filter_queryset(...)`` (paperless-ngx
    does), and building a serializer here calls that hook. While one is built, the
    project's hooks get the project's own ``filter_queryset``, as in REST, instead of
    ours (which would build a serializer again, forever). A plain ``ViewSet`` (no
    ``get_serializer``) answers in full; GraphQL picks the selected fields from it.
    """
    if not hasattr(view, "get_serializer"):
        return  # a plain ViewSet serializes by hand: nothing to trim, as REST answers
    original_get_serializer: Callable[..., Any] = view.get_serializer
    original_filter_queryset: Callable[..., Any] = view.filter_queryset
    building = False

    def build(*args: Any, **kwargs: Any) -> Any:
        nonlocal building
        outer, building = building, True
        try:
            serializer = original_get_serializer(*args, **kwargs)
        finally:
            building = outer
        prune_serializer(serializer, selection)
        return serializer

    def filter_queryset(queryset: Any) -> Any:
        filtered = original_filter_queryset(queryset)
        if building:  # a hook of the serializer being built: REST's filter_queryset
            return filtered
        return optimize_queryset(filtered, build())

    view.get_serializer = build  # type: ignore[method-assign]
    view.filter_queryset = filter_queryset  # type: ignore[method-assign]
