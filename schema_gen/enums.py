"""GraphQL enums from DRF choices.

A ``ChoiceField(choices=[("todo", "To do"), ("in-progress", "Doing")])`` on ``Task``
becomes ``enum TaskStatus { TODO IN_PROGRESS }``. Member *values* are the raw choice
values, so DRF's representation (``"in-progress"``) serializes to ``IN_PROGRESS`` and an
input ``IN_PROGRESS`` reaches the serializer as ``"in-progress"``.

Where the values cannot give valid, distinct GraphQL names (``1``, ``""``, ``"a b"``
next to ``"a_b"``) the field keeps the scalar of its values instead: ``Int`` when every
value is an int (so the GraphQL value still equals the REST value), else ``String``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

import strawberry

from .naming import enum_member_name, is_graphql_name

__all__ = ["choice_members", "make_enum", "scalar_for_choices"]


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
    description = "; ".join(
        f"{member}: {labels.get(value, value)}" for member, value in members.items()
    )
    return strawberry.enum(python_enum, name=name, description=description)
