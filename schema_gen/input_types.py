"""Input types from the write side of a serializer.

``PostInput`` (create) keeps DRF's required-ness: a required field is non-null, any
other is optional and, when omitted, is not sent to the serializer at all (so the
serializer's own default applies). ``PostPartialInput`` (partial update) makes every
field optional, like ``PATCH``::

    input PostInput { title: String!, body: String, status: PostStatus }
    input PostPartialInput { title: String, body: String, status: PostStatus }

Each generated input class carries ``__drf_fields__`` (Python attribute -> serializer
field name) so the runtime can turn an input object back into DRF's ``request.data``.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import strawberry
from rest_framework import fields, serializers

from .converters import Direction, map_field
from .introspection import dotted, instantiate, python_name, serializer_fields
from .naming import camel, refuse_clash, type_name
from .variants import writable_for_some_request

if TYPE_CHECKING:
    from .types import Builder

__all__ = ["build_input_type", "writable_fields"]


def writable_fields(serializer: serializers.BaseSerializer) -> dict[str, fields.Field]:
    """The fields a client may send: not read-only, not hidden."""
    return {
        name: field
        for name, field in serializer_fields(serializer).items()
        if not field.read_only and not isinstance(field, fields.HiddenField)
    }


def build_input_type(
    builder: Builder,
    serializer_class: type[serializers.BaseSerializer],
    partial: bool,
    linked: bool = False,
) -> type | None:
    """``<Name>Input``/``<Name>PartialInput``; None when the serializer has nothing writable.

    ``linked``: nested in a drf-writable-nested serializer, which links (and updates) the
    existing row whose primary key the nested data carries, though DRF's serializer has
    it read-only: ``<Name>NestedInput`` has an optional ``id`` besides.
    """
    name = type_name(serializer_class) + ("Nested" if linked else "")
    name += "PartialInput" if partial else "Input"
    serializer = instantiate(serializer_class)
    writable = writable_fields(serializer)
    some = writable_for_some_request(serializer_class, serializer.context)
    only_some = {name: field for name, field in some.items() if name not in writable}
    writable.update(only_some)
    pk = _primary_key(serializer_class) if linked else None
    if not writable and pk is None:
        return None
    builder.names.claim(
        name, dotted(serializer_class) + (" (partial input)" if partial else " (input)")
    )
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    attr_to_field: dict[str, str] = {}
    seen: dict[str, str] = {}  # GraphQL name -> the field that has it
    for field_name, field in writable.items():
        attr = python_name(field_name)
        refuse_clash(serializer_class, seen.setdefault(camel(field_name), field_name), field_name)
        annotation = map_field(field, builder, Direction.INPUT)
        non_null = field.required and not field.allow_null and not partial
        non_null = non_null and field_name not in only_some
        annotations[attr] = annotation if non_null else annotation | None
        namespace[attr] = strawberry.field(
            name=camel(field_name),
            description=str(field.help_text) if field.help_text else None,
            default=dataclasses.MISSING if non_null else strawberry.UNSET,
        )
        attr_to_field[attr] = field_name
    if pk is not None and pk not in writable:
        attr = python_name(pk)
        annotations[attr] = strawberry.ID | None
        namespace[attr] = strawberry.field(
            name=camel(pk), default=strawberry.UNSET, description="An existing row's: links it."
        )
        attr_to_field[attr] = pk
    namespace.update(
        __annotations__=annotations,
        __module__=serializer_class.__module__,
        __drf_serializer__=serializer_class,
        __drf_fields__=attr_to_field,
    )
    return strawberry.input(type(name, (), namespace), name=name)


def _primary_key(serializer_class: type) -> str | None:
    """The nested model's primary key attribute (``id``), as drf-writable-nested reads it."""
    model = getattr(getattr(serializer_class, "Meta", None), "model", None)
    return model._meta.pk.attname if model is not None else None
