"""Custom ``@action`` routes, run through the viewset as their REST route runs them.

The router builds the action's view with the ``@action(...)`` kwargs as ``as_view()``
initkwargs and binds the route's method to the handler; ``dispatch()`` then runs
``initial()`` and the handler. We do the same, inside the project's middleware, and
answer DRF's ``response.data`` through DRF's JSON encoder::

    impl = action_impl(field)        # field: schema_gen.actions.ActionField
    await impl(info, {"lookup": "7", "input": {"note": "x"}})   # POST /posts/7/publish/

An action that answers a 4xx ``Response`` itself (``Response(serializer.errors,
status=400)``, DRF's documented pattern) is a coded error, as its exception would be.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework.response import Response
from strawberry import UNSET

from schema_gen.actions import ActionField
from schema_gen.arguments import to_query_params
from schema_gen.schema import Impl

from ..exceptions import to_graphql_error
from .middleware import through_middleware
from .payload import Missing, committed_action_answer, missing_in
from .replay import answered_as_rest, raise_refusal
from .representation import input_to_data, to_json
from .request import LiveContext, OperationRequest, apply_identity, operation_request
from .sync import run_sync
from .viewsets import bind_request, list_path

__all__ = ["action_impl", "run_extra_action"]

#: Arguments that are not query parameters: the URL's lookup and the body.
_NOT_QUERY_PARAMS = frozenset({"lookup", "input"})


def action_impl(field: ActionField) -> Impl:
    """The resolver body of an ``@action`` field: one hop to a worker thread."""

    async def impl(info: Any, arguments: dict[str, Any]) -> Any:
        context = info.context
        if not isinstance(context, LiveContext):
            context = LiveContext(scope={"type": "http", "path": "/", "headers": []})
        operation = OperationRequest(field, context, arguments)
        missing = missing_in(info) if field.method != "GET" else None
        async with context.serial:
            return await run_sync(run_extra_action, operation, missing)

    return impl


def run_extra_action(operation: OperationRequest, missing: Missing | None = None) -> Any:
    """Run the action synchronously; its JSON data, or raises a coded GraphQL error.

    With ``missing`` (a write), an action that returned answers with its data, never an
    error (:func:`.payload.committed_action_answer`).
    """
    field = operation.field
    if not isinstance(field, ActionField):
        raise TypeError(f"{field.name} is not an @action field")
    body = operation.arguments.get("input")
    data = None if body is None or body is UNSET else input_to_data(body)
    filters = [a for a in field.arguments if a.python_name not in _NOT_QUERY_PARAMS]
    django_request = operation_request(
        operation.context,
        method=field.method,
        path=list_path(field.endpoint, operation.context.scope.get("path", "/")),
        query=to_query_params(filters, operation.arguments),
    )

    def in_view(request: HttpRequest) -> Response:
        view, drf_request = _prepare(field, request, operation.lookup, data)

        def handler() -> Response:
            view.initial(drf_request)
            response: Response = getattr(view, field.handler)(drf_request, **operation.lookup)
            return response

        return answered_as_rest(view, drf_request, handler)  # dispatch()'s own mappings

    try:
        response = through_middleware(
            django_request, lambda r: apply_identity(r, operation.context), in_view
        )
        raise_refusal(response)
    except Exception as exc:
        raise to_graphql_error(exc) from exc
    answer = to_json(response.data)
    return answer if missing is None else committed_action_answer(operation, answer, missing)


def _prepare(
    field: ActionField, django_request: HttpRequest, kwargs: dict[str, Any], data: Any
) -> tuple[Any, Any]:
    """The view as the router's ``as_view(actions, **initkwargs)`` would set it up."""
    endpoint = field.endpoint
    extra = getattr(endpoint.viewset, field.handler)
    initkwargs = {"basename": endpoint.basename, "detail": field.detail, **extra.kwargs}
    view = endpoint.viewset(**initkwargs)
    method = field.method.lower()
    view.action_map = {method: field.handler}
    setattr(view, method, getattr(view, field.handler))
    return view, bind_request(view, django_request, kwargs, data)
