"""FIELD_TYPE_MAP: DRF field class -> GraphQL scalar, a plain dict users may extend.

The values are what the *representation* of the field is, because a GraphQL result is
DRF's representation unchanged (docs/DESIGN.md): a ``DecimalField`` renders ``"12.50"``, so
it is a ``String``; a ``DateTimeField`` renders DRF's formatted string, so ``String``.
Lookup walks the field class's MRO, so a project's ``class MoneyField(DecimalField)``
maps like its base unless it is added here::

    from schema_gen.mapping import FIELD_TYPE_MAP
    FIELD_TYPE_MAP[MoneyField] = float

Structural fields (nested serializers, ``many=True``, relations, choices, lists, method
fields, ``ReadOnlyField``/``ModelField`` typed from their model source) are not in the
table: :mod:`schema_gen.converters` handles them first.
"""

from __future__ import annotations

from typing import Any

from rest_framework import fields, relations
from strawberry.scalars import JSON

__all__ = ["FIELD_TYPE_MAP", "lookup"]

FIELD_TYPE_MAP: dict[type, Any] = {
    fields.BooleanField: bool,
    fields.CharField: str,  # EmailField, RegexField, SlugField, URLField, IPAddressField
    fields.UUIDField: str,
    fields.IntegerField: int,
    fields.FloatField: float,
    fields.DecimalField: str,  # float when COERCE_DECIMAL_TO_STRING is off (converters)
    fields.DateTimeField: str,
    fields.DateField: str,
    fields.TimeField: str,
    fields.DurationField: str,
    fields.FileField: str,  # ImageField: the file's URL
    fields.DictField: JSON,  # HStoreField
    fields.JSONField: JSON,
    relations.StringRelatedField: str,
    relations.SlugRelatedField: str,
    relations.HyperlinkedRelatedField: str,  # HyperlinkedIdentityField
}
if hasattr(fields, "NullBooleanField"):  # removed in DRF 3.14
    FIELD_TYPE_MAP[fields.NullBooleanField] = bool


def lookup(field_class: type) -> Any | None:
    """The mapped type of the nearest class in ``field_class``'s MRO, or None."""
    for klass in field_class.__mro__:
        if klass in FIELD_TYPE_MAP:
            return FIELD_TYPE_MAP[klass]
    return None
