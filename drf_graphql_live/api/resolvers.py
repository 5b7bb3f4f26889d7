"""Queries and mutations: list, retrieve, create, partial_update, destroy via the viewset.

Each root field becomes the REST call it stands for: the same viewset action, the
same ``initial()`` (authentication, permissions, throttles), the same hooks the
project overrides. Only two things are added, both invisible in the result:

* the serializer is trimmed to the selected fields (:mod:`.selection`), and
* ``filter_queryset`` gains the joins the trimmed serializer needs (:mod:`.prefetch`).

The result is DRF's ``response.data`` passed through DRF's JSON encoder, so a GraphQL
value is byte-for-byte the REST value::

    impl = query_impl(root_field)      # async (info, arguments) -> result
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework.response import Response

from schema_gen import Operation, RootField
from schema_gen.schema import Impl

from ..exceptions import to_graphql_error
from .representation import input_to_data, to_json
from .request import LiveContext, OperationRequest
from .selection import SelectionTree, selection_tree
from .sync import run_sync
from .viewsets import operation_view

__all__ = ["query_impl", "run_action"]


def run_action(operation: OperationRequest) -> Any:
    """Run the field's viewset action synchronously; JSON data, or raises a GraphQL error."""
    field, arguments = operation.field, operation.arguments
    data = input_to_data(arguments["input"]) if "input" in arguments else None
    try:
        view, request = operation_view(operation, field.action, data=data)
        view.initial(request)
        response: Response = getattr(view, field.action)(request, **operation.lookup)
    except Exception as exc:
        raise to_graphql_error(exc) from exc
    if field.operation is Operation.DESTROY:
        return str(next(iter(operation.lookup.values())))
    return _shape(field, to_json(response.data))


def _shape(field: RootField, data: Any) -> Any:
    """A list where the type is a list; a page dict where it is ``<Type>Page``."""
    if field.operation is not Operation.LIST or not field.endpoint.paginated:
        return data
    if isinstance(data, list):  # a paginator that did not paginate (no page size)
        return {"count": len(data), "results": data, "next": None, "previous": None}
    return data


def _query_selection(field: RootField, info: Any) -> SelectionTree | None:
    """The serializer-level selection, or None to compute every field (mutations)."""
    if field.operation not in (Operation.LIST, Operation.RETRIEVE):
        return None
    tree = selection_tree(info.selected_fields[0].selections)
    if field.operation is Operation.LIST and field.endpoint.paginated:
        return tree.get("results", {})
    return tree


def query_impl(field: RootField) -> Impl:
    """The resolver body of a query or mutation field.

    It hops to a worker thread once (:func:`.sync.run_sync`: DRF and the ORM are
    synchronous, and stale connections are closed as in a Django request); nested
    fields then resolve from the returned dict on the event loop.
    """

    async def impl(info: Any, arguments: dict[str, Any]) -> Any:
        context = info.context
        if not isinstance(context, LiveContext):
            context = LiveContext(scope=_scope_of(context))
        operation = OperationRequest(field, context, arguments, _query_selection(field, info))
        async with context.serial:
            return await run_sync(run_action, operation)

    return impl


def _scope_of(context: Any) -> dict[str, Any]:
    """A minimal scope for contexts we did not build (``schema.execute`` in a shell/test)."""
    request = context.get("request") if isinstance(context, dict) else None
    if isinstance(request, HttpRequest):
        return {
            "type": "http",
            "path": request.path,
            "headers": [],
            "user": getattr(request, "user", None),
        }
    return {"type": "http", "path": "/", "headers": []}
