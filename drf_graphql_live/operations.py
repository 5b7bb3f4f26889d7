"""list / retrieve / create / partial_update / destroy, run through the viewset.

Each root field becomes the REST call it stands for: the same viewset action, the
same ``initial()`` (authentication, permissions, throttles), the same hooks the
project overrides. Only two things are added, both invisible in the result:

* the serializer is trimmed to the selected fields (:mod:`.selection`), and
* ``filter_queryset`` gains the joins the trimmed serializer needs (:mod:`.optimizer`).

The result is DRF's ``response.data`` passed through DRF's JSON encoder, so a GraphQL
value is byte-for-byte the REST value::

    runner = ViewsetRunner()
    impl = runner(root_field)          # async (info, arguments) -> result
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from strawberry import UNSET as _UNSET

from schema_gen import Operation, RootField
from schema_gen.arguments import to_query_params
from schema_gen.schema import SUBSCRIPTIONS, Impl

from .db import run_sync
from .exceptions import to_graphql_error
from .optimizer import optimize_queryset
from .request import LiveContext, operation_request
from .selection import SelectionTree, prune_serializer, selection_tree
from .views import ACTION_METHODS, prepare_view

__all__ = ["ViewsetRunner", "input_to_data", "run_action", "trim_view"]


def to_json(data: Any) -> Any:
    """DRF's representation as the REST client receives it (Decimals, dates, UUIDs...)."""
    return json.loads(json.dumps(data, cls=JSONEncoder))


def input_to_data(value: Any) -> Any:
    """A Strawberry input object -> the dict ``request.data`` would hold (UNSET left out)."""
    field_names = getattr(type(value), "__drf_fields__", None)
    if field_names is not None:
        return {
            field_name: input_to_data(getattr(value, attr))
            for attr, field_name in field_names.items()
            if getattr(value, attr) is not _UNSET
        }
    if isinstance(value, list):
        return [input_to_data(item) for item in value]
    return getattr(value, "value", value) if hasattr(type(value), "__members__") else value


def list_path(endpoint: Any, fallback: str) -> str:
    """The REST list URL, so DRF's ``next``/``previous`` links equal REST's."""
    try:
        return reverse(f"{endpoint.basename}-list")
    except NoReverseMatch:
        return fallback


def run_action(
    field: RootField,
    context: LiveContext,
    arguments: dict[str, Any],
    selection: SelectionTree | None,
) -> Any:
    """Run ``field``'s viewset action synchronously; returns JSON data or raises a GraphQL error."""
    endpoint, action = field.endpoint, field.action
    lookup_kwargs = {
        a.query_param: arguments[a.python_name]
        for a in field.arguments
        if a.python_name == "lookup"
    }
    query = to_query_params(
        [a for a in field.arguments if a.python_name not in ("lookup", "input")], arguments
    )
    django_request = operation_request(
        context,
        method=ACTION_METHODS[action],
        path=list_path(endpoint, context.scope.get("path", "/")),
        query=query,
    )
    data = input_to_data(arguments["input"]) if "input" in arguments else None
    try:
        view, request = prepare_view(
            endpoint, action, django_request, kwargs=lookup_kwargs, data=data
        )
        if selection is not None:
            trim_view(view, selection)
        view.initial(request)
        response: Response = getattr(view, action)(request, **lookup_kwargs)
    except Exception as exc:
        raise to_graphql_error(exc) from exc
    if field.operation is Operation.DESTROY:
        return str(next(iter(lookup_kwargs.values())))
    return _shape(field, to_json(response.data))


def trim_view(view: Any, selection: SelectionTree) -> None:
    """Trim the viewset's serializer to ``selection`` and join what it then needs."""
    original_get_serializer: Callable[..., Any] = view.get_serializer
    original_filter_queryset: Callable[..., Any] = view.filter_queryset

    def get_serializer(*args: Any, **kwargs: Any) -> Any:
        serializer = original_get_serializer(*args, **kwargs)
        prune_serializer(serializer, selection)
        return serializer

    def filter_queryset(queryset: Any) -> Any:
        template = original_get_serializer()
        prune_serializer(template, selection)
        return optimize_queryset(original_filter_queryset(queryset), template)

    view.get_serializer = get_serializer
    view.filter_queryset = filter_queryset


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


class ViewsetRunner:
    """The ``runner`` given to :func:`schema_gen.generate_schema`.

    Each resolver hops to a worker thread once (:func:`.db.run_sync`: DRF and the ORM
    are synchronous, and stale connections are closed as in a Django request);
    nested fields then resolve from the returned dict on the event loop.
    """

    def __call__(self, field: RootField) -> Impl:
        if field.operation in SUBSCRIPTIONS:
            from .subscriptions import subscription_impl  # the hub imports this module

            return subscription_impl(field)

        async def impl(info: Any, arguments: dict[str, Any]) -> Any:
            context = info.context
            if not isinstance(context, LiveContext):
                context = LiveContext(scope=_scope_of(context))
            selection = _query_selection(field, info)
            return await run_sync(run_action, field, context, arguments, selection)

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
