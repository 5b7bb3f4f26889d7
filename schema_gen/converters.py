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

import enum
from typing import TYPE_CHECKING, Any

import strawberry
from rest_framework import fields, relations, serializers
from rest_framework.settings import api_settings
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from . import spectacular
from .fallbacks import UnmappedFieldWarning, json_fallback
from .hints import hint_type, return_hint
from .introspection import declared_field
from .mapping import lookup
from .model_fields import model_field_type, pk_type, source_type
from .types import list_of

if TYPE_CHECKING:
    from .types import Builder

__all__ = ["Direction", "UnmappedFieldWarning", "field_path", "map_field", "parent_model"]

#: The package whose nested serializers are written by the pk in their data (no import:
#: an optional third party, recognised by its classes' module).
_WRITABLE_NESTED = "drf_writable_nested"


class Direction(enum.Enum):
    """Which side of the serializer a type is for: representation or input."""

    OUTPUT = "output"
    INPUT = "input"


def field_path(field: fields.Field) -> str:
    """``Serializer.field``: how warnings name the field the user declared."""
    owner = declared_field(field)  # a ListField's child: name the ListField
    return f"{type(owner.parent).__name__}.{owner.field_name}"


def parent_model(field: fields.Field) -> Any:
    """The model of the (Model)Serializer ``field`` is declared on, if any."""
    return getattr(getattr(declared_field(field).parent, "Meta", None), "model", None)


def map_field(field: fields.Field, builder: Builder, direction: Direction) -> Any:
    """The GraphQL type (non-null form) of a bound ``field`` for ``direction``."""
    override = spectacular.field_override(type(field))  # @extend_schema_field on the class
    if override is not spectacular.NO_OVERRIDE and direction is Direction.OUTPUT:
        return spectacular.override_type(override, builder, field_path(field))[0]
    for handles, convert in _STRUCTURAL:
        if isinstance(field, handles):
            return convert(field, builder, direction)
    mapped = lookup(type(field))
    if mapped is not None:
        return mapped
    return json_fallback(
        field_path(field),
        f"no GraphQL type for {type(field).__name__} (add it to "
        "schema_gen.mapping.FIELD_TYPE_MAP to give it a precise type)",
    )


def _list_serializer(field: serializers.ListSerializer, builder: Builder, d: Direction) -> Any:
    child = field.child
    return list_of(JSON if child is None else map_field(child, builder, d))


def _serializer(field: serializers.BaseSerializer, builder: Builder, d: Direction) -> Any:
    if d is Direction.INPUT and _reads_by_hand(type(field)):
        # NetBox's WritableNestedSerializer: REST takes a primary key (``"tenant": 5``) or
        # the attributes to look the row up by; no input object type says both.
        return JSON
    if d is Direction.INPUT:
        # A nested serializer with nothing writable has no input type; DRF still
        # accepts an object for it, so take one as JSON rather than fail the build.
        return builder.input_type(type(field), linked=_links_by_pk(field)) or JSON
    return builder.nested_type(field)  # by its own fields: NetBox's nested=True


def _links_by_pk(field: serializers.BaseSerializer) -> bool:
    """Whether the parent is drf-writable-nested's (``WritableNestedModelSerializer``,
    ``NestedCreateMixin``...), which links the row whose pk the nested data carries."""
    parent = field.parent
    if isinstance(parent, serializers.ListSerializer):  # many=True: the child's parent
        parent = parent.parent
    mro = type(parent).__mro__ if parent is not None else ()
    return any(k.__module__.startswith(_WRITABLE_NESTED) for k in mro)


def _reads_by_hand(serializer_class: type) -> bool:
    """Whether ``to_internal_value`` is the project's own, not DRF's (fields by name)."""
    own = serializer_class.to_internal_value  # type: ignore[attr-defined]
    return own is not serializers.Serializer.to_internal_value and not issubclass(
        serializer_class, serializers.ListSerializer
    )


def _many_related(field: relations.ManyRelatedField, builder: Builder, d: Direction) -> Any:
    return list_of(map_field(field.child_relation, builder, d))


def _primary_key(field: relations.PrimaryKeyRelatedField, builder: Builder, d: Direction) -> Any:
    # Input accepts "7" or 7 like DRF does; output keeps the pk's own JSON type so the
    # GraphQL value equals the REST value (7, not "7").
    if d is Direction.INPUT:
        return strawberry.ID
    if type(field).to_representation is not relations.PrimaryKeyRelatedField.to_representation:
        return _rendered_relation(field, builder)
    if field.pk_field is not None:
        return map_field(field.pk_field, builder, d)
    model = builder.related_model(field)
    if model is None:
        return strawberry.ID
    return pk_type(model)


def _rendered_relation(field: relations.PrimaryKeyRelatedField, builder: Builder) -> Any:
    """A pk field whose ``to_representation`` renders something else (written by pk).

    NetBox's ``SerializedPKRelatedField(serializer=...)`` renders its ``serializer``'s
    representation: that type. Anything else it renders is unknown: JSON, warned.
    """
    nested = getattr(field, "serializer", None)
    if isinstance(nested, type) and issubclass(nested, serializers.Serializer):
        return builder.output_type(nested)
    return json_fallback(
        field_path(field),
        f"{type(field).__name__} overrides to_representation (it renders no primary key)",
    )


def _multiple_choice(field: fields.MultipleChoiceField, builder: Builder, d: Direction) -> Any:
    return list_of(builder.choice_type(field))


def _choice(field: fields.ChoiceField, builder: Builder, d: Direction) -> Any:
    return builder.choice_type(field)


def _list_field(field: fields.ListField, builder: Builder, d: Direction) -> Any:
    item = map_field(field.child, builder, d)
    return list_of(item | None) if field.child.allow_null else list_of(item)


def method_field_type(field: fields.SerializerMethodField, builder: Builder) -> tuple[Any, bool]:
    """(type, nullable) of a method field: ``@extend_schema_field``, else the return hint."""
    method = getattr(type(field.parent), field.method_name, None)
    override = spectacular.field_override(method)
    if override is not spectacular.NO_OVERRIDE:
        # A declaration for the OpenAPI document, which nothing checks against what the
        # method returns: nullable, so a value that contradicts it costs only this field.
        return spectacular.override_type(override, builder, field_path(field))[0], True
    return hint_type(return_hint(method), builder, field_path(field))


def _method(field: fields.SerializerMethodField, builder: Builder, d: Direction) -> Any:
    return method_field_type(field, builder)[0]


def read_only_type(field: fields.Field, builder: Builder) -> tuple[Any, bool] | None:
    """(type, nullable) of a ``ReadOnlyField`` from what its source reaches, or None."""
    if field.source == "*":
        return None
    found = source_type(parent_model(field), field.source_attrs)
    if found is None:
        return None
    if found.hint is not None:
        annotation, nullable = hint_type(found.hint, builder, field_path(field))
        return annotation, nullable or found.nullable
    return found.annotation, found.nullable


def _read_only(field: fields.ReadOnlyField, builder: Builder, d: Direction) -> Any:
    typed = read_only_type(field, builder)
    if typed is not None:
        return typed[0]
    return json_fallback(
        field_path(field),
        f"ReadOnlyField(source={field.source!r}) reaches no model field, typed property "
        "or hinted method",
    )


def _model_field(field: fields.ModelField, builder: Builder, d: Direction) -> Any:
    # DRF returns ints, floats, Decimals and dates as they are, anything else as
    # ``value_to_string()``: a string (JSONField's stays the object).
    annotation = model_field_type(field.model_field)
    if annotation in (int, float, bool, JSON):
        return annotation
    if annotation is not None:
        return str
    return json_fallback(
        field_path(field), f"ModelField of {type(field.model_field).__name__} has no type"
    )


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
    (fields.ReadOnlyField, _read_only),
    (fields.ModelField, _model_field),
    (fields.DecimalField, _decimal),
    (fields.FileField, _file),
)
if hasattr(fields, "BigIntegerField"):  # added in DRF 3.16
    _STRUCTURAL += ((fields.BigIntegerField, _big_integer),)
