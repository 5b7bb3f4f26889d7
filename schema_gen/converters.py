"""map_field(): one dispatcher from a bound DRF field to a GraphQL type annotation.

Structural cases come first (nested serializers, ``many=True``, relations, choices,
lists, method fields), then :data:`schema_gen.mapping.FIELD_TYPE_MAP` along the MRO.
A field nothing maps becomes the JSON scalar *with a warning naming the serializer and
field* — never a silent ``String`` that would lie to codegen::

    annotation = map_field(serializer.fields["status"], builder, Direction.OUTPUT)

Nullability is decided by the caller (:mod:`schema_gen.object_types`,
:mod:`schema_gen.input_types`): this module returns the non-null inner type.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import types
import typing
import uuid
import warnings
from typing import TYPE_CHECKING, Any

import strawberry
from rest_framework import fields, relations, serializers
from rest_framework.settings import api_settings
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from .introspection import declared_field
from .mapping import lookup
from .types import list_of

if TYPE_CHECKING:
    from .types import Builder

__all__ = ["Direction", "UnmappedFieldWarning", "map_field", "python_type_to_graphql"]


class Direction(enum.Enum):
    """Which side of the serializer a type is for: representation or input."""

    OUTPUT = "output"
    INPUT = "input"


class UnmappedFieldWarning(UserWarning):
    """A DRF field class has no GraphQL mapping and falls back to the JSON scalar."""


_PYTHON_SCALARS: dict[Any, Any] = {
    int: int,
    str: str,
    bool: bool,
    float: float,
    # Rendered by DRF's JSON encoder before GraphQL sees them: strings on the wire.
    decimal.Decimal: str,
    datetime.datetime: str,
    datetime.date: str,
    datetime.time: str,
    datetime.timedelta: str,
    uuid.UUID: str,
    dict: JSON,
    typing.Any: JSON,
}


def python_type_to_graphql(annotation: Any) -> tuple[Any, bool]:
    """(GraphQL type, nullable) for a Python return annotation; JSON when unknown."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        inner = python_type_to_graphql(args[0])[0] if len(args) == 1 else JSON
        return inner, True
    if origin in (list, tuple, set, frozenset) or annotation in (list, tuple, set):
        items = typing.get_args(annotation)
        child = python_type_to_graphql(items[0])[0] if items else JSON
        return list_of(child), False
    if origin is dict:
        return JSON, False
    return _PYTHON_SCALARS.get(annotation, JSON), False


def map_field(field: fields.Field, builder: Builder, direction: Direction) -> Any:
    """The GraphQL type (non-null form) of a bound ``field`` for ``direction``."""
    for handles, convert in _STRUCTURAL:
        if isinstance(field, handles):
            return convert(field, builder, direction)
    mapped = lookup(type(field))
    if mapped is not None:
        return mapped
    owner = declared_field(field)  # a ListField's child: name the ListField
    warnings.warn(
        f"{type(owner.parent).__name__}.{owner.field_name}: no GraphQL type for "
        f"{type(field).__name__}; using the JSON scalar. Add it to "
        "schema_gen.mapping.FIELD_TYPE_MAP to give it a precise type.",
        UnmappedFieldWarning,
        stacklevel=2,
    )
    return JSON


def _list_serializer(field: serializers.ListSerializer, builder: Builder, d: Direction) -> Any:
    child = field.child
    return list_of(JSON if child is None else map_field(child, builder, d))


def _serializer(field: serializers.BaseSerializer, builder: Builder, d: Direction) -> Any:
    if d is Direction.INPUT:
        # A nested serializer with nothing writable has no input type; DRF still
        # accepts an object for it, so take one as JSON rather than fail the build.
        return builder.input_type(type(field)) or JSON
    return builder.output_type(type(field))


def _many_related(field: relations.ManyRelatedField, builder: Builder, d: Direction) -> Any:
    return list_of(map_field(field.child_relation, builder, d))


def _primary_key(field: relations.PrimaryKeyRelatedField, builder: Builder, d: Direction) -> Any:
    # Input accepts "7" or 7 like DRF does; output keeps the pk's own JSON type so the
    # GraphQL value equals the REST value (7, not "7").
    if d is Direction.INPUT:
        return strawberry.ID
    if field.pk_field is not None:
        return map_field(field.pk_field, builder, d)
    model = builder.related_model(field)
    if model is None:
        return strawberry.ID
    pk = model._meta.pk
    while pk.is_relation:  # a OneToOneField primary key renders the target's pk
        pk = pk.target_field  # type: ignore[attr-defined]
    return int if pk.get_internal_type().endswith(("AutoField", "IntegerField")) else str


def _multiple_choice(field: fields.MultipleChoiceField, builder: Builder, d: Direction) -> Any:
    return list_of(builder.choice_type(field))


def _choice(field: fields.ChoiceField, builder: Builder, d: Direction) -> Any:
    return builder.choice_type(field)


def _list_field(field: fields.ListField, builder: Builder, d: Direction) -> Any:
    item = map_field(field.child, builder, d)
    return list_of(item | None) if field.child.allow_null else list_of(item)


def _method(field: fields.SerializerMethodField, builder: Builder, d: Direction) -> Any:
    method = getattr(type(field.parent), field.method_name, None)
    try:
        annotation = typing.get_type_hints(method).get("return", typing.Any)
    except Exception:  # unresolvable forward refs: the documented fallback applies
        annotation = typing.Any
    return python_type_to_graphql(annotation)[0]


def _decimal(field: fields.DecimalField, builder: Builder, d: Direction) -> Any:
    coerce = getattr(field, "coerce_to_string", None)
    if coerce is None:
        coerce = api_settings.COERCE_DECIMAL_TO_STRING
    return str if coerce else float


def _big_integer(field: fields.IntegerField, builder: Builder, d: Direction) -> Any:
    # BigIntegerField renders a string when coerce_to_string/COERCE_BIGINT_TO_STRING is on.
    coerce = getattr(field, "coerce_to_string", None)
    if coerce is None:
        coerce = getattr(api_settings, "COERCE_BIGINT_TO_STRING", False)
    return str if coerce else int


def _file(field: fields.FileField, builder: Builder, d: Direction) -> Any:
    return Upload if d is Direction.INPUT else str


_STRUCTURAL: tuple[tuple[type | tuple[type, ...], Any], ...] = (
    (serializers.ListSerializer, _list_serializer),
    (serializers.BaseSerializer, _serializer),
    (relations.ManyRelatedField, _many_related),
    (relations.PrimaryKeyRelatedField, _primary_key),
    (fields.MultipleChoiceField, _multiple_choice),
    (fields.ChoiceField, _choice),
    (fields.ListField, _list_field),
    (fields.SerializerMethodField, _method),
    (fields.DecimalField, _decimal),
    (fields.FileField, _file),
)
if hasattr(fields, "BigIntegerField"):  # added in DRF 3.16
    _STRUCTURAL += ((fields.BigIntegerField, _big_integer),)
