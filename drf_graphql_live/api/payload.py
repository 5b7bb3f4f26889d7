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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    get_named_type,
    get_nullable_type,
)

from .selection import SelectionTree

__all__ = ["filled", "missing_fields"]


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
    if not isinstance(object_type, GraphQLObjectType) or not isinstance(value, Mapping):
        return []
    missing = []
    for name, subtree in tree.items():
        field = object_type.fields.get(name)
        if field is None:
            continue
        definition = field.extensions.get("strawberry-definition")
        key = getattr(definition, "python_name", name)  # how dict_resolver reads it
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
