"""What a committed mutation answers: its data, even when the response has another shape.

DRF answers a write with the serializer's representation *for that request*. Where
that differs from what the GraphQL type promises (a field a serializer only adds on
``GET``, a value null in the write's response the type says is non-null), GraphQL would
answer "Cannot return null for non-nullable field" after the commit, and a client
would retry and write twice; where the type allows null, it would answer null for a
value the object has. So when the response leaves out a selected field, or nulls a
non-null one (:func:`missing_fields`), the object is read again the way a REST client reads it next
(``GET`` of its detail route, as the same user, through the viewset), and the holes of
the response are filled from that reading (:func:`filled`); the response's own values
stay as REST gave them::

    missing_fields({"id": 7, "title": None}, Task!, {"id": {}, "title": {}})  # ["title"]
    answer = reread_if_missing(operation, answer, {"pk": "7"}, missing_in(info))

Custom write ``@action`` routes answer the same way (:func:`committed_action_answer`):
one typed from the viewset's serializer is filled from a ``retrieve`` of its object;
one whose answer still does not fit its type answers null (the field is nullable)
and logs why, never an error for a change that was committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    get_named_type,
    get_nullable_type,
)

from schema_gen.actions import ActionField

from .representation import to_json
from .request import OperationRequest
from .selection import SelectionTree, selection_tree
from .viewsets import run_view

__all__ = [
    "Missing",
    "committed_action_answer",
    "filled",
    "missing_fields",
    "missing_in",
    "reread_if_missing",
]

logger = logging.getLogger("drf_graphql_live")

#: The selected non-null fields a value leaves null or out (see :func:`missing_fields`).
Missing = Callable[[Any], list[str]]


def missing_in(info: Any) -> Missing:
    """What an answer leaves out of the client's selection of this root field."""
    tree = selection_tree(info.selected_fields[0].selections)
    graphql_type = info._raw_info.return_type  # graphql-core's type; Strawberry's Info wraps it
    return lambda value: missing_fields(value, graphql_type, tree)


def reread_if_missing(
    operation: OperationRequest, answer: Any, lookup: dict[str, Any], missing: Missing
) -> Any:
    """``answer`` filled from a ``retrieve`` of the written object where it has holes.

    The change is committed: a failure to read it again is logged, and the answer
    returned as it is.
    """
    if not lookup or not missing(answer):
        return answer

    def work(view: Any, request: Any) -> Any:
        view.initial(request)
        return view.retrieve(request, **lookup).data

    try:
        reread = to_json(run_view(operation, "retrieve", work, lookup=lookup))
    except Exception:
        logger.warning("Could not read %s %s again", operation.field.name, lookup, exc_info=True)
        return answer
    return filled(answer, reread)


def committed_action_answer(operation: OperationRequest, answer: Any, missing: Missing) -> Any:
    """What a write ``@action`` that returned answers: its data, never an error.

    Typed from the viewset's serializer (``field.rereads``), a detail action's holes are
    filled from a ``retrieve`` of its object; what still does not fit the type answers
    null (the field is nullable), logged with the fix.
    """
    field = operation.field
    if isinstance(field, ActionField) and field.rereads:
        answer = reread_if_missing(operation, answer, operation.lookup, missing)
    if still := missing(answer):
        logger.error(
            "%s committed, but its answer does not fit its type (no value for %s): it "
            "answers null. Declare the action's response with @extend_schema(responses=...).",
            field.name,
            ", ".join(path or "the object" for path in still),
        )
        return None
    return answer


def missing_fields(value: Any, graphql_type: GraphQLOutputType, tree: SelectionTree) -> list[str]:
    """Dotted paths of the selected fields ``value`` leaves out, or null where non-null."""
    if value is None:
        return [""] if isinstance(graphql_type, GraphQLNonNull) else []
    nullable = get_nullable_type(graphql_type)
    if isinstance(nullable, GraphQLList):
        return [
            f"{index}.{path}".rstrip(".")
            for index, item in enumerate(value if isinstance(value, list) else ())
            for path in missing_fields(item, nullable.of_type, tree)
        ]
    object_type = get_named_type(nullable)
    if not isinstance(object_type, GraphQLObjectType):
        return []
    if not isinstance(value, Mapping):
        return [""]  # a list or a scalar where the type wants an object
    missing = []
    origin = getattr(object_type.extensions.get("strawberry-definition"), "origin", None)
    keys = getattr(origin, "__drf_fields__", None) or {}  # a serializer's type: its fields
    for name, subtree in tree.items():
        field = object_type.fields.get(name)
        if field is None:
            continue
        definition = field.extensions.get("strawberry-definition")
        key = keys.get(name) or getattr(definition, "python_name", name)  # as resolved
        if key not in value:
            missing.append(name)
            continue
        for path in missing_fields(value[key], field.type, subtree):
            missing.append(f"{name}.{path}".rstrip("."))
    return missing


def filled(response: Any, reread: Any) -> Any:
    """``response`` with its null or absent values taken from ``reread``, recursively."""
    if not isinstance(response, Mapping) or not isinstance(reread, Mapping):
        return reread if response is None else response
    result = dict(response)
    for key, value in reread.items():
        result[key] = filled(result.get(key), value)
    return result
