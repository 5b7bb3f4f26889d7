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

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from rest_framework.response import Response

from schema_gen import Operation, RootField
from schema_gen.schema import Impl

from ..exceptions import NOT_A_LIST, LiveGraphQLError, to_graphql_error
from .payload import Missing, missing_in, reread_if_missing
from .replay import answered_as_rest, raise_refusal
from .representation import input_to_data, to_json
from .request import LiveContext, OperationRequest
from .selection import SelectionTree, selection_tree
from .sync import run_sync
from .viewsets import run_view

__all__ = ["query_impl", "run_action"]

logger = logging.getLogger("drf_graphql_live")

_WRITES = (Operation.CREATE, Operation.UPDATE)
#: What DRF's paginators answer; a dict with none of them is no page.
_PAGE_KEYS = frozenset({"count", "results", "next", "previous"})


def run_action(operation: OperationRequest, missing: Missing | None = None) -> Any:
    """Run the field's viewset action synchronously; JSON data, or raises a GraphQL error.

    With ``missing``, a write whose response lacks a selected non-null field answers
    with the object as read again after the commit (:mod:`.payload`), never an error.
    """
    field, arguments = operation.field, operation.arguments
    data = input_to_data(arguments["input"]) if "input" in arguments else None
    written: dict[str, Any] = {}

    def work(view: Any, request: Any) -> Response:
        def handler() -> Response:
            view.initial(request)
            if field.operation in _WRITES:
                _remember_lookup(view, written)
            return getattr(view, field.action)(request, **operation.lookup)

        return answered_as_rest(view, request, handler)  # the project's dispatch() mappings

    try:
        response = run_view(operation, field.action, work, data=data)
        raise_refusal(response)
    except Exception as exc:
        raise to_graphql_error(exc) from exc
    if field.operation is Operation.DESTROY:
        return str(next(iter(operation.lookup.values())))
    answer = _shape(field, to_json(response.data))
    if missing is not None and written:
        answer = reread_if_missing(operation, answer, written, missing)
        if still := missing(answer):
            logger.error(
                "%s committed, but its answer has no value for non-null %s: the serializer "
                "omits them for this request; make them allow_null/not required.",
                field.name,
                ", ".join(still),
            )
    return answer


def _remember_lookup(view: Any, written: dict[str, Any]) -> None:
    """Record the URL kwargs of the object ``perform_create``/``perform_update`` saves."""
    for name in ("perform_create", "perform_update"):
        perform = getattr(view, name, None)
        if perform is None:  # a create-only viewset (CreateModelMixin alone)
            continue

        def remembering(serializer: Any, perform: Callable[[Any], Any] = perform) -> Any:
            result = perform(serializer)
            instance = getattr(serializer, "instance", None)
            if instance is not None:
                kwarg = view.lookup_url_kwarg or view.lookup_field
                written[kwarg] = str(getattr(instance, view.lookup_field))
            return result

        setattr(view, name, remembering)


def _shape(field: RootField, data: Any) -> Any:
    """A list where the type is a list; a page dict where it is ``<Type>Page``."""
    if field.operation is not Operation.LIST:
        return data
    if not field.endpoint.paginated:
        return data if isinstance(data, list) else _not_a_list(field, data)
    if isinstance(data, list):  # a paginator that did not paginate (no page size)
        return {"count": len(data), "results": data, "next": None, "previous": None}
    if isinstance(data, dict) and _PAGE_KEYS.isdisjoint(data):  # list() answered one object
        return {"count": 1, "results": [data], "next": None, "previous": None}
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        return _not_a_list(field, data)
    return data


def _not_a_list(field: RootField, data: Any) -> Any:
    """A ``list()`` of the project's answered what no list or page is (one dict of
    figures, ``{"count": 3, "status": "ok"}``): REST's answer, as it is, in a coded error
    at this field (nullable where ``list()`` is the project's: nothing else is lost)."""
    keys = ", ".join(map(str, data)) if isinstance(data, dict) else type(data).__name__
    raise LiveGraphQLError(
        f"{field.endpoint.viewset.__name__}.list() answered {keys}: no list, nor a page "
        "of results. REST's answer is in extensions.response.",
        NOT_A_LIST,
        response=data,
    )


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
            return await run_sync(run_action, operation, _missing_in(field, info))

    return impl


def _missing_in(field: RootField, info: Any) -> Missing | None:
    """For a write: what its answer leaves out of the client's non-null selection."""
    return missing_in(info) if field.operation in _WRITES else None


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
