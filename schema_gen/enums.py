"""GraphQL enums from DRF choices.

A ``ChoiceField(choices=[("todo", "To do"), ("in-progress", "Doing")])`` on ``Task``
becomes ``enum TaskStatus { TODO IN_PROGRESS }``. Member *values* are the raw choice
values, so DRF's representation (``"in-progress"``) serializes to ``IN_PROGRESS`` and an
input ``IN_PROGRESS`` reaches the serializer as ``"in-progress"``.

Where the values cannot give valid, distinct GraphQL names (``1``, ``""``, ``"a b"``
next to ``"a_b"``) the field keeps the scalar of its values instead: ``Int`` when every
value is an int (so the GraphQL value still equals the REST value), else ``String``.

A row may hold a value outside today's choices (a choice removed since it was saved);
REST renders it as it is, so GraphQL must not fail the list over it.
:func:`tolerate_unknown_values` lets the built schema's choice enums answer such a value
the way they name the others, upper-cased (``"archived"`` -> ``ARCHIVED``), or as the
raw value where that is no GraphQL name; clients treat it as an unknown member.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Any

import strawberry
from graphql import GraphQLEnumType, GraphQLError

from .naming import enum_member_name, is_graphql_name

__all__ = [
    "CHOICES_MARK",
    "choice_members",
    "make_enum",
    "scalar_for_choices",
    "tolerate_unknown_values",
    "unknown_value_name",
]

#: Set on the Python enums made from DRF choices (and only on them).
CHOICES_MARK = "__drf_choices__"


def choice_members(choices: Iterable[tuple[Any, Any]]) -> dict[str, Any] | None:
    """``{MEMBER_NAME: value}`` for DRF's flat choices, or None if names would be invalid."""
    members: dict[str, Any] = {}
    for value, _label in choices:
        name = enum_member_name(value)
        if isinstance(value, bool) or not is_graphql_name(name) or name in members:
            return None
        if name in ("TRUE", "FALSE", "NULL"):  # reserved by the GraphQL spec
            return None
        members[name] = value
    return members or None


def scalar_for_choices(choices: Iterable[tuple[Any, Any]]) -> Any:
    """The fallback scalar: Int for all-int values, else String."""
    values = [value for value, _label in choices]
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return int
    return str


def make_enum(name: str, members: dict[str, Any], labels: dict[Any, Any]) -> Any:
    """A Strawberry enum whose description lists the human labels."""
    python_enum = enum.Enum(name, members)  # type: ignore[misc]
    setattr(python_enum, CHOICES_MARK, True)
    description = "; ".join(
        f"{member}: {labels.get(value, value)}" for member, value in members.items()
    )
    return strawberry.enum(python_enum, name=name, description=description)


def unknown_value_name(value: Any) -> str:
    """How a choice enum answers a stored value outside its choices."""
    name = enum_member_name(value)
    return name if is_graphql_name(name) else str(value)


def tolerate_unknown_values(schema: Any) -> None:
    """Let every choice enum of the built ``schema`` answer values outside its choices.

    GraphQL's enum serialization raises on a non-member, which would turn a whole
    list into an error for one old row; here only the output side is relaxed (an
    input outside the choices is still refused, by GraphQL as by DRF).
    """
    for graphql_type in schema._schema.type_map.values():
        wrapped = getattr(graphql_type, "wrapped_cls", None)
        if isinstance(graphql_type, GraphQLEnumType) and getattr(wrapped, CHOICES_MARK, False):
            graphql_type.coerce_output_value = _tolerant(graphql_type.coerce_output_value)  # type: ignore[method-assign,assignment]


def _tolerant(coerce: Callable[[Any], str]) -> Callable[[Any], str]:
    def coerce_output_value(value: Any) -> str:
        try:
            return coerce(value)
        except (GraphQLError, ValueError):
            return unknown_value_name(value)

    return coerce_output_value
