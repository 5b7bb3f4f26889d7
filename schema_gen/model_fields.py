"""Types of values read straight off a model: ``ReadOnlyField``, ``ModelField``, properties.

A ``ReadOnlyField(source="project.name")`` renders whatever the attribute holds, passed
through DRF's JSON encoder. Its GraphQL type is read from what the ``source`` reaches:
a model field (its Python value type, as in strawberry-graphql-django's
``field_type_map``, then as DRF's encoder writes that type), a property or a method
with a return hint::

    source_type(Task, ["project", "name"])   # SourceType(str, nullable=False)
    source_type(Task, ["is_overdue"])         # a property "-> bool": SourceType(bool, False)
    wire_type(datetime.datetime)              # str: DRF's encoder writes isoformat()

What it cannot know (a relation rendered as a model instance, a file, an untyped
property) is None, and the caller falls back to JSON with a warning.

The table is our own: importing ``strawberry_django`` loads its Channels integration,
and this generator imports no Channels (``tests/schema_gen/test_generator_isolation``);
its map also types values as Python objects (``ID`` for an AutoField, ``Decimal``),
where a DRF representation needs the JSON the encoder wrote.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import typing
import uuid
from typing import Any

from django.db import models
from strawberry.scalars import JSON

__all__ = [
    "MODEL_FIELD_TYPES",
    "SourceType",
    "model_attribute",
    "model_field_type",
    "pk_type",
    "source_type",
    "wire_type",
]

#: The Python type of a concrete model field's value, along the field class's MRO
#: (strawberry-graphql-django's ``field_type_map``, minus relations and files).
MODEL_FIELD_TYPES: dict[type, Any] = {
    models.BooleanField: bool,
    models.CharField: str,  # EmailField, SlugField, URLField...
    models.TextField: str,
    models.FilePathField: str,
    models.GenericIPAddressField: str,
    models.IntegerField: int,  # Small/Big/Positive* too
    models.FloatField: float,
    models.DecimalField: decimal.Decimal,
    models.DateTimeField: datetime.datetime,
    models.DateField: datetime.date,
    models.TimeField: datetime.time,
    models.DurationField: datetime.timedelta,
    models.UUIDField: uuid.UUID,
    models.JSONField: JSON,
}

#: How DRF's ``JSONEncoder`` writes a Python value (what REST clients receive).
_WIRE: dict[Any, Any] = {
    int: int,
    bool: bool,
    float: float,
    str: str,
    decimal.Decimal: float,  # the encoder's float(obj): only serializer fields give "12.50"
    datetime.datetime: str,
    datetime.date: str,
    datetime.time: str,
    datetime.timedelta: str,  # str(total_seconds())
    uuid.UUID: str,
}


@dataclasses.dataclass(frozen=True)
class SourceType:
    """The GraphQL type of a source path, and whether it can render null."""

    #: The GraphQL scalar, or None when ``hint`` is to be typed (a property, a method).
    annotation: Any
    nullable: bool
    #: The return hint of a property or method the source ends at.
    hint: Any = None


def wire_type(python_type: Any) -> Any | None:
    """The GraphQL scalar of a Python value after DRF's JSON encoder; None if unknown."""
    if python_type is JSON:
        return JSON
    return _WIRE.get(python_type)


def pk_type(model: type[models.Model]) -> Any:
    """The JSON type of ``model``'s primary key as DRF renders it (7, not "7")."""
    pk: Any = model._meta.pk
    while pk.is_relation:  # a OneToOneField primary key renders the target's pk
        pk = pk.target_field
    return model_field_type(pk) or str


def model_field_type(model_field: Any) -> Any | None:
    """The GraphQL scalar of a concrete model field's value as DRF's encoder writes it."""
    if isinstance(model_field, models.AutoField | models.BigAutoField | models.SmallAutoField):
        return int  # strawberry-django says ID; DRF renders the integer itself
    if model_field.is_relation:
        return None  # the related instance: only its ``attname`` (``project_id``) is a value
    for klass in type(model_field).__mro__:
        if klass in MODEL_FIELD_TYPES:
            return wire_type(MODEL_FIELD_TYPES[klass])
    return None


def model_attribute(model: type[models.Model], attr: str) -> Any:
    """The model field, reverse relation, or class attribute named ``attr``; None if absent."""
    try:
        return model._meta.get_field(attr)
    except Exception:
        pass
    for relation in model._meta.related_objects:  # DRF sources use the accessor: task_set
        if relation.get_accessor_name() == attr:
            return relation
    return getattr(model, attr, None)


def source_type(model: type[models.Model] | None, source_attrs: list[str]) -> SourceType | None:
    """What following ``source_attrs`` from ``model`` renders, or None when unknowable."""
    nullable = False
    target: Any = None
    for index, attr in enumerate(source_attrs):
        if model is None:
            return None
        target = model_attribute(model, attr)
        last = index == len(source_attrs) - 1
        if isinstance(target, models.Field):
            nullable = nullable or bool(target.null)
            if target.is_relation and not last:
                model = target.related_model
                continue
            if target.is_relation and attr == target.attname != target.name:
                related: Any = target.related_model
                return SourceType(pk_type(related), nullable)  # ``project_id``
            annotation = model_field_type(target)
            return None if annotation is None or not last else SourceType(annotation, nullable)
        return _hinted(target, nullable) if last else None
    return None


def _hinted(attribute: Any, nullable: bool) -> SourceType | None:
    """A property's or method's return hint (DRF calls a callable source), or None."""
    function = attribute.fget if isinstance(attribute, property) else attribute
    if not callable(function):
        return None
    try:
        hint = typing.get_type_hints(function).get("return")
    except Exception:  # an unresolvable forward reference: unknown
        return None
    return None if hint is None else SourceType(None, nullable, hint=hint)
